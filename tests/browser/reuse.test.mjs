// Ressourcerie at the desk: an intake opened and weighed with the keyboard
// alone (a category's letter, the weight, Enter), every state without an
// axe violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, TL, TIMEOUT, logIn, noViolations, autofocused } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('weigh an intake with the keyboard alone', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/guichet/ressourcerie`, { waitUntil: 'load' });
    await noViolations(page, 'intake form');
    await page.focus('#commune');
    await page.keyboard.type('Saint-Aubin');
    await Promise.all([page.waitForURL(/arrivage\?n=\d+$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await noViolations(page, 'intake page');
    // The letter's field has the focus: t, Tab, 12,5, Enter.
    await autofocused(page, 'categorie');
    await page.keyboard.type('t');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12,5');
    await Promise.all([page.waitForURL(/fait=1$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Total : 12,500 kg/);
    await autofocused(page, 'categorie');
    // A mistake: the message under the field.
    await page.keyboard.type('m');
    await page.keyboard.press('Tab');
    await page.keyboard.type('5000');
    await Promise.all([page.waitForURL(/pesee$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#poids', 'aria-invalid'), 'true');
    await noViolations(page, 'intake page with a mistake');
  } finally {
    await context.close();
  }
});

test('weigh outflows with the keyboard alone', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/guichet/ressourcerie/sorties`, { waitUntil: 'load' });
    await noViolations(page, 'outflow page');
    // The letter's field has the focus; the destination and partner once,
    // by Tab: letter, weight, destination, partner, Enter.
    await autofocused(page, 'categorie');
    await page.keyboard.type('t');
    await page.keyboard.press('Tab');
    await page.keyboard.type('20,5');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'destination');
    await page.keyboard.press('ArrowDown');   // élimination
    await page.keyboard.press('ArrowDown');   // don pour le réemploi
    await page.keyboard.press('Tab');
    await page.keyboard.type('Le Relais');
    await Promise.all([page.waitForURL(/fait=1$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Sortie enregistrée/);
    assert.match(await main.innerText(), /Le Relais[\s\S]*20,500 kg/);
    // The next one: the focus is back on the letter, destination and
    // partner kept: letter, weight, Enter.
    await autofocused(page, 'categorie');
    assert.equal(await page.inputValue('#destination'), 'don_reemploi');
    assert.equal(await page.inputValue('#partenaire'), 'Le Relais');
    await page.keyboard.type('j');
    await page.keyboard.press('Tab');
    await page.keyboard.type('4,2');
    // Same address as the page it leaves: wait for the navigation itself.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await main.innerText(), /Jouets[\s\S]*4,200 kg/);
    // A mistake: the message under the field, nothing recorded.
    await page.keyboard.type('m');
    await page.keyboard.press('Tab');
    await page.keyboard.type('5000');
    await Promise.all([page.waitForURL(/sorties$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#poids', 'aria-invalid'), 'true');
    assert.match(await page.locator('#erreur-poids').innerText(), /c'est trop/);
    await noViolations(page, 'outflow page with a mistake');
    // The report and the filières: no violation either.
    await page.goto(`${TL}/gestion/ressourcerie/bilan?lieu=la-fabrique&periode=annee`, { waitUntil: 'load' });
    assert.match(await main.innerText(), /Don pour le réemploi\s+\d/);
    await noViolations(page, 'report');
    await page.goto(`${TL}/gestion/ressourcerie/filieres?lieu=la-fabrique`, { waitUntil: 'load' });
    await noViolations(page, 'filières');
  } finally {
    await context.close();
  }
});
