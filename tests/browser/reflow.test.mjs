// Reflow (WCAG 1.4.10): no horizontal scrolling at 320 CSS px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, discover, TL, TIMEOUT } from './helpers.mjs';

let browser;
let item;
before(async () => {
  browser = await launch();
  item = (await discover(browser)).tools.loan; // the longest state text
}, { timeout: 3 * TIMEOUT });
after(async () => { await browser?.close(); });

for (const [name, url] of [['catalogue', () => `${TL}/outils`], ['objet', () => item], ['graines', () => `${TL}/graines`],
  // The embed view, in a frame as narrow as a phone's column.
  ['catalogue intégré', () => `${TL}/outils?q=perceuse&vue=integree`], ['objet intégré', () => `${item}?vue=integree`],
  ['agenda intégré', () => `${TL}/agenda?vue=integree`], ['ressourcerie intégrée', () => `${TL}/ressourcerie?vue=integree`],
  ['impact intégré', () => `${TL}/impact?vue=integree`]]) {
  test(`reflow at 320 px: ${name}`, { timeout: 2 * TIMEOUT }, async () => {
    assert.ok(url(), `${name}: no URL`);
    await withPage(browser, url(), async (page) => {
      const r = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [...document.body.querySelectorAll('*')]
          .filter((el) => el.getBoundingClientRect().right > vw + 1)
          .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} (right ${Math.round(el.getBoundingClientRect().right)})`);
        return { sw: document.documentElement.scrollWidth, vw, wide };
      });
      assert.ok(r.sw <= 320, `${url()}: scrollWidth ${r.sw} > 320; too wide: ${r.wide.join(', ')}`);
    }, { viewport: { width: 320, height: 640 } });
  });
}
