// Mon compte with the médiathèque's card (the demo's /carte: docs/admin.md,
// Logins): the form asking for the card and its PIN, and the French page a
// member gets when the library system does not answer (the demo has none),
// have no axe violation, work with the keyboard alone and without
// JavaScript, and reflow at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, noViolations, BASE, TIMEOUT } from './helpers.mjs';

const CARTE = `${BASE}/carte`;

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('the card form and its answers have no axe violation', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    const r = await page.goto(`${CARTE}/compte`, { waitUntil: 'load' });
    assert.equal(r.status(), 200);
    assert.match(page.url(), /\/carte\/compte\/connexion$/, 'anonymous visitors are sent to the login form');
    assert.match(await page.locator('label[for=carte]').innerText(), /carte de la médiathèque/);
    assert.match(await page.locator('label[for=code-pin]').innerText(), /Code PIN/);
    await noViolations(page, 'card login');
    await page.goto(`${CARTE}/compte/connexion?erreur=1`, { waitUntil: 'load' });
    assert.match(await page.locator('[role=alert]').innerText(), /Numéro de carte ou code PIN incorrect/);
    await noViolations(page, 'card login, wrong PIN');
  });
});

test('with the keyboard alone: the card, the PIN, Enter, and a French answer', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await page.goto(`${CARTE}/compte/connexion`, { waitUntil: 'load' });
    // Tab from the top of the page reaches the card's field, then the PIN's.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id) === 'carte') break;
    }
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'carte', 'Tab reaches the card field');
    await page.keyboard.type('29000111');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'code-pin');
    await page.keyboard.type('1234');
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(response.status(), 503);
    assert.match(await page.locator('main, body').first().innerText(), /médiathèque ne répond pas/);
    await noViolations(page, 'the library system does not answer');
  });
});

test('without JavaScript the form is sent and answered', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await page.goto(`${CARTE}/compte/connexion`, { waitUntil: 'load' });
    await page.fill('#carte', '29000111');
    await page.fill('#code-pin', '1234');
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
      page.click('form button[type=submit]')]);
    assert.equal(response.status(), 503);
    assert.match(await page.locator('body').innerText(), /médiathèque ne répond pas/);
  }, { javaScriptEnabled: false });
});

test('reflow at 320 px: the card form and the answer', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await page.goto(`${CARTE}/compte/connexion`, { waitUntil: 'load' });
    let sw = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= 320, `card form: scrollWidth ${sw} > 320`);
    await page.fill('#carte', '29000111');
    await page.fill('#code-pin', '1234');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form button[type=submit]')]);
    sw = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= 320, `answer: scrollWidth ${sw} > 320`);
    await noViolations(page, 'answer at 320 px');
  }, { viewport: { width: 320, height: 640 } });
});
