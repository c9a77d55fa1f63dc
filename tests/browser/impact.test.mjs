// Impact: the public page and the back office's annual report. Charts are
// inline SVG drawn by the server, so they show without JavaScript; each has
// its data as a table; in forced-colors mode (Windows high contrast) the
// bars keep a colour of the user's palette, never vanish. The pages'
// accessibility, reflow, keyboard and fragment checks run with every page
// (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginState, withPage, noViolations, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

// The bars of the page's charts: how many, and the fill each is painted with.
async function bars(page) {
  return page.$$eval('svg.tl-chart-svg rect.tl-chart-bar', (rects) => rects.map((r) => {
    const box = r.getBoundingClientRect();
    return { fill: getComputedStyle(r).fill, width: box.width, height: box.height };
  }));
}

test('the public page draws its charts without JavaScript, each with its table', { timeout: 2 * TIMEOUT }, async () => {
  await withPage(browser, `${TL}/impact`, async (page, response) => {
    assert.equal(response.status(), 200);
    const svgs = page.locator('svg.tl-chart-svg[role="img"]');
    assert.equal(await svgs.count(), 5);
    for (let i = 0; i < 5; i++) {
      const svg = svgs.nth(i);
      const title = await svg.locator('title').textContent();
      assert.ok(title.length > 0);
      const labelledBy = await svg.getAttribute('aria-labelledby');
      assert.equal(await svg.locator('title').getAttribute('id'), labelledBy);
      // its table follows, behind a details element
      const table = page.locator('figure.tl-chart').nth(i).locator('details table');
      assert.equal(await table.locator('caption').textContent(), `${title} : les données`);
    }
    const drawn = await bars(page);
    assert.ok(drawn.length > 0, 'the demo draws some bars');
    assert.ok(drawn.every((b) => b.height > 0 && b.width > 0));
    // the accessible name of the chart is its title
    const name = await page.getByRole('img', { name: 'Prêts par mois' }).count();
    assert.equal(name, 1);
  }, { javaScriptEnabled: false });
});

test('forced colors keep the bars visible, in a system colour', { timeout: 2 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await page.emulateMedia({ forcedColors: 'active' });
    await page.goto(`${TL}/impact`, { waitUntil: 'load' });
    const forced = await bars(page);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.ok(forced.length > 0);
    for (const b of forced) {
      assert.notEqual(b.fill, 'none');
      assert.notEqual(b.fill, background, 'a bar painted as the background would vanish');
      assert.ok(b.height > 0);
    }
    await noViolations(page, 'the impact page in forced colors');
  });
});

test('the annual report prints its tables and hides its controls', { timeout: 2 * TIMEOUT }, async () => {
  const logged = { storageState: await loginState(browser, 'admin.reseau', 'Semis-2026') };
  await withPage(browser, `${TL}/gestion/bilan?lieu=la-fabrique`, async (page) => {
    assert.match(await page.locator('h1').innerText(), /^Bilan \d{4} — /);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('form.tl-filters').isVisible(), false);
    const tables = page.locator('figure.tl-chart table.tl-chart-table');
    assert.equal(await tables.count(), 5);
    assert.ok(await tables.first().isVisible());
    assert.equal(await page.locator('figure.tl-chart details').count(), 0);
  }, logged);
});
