// Ressourcerie's till and stock at the desk: a sale rung up with the
// keyboard alone (the item's number, Enter: cash is the default), its
// receipt and its cancellation, the stock list and an item's page, every
// one without an axe violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, TL, TIMEOUT, logIn, noViolations, autofocused } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('ring up a sale with the keyboard alone, then read its receipt', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    // The stock: on-sale items with their number.
    await page.goto(`${TL}/guichet/ressourcerie/stock?lieu=la-fabrique&etat=en_vente`, { waitUntil: 'load' });
    await noViolations(page, 'stock');
    const code = (await page.locator('main table tbody tr td a').first().innerText()).trim();
    assert.match(code, /^R\d{5}$/);
    await page.goto(`${TL}/guichet/ressourcerie/objet?n=${code}`, { waitUntil: 'load' });
    await noViolations(page, 'item page');
    assert.match(await page.locator('main').innerText(), /Son histoire/);
    // The till opens on the first line: the number, Enter.
    await page.goto(`${TL}/guichet/ressourcerie/caisse?lieu=la-fabrique`, { waitUntil: 'load' });
    await noViolations(page, 'till');
    await autofocused(page, 'article-1');
    await page.keyboard.type(code);
    await Promise.all([page.waitForURL(/ticket\?n=\d+$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await noViolations(page, 'receipt');
    const receiptUrl = page.url();
    const receipt = await page.locator('main').innerText();
    assert.match(receipt, new RegExp(`\\(${code}\\)`));
    assert.match(receipt, /Paiement : espèces/);
    assert.match(receipt, /TVA non applicable/);
    // The same item again: the message, under the lines, in French.
    await page.goto(`${TL}/guichet/ressourcerie/caisse?lieu=la-fabrique`, { waitUntil: 'load' });
    await page.keyboard.type(code);
    await Promise.all([page.waitForURL(/caisse$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('#erreur-lignes').innerText(), /déjà vendu/);
    await noViolations(page, 'till with a mistake');
    // Undone from its receipt: a cancellation, and the item on sale again.
    await page.goto(receiptUrl, { waitUntil: 'load' });
    await page.focus('#raison');
    await page.keyboard.type('Erreur de caisse');
    await Promise.all([page.waitForURL((u) => u.href !== receiptUrl && /ticket\?n=\d+$/.test(u.href),
                                       { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Annulation de la vente du ticket/);
    await noViolations(page, 'cancellation receipt');
  } finally {
    await context.close();
  }
});
