// Ressourcerie at the desk: an intake opened and weighed with the keyboard
// alone (a category's letter, the weight, Enter), every state without an
// axe violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axe, formatViolations, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

async function noViolations(page, what) {
  const v = await axe(page);
  assert.equal(v.length, 0, `${what}: ${formatViolations(v)}`);
}

test('weigh an intake with the keyboard alone', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/connexion`, { waitUntil: 'load' });
    await page.fill('#identifiant', 'referente.fabrique');
    await page.fill('#mot-de-passe', 'Perceuse-2026');
    await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
    await page.goto(`${TL}/guichet/ressourcerie`, { waitUntil: 'load' });
    await noViolations(page, 'intake form');
    await page.focus('#commune');
    await page.keyboard.type('Saint-Aubin');
    await Promise.all([page.waitForURL(/arrivage\?n=\d+$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await noViolations(page, 'intake page');
    // The letter's field has the focus: t, Tab, 12,5, Enter.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'categorie');
    await page.keyboard.type('t');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12,5');
    await Promise.all([page.waitForURL(/fait=1$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Total : 12,500 kg/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'categorie');
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
