// Repair café, the visitors' side: booking with the keyboard alone, the
// form's mistakes and the private page without axe violations, and
// cancelling without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, TL, TIMEOUT, logIn, noViolations, autofocused } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('book a slot with the keyboard alone, then cancel without JavaScript', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let privateUrl;
  try {
    await page.goto(`${TL}/reparation?lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/reparation\/\d+$/, { waitUntil: 'load' }),
                       page.locator('main .tl-card h3 a').first().click()]);
    await Promise.all([page.waitForURL(/\/reserver$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: 'Réserver un créneau pour un objet' }).click()]);
    // Sent without the contact (past the browser's own check): the message under the field.
    await page.evaluate(() => { document.querySelector('form.tl-form').noValidate = true; });
    await page.focus('#objet');
    await page.keyboard.type('Lampe de chevet');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Le fil est dénudé');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Jeanne Petit');
    await Promise.all([page.waitForURL(/reparation\/reserver$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#contact', 'aria-invalid'), 'true');
    await noViolations(page, 'booking form with a mistake');
    await page.focus('#contact');
    await page.keyboard.type('jeanne.petit@exemple.fr');
    await Promise.all([page.waitForURL(/reservation\?jeton=/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /C'est réservé/);
    await noViolations(page, 'private page');
    privateUrl = page.url();
  } finally {
    await context.close();
  }
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await nojs.newPage();
  try {
    await p2.goto(privateUrl, { waitUntil: 'load' });
    await Promise.all([p2.waitForURL(/fait=annulation/, { waitUntil: 'load' }),
                       p2.getByRole('button', { name: 'Annuler ma réservation' }).click()]);
    assert.match(await p2.locator('main').innerText(), /Votre réservation est annulée/);
  } finally {
    await nojs.close();
  }
});

test('a volunteer logs an object with the keyboard alone; the desk page has no axe violation', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/reparation?lieu=la-fabrique`, { waitUntil: 'load' });
    const href = await page.locator('main .tl-card h3 a').first().getAttribute('href');
    const session = href.split('/').pop();
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/guichet/reparation?seance=${session}`, { waitUntil: 'load' });
    await noViolations(page, 'repair desk');
    // The object's field has the focus: type, pick with letters, Enter.
    await autofocused(page, 'objet');
    await page.keyboard.type('Grille-pain Seb');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Grille');             // the category select jumps to "Grille-pain"
    await page.focus('#poids');
    await page.keyboard.type('-2');
    await Promise.all([page.waitForURL(/guichet\/reparation$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#poids', 'aria-invalid'), 'true');
    await noViolations(page, 'repair desk with a mistake');
    await page.fill('#poids', '1,4');
    await Promise.all([page.waitForURL(/fait=1/, { waitUntil: 'load' }), page.press('#poids', 'Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /Réparation notée/);
    assert.match(await page.locator('main table').innerText(), /Grille-pain Seb/);
    // The session's public page and the agenda now show results, with their method.
    await page.goto(`${TL}/reparation/${session}`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /Résultats de la séance/);
    await noViolations(page, 'session with results');
    await page.goto(`${TL}/reparation?lieu=la-fabrique`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /Ce qui a été réparé jusqu'ici/);
    await noViolations(page, 'agenda with results');
  } finally {
    await context.close();
  }
});
