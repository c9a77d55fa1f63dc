// Mon compte: the demo member logs in with the keyboard, every page of the
// account (and the desk's link page, and the page that uses it) has no axe
// violation, a loan is renewed with the keyboard alone, and the forms work
// without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, noViolations, autofocused, TL, TIMEOUT } from './helpers.mjs';

const MEMBER = 'A-000123';
const PASSWORD = 'Arrosoir-en-2026';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

// Types the number and the password, Enter: keyboard only.
async function logIn(page) {
  await page.goto(`${TL}/compte`, { waitUntil: 'load' });
  assert.match(page.url(), /\/compte\/connexion$/, 'anonymous visitors are sent to the login form');
  await page.focus('#numero');
  await page.keyboard.type(MEMBER.toLowerCase());
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

test('every page of the account has no axe violation', { timeout: 6 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await page.goto(`${TL}/compte/connexion`, { waitUntil: 'load' });
    await noViolations(page, 'login');
    await page.goto(`${TL}/compte/connexion?erreur=1`, { waitUntil: 'load' });
    await noViolations(page, 'login, wrong password');
    await logIn(page);
    assert.match(await page.locator('h1').innerText(), /Claire Martin \(A-000123\)/);
    await noViolations(page, 'account');

    await page.goto(`${TL}/compte/reserver`, { waitUntil: 'load' });
    await noViolations(page, 'reserve, asking for the number');
    await page.goto(`${TL}/compte/reserver?objet=ZZ-9999`, { waitUntil: 'load' });
    assert.equal(await page.getAttribute('#objet', 'aria-invalid'), 'true');
    await noViolations(page, 'reserve, unknown item');
    await page.goto(`${TL}/compte/reserver?objet=OT-0023`, { waitUntil: 'load' });
    await noViolations(page, 'reserve, item on loan');
    // Days in the wrong order: the form again with the message under the field.
    await page.fill('#du', day(40));
    await page.fill('#au', day(35));
    await Promise.all([page.waitForURL(/\/compte\/reserver$/, { waitUntil: 'load' }), page.press('#au', 'Enter')]);
    assert.equal(await page.getAttribute('#au', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#au', 'aria-describedby'), 'erreur-au');
    assert.match(await page.locator('#erreur-au').innerText(), /après le premier/);
    await noViolations(page, 'reserve, 422');

    await page.goto(`${TL}/compte/donnees`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /claire\.martin@example\.org/);
    await noViolations(page, 'my data');

    await Promise.all([page.waitForURL(/connexion\?fait=deconnexion$/, { waitUntil: 'load' }),
      page.click('a[href$="/compte/deconnexion"]')]);
    await noViolations(page, 'logged out');
    await page.goto(`${TL}/compte`, { waitUntil: 'load' });
    assert.match(page.url(), /\/compte\/connexion$/, 'logged out for good');
  });
});

test('the desk gives a link; the page that uses it has no axe violation', { timeout: 4 * TIMEOUT }, async () => {
  let link;
  await withPage(browser, null, async (page) => {
    await page.goto(`${TL}/connexion`, { waitUntil: 'load' });
    await page.fill('#identifiant', 'benevole.mediatheque');
    await page.fill('#mot-de-passe', 'Grelinette-2026');
    await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
    await page.goto(`${TL}/guichet/adherent`, { waitUntil: 'load' });
    await autofocused(page, 'numero');
    await page.keyboard.type('A-000187');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:has-text("A-000187")');
    await page.waitForLoadState('load');
    await Promise.all([page.waitForURL(/\/guichet\/adherent\/lien$/, { waitUntil: 'load' }),
      page.click('button:has-text("Donner un lien")')]);
    link = await page.locator('#lien').innerText();
    assert.match(link, /\/compte\/mot-de-passe\?jeton=[A-Za-z0-9_-]{43}$/);
    await noViolations(page, 'desk, the link');
  });
  await withPage(browser, null, async (page) => {
    await page.goto(link, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /A-000187/);
    await noViolations(page, 'choose a password');
    // Too short, sent past the browser's own check: the server says why.
    await page.evaluate(() => { document.querySelector('form').noValidate = true; });
    await page.fill('#mot_de_passe', 'court');
    await page.fill('#confirmation', 'court');
    await Promise.all([page.waitForURL(/mot-de-passe$/, { waitUntil: 'load' }), page.press('#confirmation', 'Enter')]);
    assert.equal(await page.getAttribute('#mot_de_passe', 'aria-invalid'), 'true');
    assert.match(await page.locator('#erreur-mot_de_passe').innerText(), /au moins 12 caractères/);
    await noViolations(page, 'choose a password, 422');
  });
});

test('renew a loan with the keyboard alone', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await logIn(page);
    const before = await page.locator('section[aria-labelledby=prets-titre] tbody').innerText();
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.tagName === 'BUTTON'
        && document.activeElement.textContent.trim() === 'Prolonger');
    }
    assert.ok(found, 'a "Prolonger" button is reached with Tab');
    await Promise.all([page.waitForURL(/\/compte\?fait=prolongation$/, { waitUntil: 'load' }),
      page.keyboard.press('Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /Prolongation enregistrée/);
    assert.notEqual(await page.locator('section[aria-labelledby=prets-titre] tbody').innerText(), before,
      'a due date moved');
    await noViolations(page, 'account after a renewal');
  });
});

