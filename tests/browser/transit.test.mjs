// Sharing between places: the desk's transfers (what to send, what
// arrives), the public page of an item in transit, the choice of the place
// where a reservation is collected, and the référents' forms (a collection
// that travels or stays, an item moved for good). Each page has no axe
// violation, reflows at 320 px and is used with the keyboard alone; the
// forms work without JavaScript. The tests leave the demo as they found it
// (the demo's transfer stays on its way; a collection kept on site is made
// to travel again), so they can run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, noViolations, reflows, tabTo, logIn, TL, TIMEOUT } from './helpers.mjs';

const TRAVELLING = 'FC-0032';     // the demo's fruit press, on its way to the médiathèque
let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('the desk lists what arrives, reached with the keyboard, no axe violation, 320 px', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'benevole.mediatheque', 'Grelinette-2026');
    await page.goto(`${TL}/guichet`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/guichet\/transit$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: /Transferts entre lieux/ }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /À expédier/);
    assert.match(text, /À recevoir/);
    assert.match(text, new RegExp(`Pressoir à fruits 20 L \\(${TRAVELLING}\\)`));
    await noViolations(page, 'the transfers of the médiathèque');
    await reflows(page, 'the transfers of the médiathèque');
    // Its button is reached by Tab alone (not pressed: the demo's transfer stays on its way).
    await page.goto(`${TL}/guichet/transit`, { waitUntil: 'load' });
    await tabTo(page, new RegExp(`^Reçu : ${TRAVELLING}$`));
  } finally {
    await context.close();
  }
});

test('the public page of an item in transit says where it travels, no axe violation, 320 px', { timeout: 2 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/outils?q=${encodeURIComponent('Pressoir à fruits')}`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /En transit vers Médiathèque Jules-Verne/);
    await noViolations(page, 'the catalogue with an item in transit');
    await Promise.all([page.waitForURL(/\/outils\/\d+$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: /Pressoir à fruits 20 L/ }).first().click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /En transit vers Médiathèque Jules-Verne/);
    assert.doesNotMatch(text, /Disponible/);
    await noViolations(page, 'the public page of an item in transit');
    await reflows(page, 'the public page of an item in transit');
  } finally {
    await context.close();
  }
});

test('a resident chooses where to collect a reservation, with the keyboard, no axe violation, 320 px', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/compte`, { waitUntil: 'load' });
    await page.focus('#numero');
    await page.keyboard.type('a-000123');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Arrosoir-en-2026');
    await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await page.goto(`${TL}/compte/reserver?objet=FC-0030`, { waitUntil: 'load' });
    const select = page.locator('select#retrait');
    assert.equal(await select.count(), 1);
    const labels = await select.locator('option').allInnerTexts();
    assert.match(labels[0], /La Fabrique, son lieu/);
    assert.ok(labels.some((l) => /Médiathèque Jules-Verne/.test(l)), labels.join(' | '));
    await noViolations(page, 'the reservation form with its places');
    await reflows(page, 'the reservation form with its places');
    // The select is reached and changed with the keyboard (not sent: the demo stays as it is).
    await page.getByRole('button', { name: 'Réserver', exact: true }).focus();
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'retrait');
    await page.keyboard.press('ArrowDown');
    assert.notEqual(await select.inputValue(), '');
  } finally {
    await context.close();
  }
});

test('the référents\' forms: no axe violation, 320 px', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/objet?numero=FC-0030`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /Déplacer l'objet dans un autre lieu, pour de bon/);
    assert.equal(await page.locator('label[for="vers"]').count(), 1);
    await noViolations(page, 'the item\'s page with its move form');
    await reflows(page, 'the item\'s page with its move form');
    await page.goto(`${TL}/gestion/lieu?lieu=la-fabrique`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /Petite grainothèque de La Fabrique/);
    await noViolations(page, 'the place\'s collections');
    // The page's impact factors table is wider than 320 px already (not ours):
    // the collections' section reflows.
    await page.setViewportSize({ width: 320, height: 640 });
    const sw = await page.locator('section[aria-labelledby="collections-titre"]').evaluate((s) => s.scrollWidth);
    assert.ok(sw <= 320, `the place's collections: scrollWidth ${sw} > 320 at 320 px`);
    await page.setViewportSize({ width: 1280, height: 800 });
  } finally {
    await context.close();
  }
});

test('without JavaScript, a collection is kept on site, then travels again', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const item = () => page.locator('li', { hasText: 'Petite grainothèque de La Fabrique' });
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/lieu?lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/fait=collection/, { waitUntil: 'load' }),
                       item().getByRole('button', { name: /Garder sur place/ }).click()]);
    assert.match(await page.locator('main').innerText(), /Le choix est enregistré/);
    assert.match(await item().innerText(), /reste sur place/);
    await Promise.all([page.waitForURL(/fait=collection/, { waitUntil: 'load' }),
                       item().getByRole('button', { name: /Faire voyager/ }).click()]);
    assert.match(await item().innerText(), /voyage dans le réseau/);
  } finally {
    await context.close();
  }
});
