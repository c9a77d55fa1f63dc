// A static host page including our catalogue through mod_include.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, axe, formatViolations, BASE, TIMEOUT } from './helpers.mjs';

const URL_ = `${BASE}/exemple-inclusion.shtml`;
let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('fragment: one h1 (the host\'s), included headings start at h2, no script', { timeout: 2 * TIMEOUT }, async () => {
  await withPage(browser, URL_, async (page, response) => {
    assert.equal(response.status(), 200);
    const r = await page.evaluate(() => {
      const frag = document.querySelector('main .tl');
      const levels = frag ? [...frag.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1])) : [];
      const h1 = [...document.querySelectorAll('h1')];
      return {
        found: !!frag,
        h1: h1.length, h1InFragment: h1.some((h) => frag?.contains(h)),
        levels,
        scripts: frag ? frag.querySelectorAll('script, [onclick], [onload], [onsubmit]').length : -1,
        html: !!frag?.closest('body') && !frag.querySelector('html, head, body, main'),
      };
    });
    assert.ok(r.found, 'the included .tl block is in main');
    assert.equal(r.h1, 1, 'exactly one h1');
    assert.ok(!r.h1InFragment, 'the h1 is the host page\'s, not ours');
    assert.ok(r.levels.length > 0, 'the fragment has headings');
    assert.equal(r.levels[0], 2, `first included heading is h2 (levels ${r.levels})`);
    assert.ok(Math.min(...r.levels) >= 2, `no included heading above h2 (levels ${r.levels})`);
    for (let i = 1; i < r.levels.length; i++) {
      assert.ok(r.levels[i] <= r.levels[i - 1] + 1, `no skipped heading level (levels ${r.levels})`);
    }
    assert.equal(r.scripts, 0, 'no script or inline handler inside the included part');
    assert.ok(r.html, 'the included part is a fragment (no html/head/body/main of its own)');
  });
});

test('fragment: axe 0 violations', { timeout: 2 * TIMEOUT }, async () => {
  await withPage(browser, URL_, async (page) => {
    const violations = await axe(page);
    assert.equal(violations.length, 0, `${URL_}: ${violations.length} axe violation(s):\n${formatViolations(violations)}`);
  });
});
