// Testimonies: the public list with its filters, the desk's form and the
// person's receipt, the withdrawal page, the référents' list. Each page has
// no axe violation, reflows at 320 px and is used with the keyboard alone;
// recording, withdrawing and publishing work without JavaScript. The tests
// leave the demo as they found it (the testimony recorded here is withdrawn
// with its code, the private one made private again), so they can run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, logIn, noViolations, reflows, tabTo, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('the public testimonies: no axe violation, 320 px, keyboard; filtered without JavaScript', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/temoignages`, { waitUntil: 'load' });
    const all = await page.locator('main').innerText();
    assert.match(all, /Les tomates « cœur de bœuf »/);          // public, anonymous
    assert.match(all, /Anonyme/);
    assert.doesNotMatch(all, /J'ai meublé la chambre/);          // the demo's private one
    await noViolations(page, 'the testimonies');
    await reflows(page, 'the testimonies');
    await page.goto(`${TL}/temoignages`, { waitUntil: 'load' });
    await tabTo(page, /^Retirer mon témoignage avec mon code$/);
    await Promise.all([page.waitForURL(/\/temoignages\/retrait$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await noViolations(page, 'the withdrawal page');
    await reflows(page, 'the withdrawal page');
  } finally {
    await context.close();
  }
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const npage = await nojs.newPage();
  try {
    await npage.goto(`${TL}/temoignages`, { waitUntil: 'load' });
    await npage.selectOption('#temoignages-activite', 'reparation');
    await Promise.all([npage.waitForURL(/activite=reparation/, { waitUntil: 'load' }),
                       npage.getByRole('button', { name: 'Afficher' }).click()]);
    const filtered = await npage.locator('main').innerText();
    assert.match(filtered, /grille-pain/);
    assert.doesNotMatch(filtered, /Les tomates/);
  } finally {
    await nojs.close();
  }
});

test('a testimony recorded at the desk, its receipt (no axe violation, 320 px), its withdrawal with the code without JavaScript', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const text = `Le vélo de ma fille roule de nouveau ${Date.now()}`;
  let code;
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/guichet`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/guichet\/temoignages$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: /Témoignages : noter/ }).click()]);
    await noViolations(page, 'the desk\'s testimony form');
    await reflows(page, 'the desk\'s testimony form');
    // The consent is required in the form too (the database refuses a
    // testimony without it: test_stories.py).
    assert.equal(await page.getAttribute('#accord', 'required'), '');
    await page.fill('#texte', text);
    await page.fill('#prenom', 'Nour');
    await page.selectOption('#activite', 'reparation');
    await page.check('#accord');
    await page.getByRole('button', { name: 'Noter le témoignage' }).click();
    await page.locator('.tl-code').waitFor();                     // the receipt, the POST's answer
    const receipt = await page.locator('main').innerText();
    assert.match(receipt, /signé : Nour/);
    code = receipt.match(/Code de retrait : ([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/)[1];
    await noViolations(page, 'the receipt');
    await reflows(page, 'the receipt');
  } finally {
    await context.close();
  }
  const person = await browser.newContext({ javaScriptEnabled: false });
  const ppage = await person.newPage();
  try {
    await ppage.goto(`${TL}/temoignages/retrait`, { waitUntil: 'load' });
    await ppage.fill('#code', 'ZZZZ-ZZZZ-ZZZZ');
    await Promise.all([ppage.waitForLoadState('load'), ppage.getByRole('button', { name: 'Retirer mon témoignage' }).click()]);
    assert.match(await ppage.locator('#erreur-code').innerText(), /ne correspond à aucun témoignage/);
    await ppage.fill('#code', code.toLowerCase());
    await Promise.all([ppage.waitForURL(/fait=retrait/, { waitUntil: 'load' }),
                       ppage.getByRole('button', { name: 'Retirer mon témoignage' }).click()]);
    assert.match(await ppage.locator('main').innerText(), /Votre témoignage est retiré/);
  } finally {
    await person.close();
  }
});

test('the référents\' testimonies: published and made private again without JavaScript; no axe violation, 320 px, keyboard', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const item = () => page.locator('article', { hasText: 'J\'ai meublé la chambre' });
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/temoignages?lieu=la-fabrique`, { waitUntil: 'load' });
    assert.match(await item().innerText(), /Privé/);
    await Promise.all([page.waitForURL(/fait=public/, { waitUntil: 'load' }),
                       item().getByRole('button', { name: /Rendre public/ }).click()]);
    assert.match(await item().innerText(), /Public depuis/);
    await page.goto(`${TL}/lieux/la-fabrique`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /J'ai meublé la chambre/);
    await page.goto(`${TL}/gestion/temoignages?lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/fait=prive/, { waitUntil: 'load' }),
                       item().getByRole('button', { name: /Rendre privé/ }).click()]);
    assert.match(await item().innerText(), /Privé/);
  } finally {
    await context.close();
  }
  const keyboard = await browser.newContext();
  const kpage = await keyboard.newPage();
  try {
    await logIn(kpage, 'referente.fabrique', 'Perceuse-2026');
    await kpage.goto(`${TL}/gestion/temoignages?lieu=la-fabrique`, { waitUntil: 'load' });
    await noViolations(kpage, 'the référents\' testimonies');
    await reflows(kpage, 'the référents\' testimonies');
    await kpage.goto(`${TL}/gestion/temoignages?lieu=la-fabrique`, { waitUntil: 'load' });
    await tabTo(kpage, /^Rendre public/);
  } finally {
    await keyboard.close();
  }
});