test('without JavaScript: log in, reserve, cancel, wait, leave, download', { timeout: 4 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page, _response, context) => {
    await page.goto(`${TL}/compte/connexion`, { waitUntil: 'load' });
    await page.fill('#numero', MEMBER);
    await page.fill('#mot-de-passe', PASSWORD);
    await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.click('form button[type=submit]')]);

    // The item's number, then the dates.
    await page.goto(`${TL}/compte/reserver`, { waitUntil: 'load' });
    await page.fill('#objet', 'OT-0012');
    await Promise.all([page.waitForURL(/objet=OT-0012/, { waitUntil: 'load' }), page.click('form button[type=submit]')]);
    await page.fill('#du', day(60));
    await page.fill('#au', day(62));
    await Promise.all([page.waitForURL(/\?fait=reservation$/, { waitUntil: 'load' }),
      page.click('form[action$="/compte/reserver"] button[type=submit]')]);
    const reservations = page.locator('section[aria-labelledby=reservations-titre]');
    assert.match(await reservations.innerText(), /OT-0012/);
    await Promise.all([page.waitForURL(/\?fait=annulation$/, { waitUntil: 'load' }),
      reservations.locator('button[aria-label*="OT-0012"]').click()]);
    assert.doesNotMatch(await reservations.innerText(), /OT-0012/);

    // Waiting for an item someone else has.
    await page.goto(`${TL}/compte/reserver?objet=OT-0023`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\?fait=attente$/, { waitUntil: 'load' }),
      page.click('form[action$="/compte/attente"] button[type=submit]')]);
    const waiting = page.locator('section[aria-labelledby=attente-titre]');
    assert.match(await waiting.innerText(), /OT-0023/);
    await Promise.all([page.waitForURL(/\?fait=depart$/, { waitUntil: 'load' }),
      waiting.locator('button[aria-label*="OT-0023"]').click()]);

    // The CSV download, with the session's cookie.
    const csv = await context.request.get(`${TL}/compte/donnees.csv`);
    assert.equal(csv.status(), 200);
    const body = await csv.body();
    assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for spreadsheets');
    assert.match(body.toString('utf8'), /^\uFEFFRubrique;Élément;Détail;Date;Fin ou état\r\n/);
  }, { javaScriptEnabled: false });
});

test('reflow at 320 px: the account\'s pages (wide tables scroll in their own box)', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await logIn(page);
    for (const path of ['/compte', '/compte/donnees', '/compte/reserver?objet=OT-0023']) {
      await page.goto(`${TL}${path}`, { waitUntil: 'load' });
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(sw <= 320, `${path}: scrollWidth ${sw} > 320`);
      await noViolations(page, `${path} at 320 px`);
    }
  }, { viewport: { width: 320, height: 640 } });
});
