// Keyboard use of the catalogue: visible focus, skip link, search by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, allPages, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    desc: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`,
    outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth) || 0, boxShadow: cs.boxShadow,
    box: { x: r.x, y: r.y, w: r.width, h: r.height }, vw: innerWidth, vh: innerHeight,
    inMain: !!el.closest('main'), isSkip: el.classList.contains('tl-skip'), id: el.id,
  };
});

test('every Tab stop on the catalogue has a visible focus indicator', { timeout: 5 * TIMEOUT }, async () => {
  await withPage(browser, `${TL}/outils`, async (page) => {
    const seen = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f) break; // tabbed out of the document
      seen.push(f.desc);
      const visible = (f.outlineStyle !== 'none' && f.outlineWidth > 0) || (f.boxShadow && f.boxShadow !== 'none');
      assert.ok(visible, `Tab #${i + 1} on ${f.desc}: no focus indicator (outline ${f.outlineStyle} ${f.outlineWidth}px, box-shadow ${f.boxShadow})`);
    }
    assert.ok(seen.length >= 15, `expected at least 15 Tab stops, got ${seen.length}`);
  });
});

test('every page: each Tab stop has a visible focus indicator', { timeout: 30 * TIMEOUT }, async (t) => {
  const { pages } = await allPages(browser);
  for (const p of pages) {
    await t.test(`${p.name} (${p.url})`, async () => {
      await withPage(browser, p.url, async (page) => {
        let stops = 0;
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press('Tab');
          const f = await focused(page);
          if (!f) break;
          stops++;
          const visible = (f.outlineStyle !== 'none' && f.outlineWidth > 0) || (f.boxShadow && f.boxShadow !== 'none');
          assert.ok(visible, `Tab #${i + 1} on ${f.desc}: no focus indicator`);
        }
        assert.ok(stops >= (p.tabStops ?? 3), `expected Tab stops on ${p.url}, got ${stops}`);
      }, p.contextOptions);
    });
  }
});

test('the skip link shows when focused and Enter moves focus to main', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, `${TL}/outils`, async (page) => {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.ok(f?.isSkip, `first Tab stop is the skip link (got ${f?.desc})`);
    const { x, y, w, h } = f.box;
    assert.ok(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= f.vw && y + h <= f.vh,
      `focused skip link inside the viewport (box ${JSON.stringify(f.box)})`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.closest('main'));
    const after = await focused(page);
    assert.ok(after?.inMain, `focus moved to/into main (got ${after?.desc})`);
    assert.match(page.url(), /#contenu$/);
  });
});

test('search with the keyboard only: type, Enter, results change', { timeout: 3 * TIMEOUT }, async () => {
  await withPage(browser, `${TL}/outils`, async (page) => {
    const heading = page.locator('#resultats-titre');
    const before = (await heading.innerText()).trim();
    // Skip link, Enter, then Tab to the search field.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    for (let i = 0; i < 10 && (await focused(page))?.id !== 'q'; i++) await page.keyboard.press('Tab');
    assert.equal((await focused(page))?.id, 'q', 'the search field is reached by Tab after the skip link');
    await page.keyboard.type('perceuse');
    await Promise.all([page.waitForURL(/[?&]q=perceuse/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /[?&]q=perceuse/);
    const afterText = (await heading.innerText()).trim();
    assert.match(afterText, /objets?\b/, `results heading mentions "objet": ${afterText}`);
    assert.notEqual(afterText, before, 'result count changed');
    assert.equal(await page.inputValue('#q'), 'perceuse', 'the field keeps the query');
    const titles = await page.locator('.tl-card h3').allInnerTexts();
    assert.ok(titles.length > 0 && titles.some((s) => /perceuse/i.test(s)), `a perceuse is found: ${titles}`);
  });
});
