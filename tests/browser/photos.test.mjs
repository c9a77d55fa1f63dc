// Photos: the catalogue's cards and an item's page show the demo's photos
// (script/demo-photos) with their alternative text, a srcset and their
// size; a référent's and a volunteer's photo forms pass axe; every page
// has no axe violation and reflows at 320 px, its pictures included; a
// ressourcerie stock item's photo taken at the desk shows on the shelf.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, noViolations, reflows, logIn, TL, TIMEOUT } from './helpers.mjs';

const ITEM = 'FC-0001';     // the demo's cordless drill, with its drawing
let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

// Every picture has a non-empty alternative text and has loaded (a broken
// image has no natural width).
async function picturesLoaded(page, what) {
  const imgs = await page.locator('img').evaluateAll(async (list) => {
    for (const img of list) { img.loading = 'eager'; }
    await Promise.all(list.map((img) => (img.complete ? null : new Promise((ok) => { img.onload = img.onerror = ok; }))));
    return list.map((img) => ({ alt: img.getAttribute('alt'), w: img.naturalWidth, src: img.currentSrc }));
  });
  assert.ok(imgs.length > 0, `${what}: no picture`);
  for (const img of imgs) {
    assert.ok(img.alt && img.alt.trim(), `${what}: a picture without alternative text (${img.src})`);
    assert.ok(img.w > 0, `${what}: ${img.src} did not load`);
  }
  return imgs;
}

test('the catalogue and an item page show photos with their text, no axe violation, 320 px', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/outils?q=perceuse`, { waitUntil: 'load' });
    const imgs = await picturesLoaded(page, 'the catalogue');
    assert.ok(imgs.some((i) => /Perceuse-visseuse bleue/.test(i.alt)), 'the drill\'s card shows its photo');
    assert.ok(imgs.every((i) => /\.webp$/.test(i.src)), 'Chromium takes the WebP source');
    await noViolations(page, 'the catalogue with photos');
    await reflows(page, 'the catalogue with photos');
    // The card whose picture is the drawing leads to its item.
    await page.locator('li.tl-card', { has: page.locator('img[alt^="Perceuse-visseuse bleue"]') })
      .getByRole('link').click();
    await page.waitForLoadState('load');
    const shown = await picturesLoaded(page, 'the item page');
    assert.ok(shown.some((i) => /Perceuse-visseuse bleue/.test(i.alt)), 'the item page shows its photo');
    await noViolations(page, 'the item page with photos');
    await reflows(page, 'the item page with photos');
  } finally {
    await context.close();
  }
});

test('a référent\'s photos of an item and a volunteer\'s snapshot form pass axe and reflow', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/objet?numero=${ITEM}`, { waitUntil: 'load' });
    await picturesLoaded(page, 'the référent\'s item page');
    assert.equal(await page.locator('input[type=file][name=photo]').count(), 1);
    assert.match(await page.locator('main').innerText(), /15 Mo au plus/);
    await noViolations(page, 'the référent\'s photos');
    await reflows(page, 'the référent\'s photos');
    await page.goto(`${TL}/guichet/objet?numero=${ITEM}`, { waitUntil: 'load' });
    const field = page.locator('input[type=file][name=photo]');
    assert.equal(await field.getAttribute('capture'), 'environment');
    assert.equal(await field.getAttribute('accept'), 'image/*');
    await noViolations(page, 'the desk\'s snapshot form');
    await reflows(page, 'the desk\'s snapshot form');
  } finally {
    await context.close();
  }
});

test('a stock item\'s photo taken at the desk shows on the ressourcerie\'s shelf: axe, alt, 320 px', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    // A real photo to send: the demo drill's JPEG variant.
    await page.goto(`${TL}/gestion/objet?numero=${ITEM}`, { waitUntil: 'load' });
    const src = await page.locator('img[src*="/photos/"]').first().getAttribute('src');
    const jpeg = await (await page.request.get(new URL(src.replace(/-\d+\.jpg$/, '-640.jpg'), page.url()).href)).body();
    // The first stock item on sale at La Fabrique.
    await page.goto(`${TL}/guichet/ressourcerie/stock?lieu=la-fabrique&etat=en_vente`, { waitUntil: 'load' });
    const link = page.locator('a[href*="/guichet/ressourcerie/objet?n="]').first();
    const code = (await link.innerText()).trim();
    await link.click();
    await page.waitForLoadState('load');
    const field = page.locator('input[type=file][name=photo]');
    assert.equal(await field.getAttribute('capture'), 'environment');
    assert.equal(await field.getAttribute('accept'), 'image/*');
    const alt = `Objet ${code} posé sur l'étagère du magasin`;
    await page.getByLabel('Prendre une photo : ce qu\'elle montre').fill(alt);
    await field.setInputFiles({ name: 'etagere.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByRole('button', { name: 'Ajouter la photo' }).click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /fait=photo/);
    const listed = await picturesLoaded(page, 'the stock item\'s page');
    assert.ok(listed.some((i) => i.alt === alt), 'the desk lists the photo');
    await noViolations(page, 'the stock item\'s photos');
    await reflows(page, 'the stock item\'s photos');
    // The public shelf: the item's card shows it, with its size and a srcset.
    await page.goto(`${TL}/ressourcerie?lieu=la-fabrique`, { waitUntil: 'load' });
    const img = page.locator(`li.tl-card img[alt="${alt}"]`);
    assert.ok(await img.getAttribute('width') && await img.getAttribute('height'));
    assert.match(await img.getAttribute('srcset'), /320w/);
    assert.equal(await img.getAttribute('loading'), 'lazy');
    const imgs = await picturesLoaded(page, 'the ressourcerie\'s shelf');
    assert.ok(imgs.some((i) => i.alt === alt), 'the shelf shows the item\'s photo with its text');
    await noViolations(page, 'the ressourcerie\'s shelf with a photo');
    await reflows(page, 'the ressourcerie\'s shelf with a photo');
  } finally {
    await context.close();
  }
});
