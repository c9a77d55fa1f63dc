// axe-core: every page of the brief has no violation of WCAG 2.1 A/AA
// (plus the RGAAv4 tag when this axe-core knows it: see helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowserWithPages, withPage, axe, formatViolations, AXE_TAGS, AXE_VERSION, TIMEOUT } from './helpers.mjs';

const shared = sharedBrowserWithPages();

test(`axe ${AXE_VERSION} [${AXE_TAGS.join(', ')}]: 0 violations`, { timeout: 30 * TIMEOUT }, async (t) => {
  for (const p of shared.pages) {
    await t.test(`${p.name} (${p.url})`, async () => {
      assert.ok(p.url, `${p.name}: no URL discovered`);
      await withPage(shared.browser, p.url, async (page, response) => {
        assert.equal(response.status(), p.status ?? 200, `${p.url}: HTTP status`);
        const violations = await axe(page);
        assert.equal(violations.length, 0,
          `${p.url}: ${violations.length} axe violation(s):\n${formatViolations(violations)}`);
      }, p.contextOptions);
    });
  }
});
