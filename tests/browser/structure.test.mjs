// Structure of every full page: lang, one h1, main, skip link first in the
// tab order with an existing target, header/nav/footer on our own layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowserWithPages, withPage, autofocused, TIMEOUT } from './helpers.mjs';

const shared = sharedBrowserWithPages();

test('page structure', { timeout: 30 * TIMEOUT }, async (t) => {
  for (const p of shared.pages) {
    await t.test(`${p.name} (${p.url})`, async () => {
      await withPage(shared.browser, p.url, async (page, response) => {
        assert.equal(response.status(), p.status ?? 200, `${p.url}: HTTP status`);
        const s = await page.evaluate(() => ({
          lang: document.documentElement.getAttribute('lang'),
          title: document.title.trim(),
          h1: document.querySelectorAll('h1').length,
          main: document.querySelectorAll('main, [role="main"]').length,
          header: !!document.querySelector('body > header, .tl-header'),
          nav: !!document.querySelector('header nav[aria-label], nav.tl-nav'),
          footer: !!document.querySelector('body > footer, .tl-footer'),
        }));
        assert.equal(s.lang, 'fr', 'html[lang="fr"]');
        assert.ok(s.title, 'non-empty <title>');
        assert.equal(s.h1, 1, 'exactly one h1');
        assert.equal(s.main, 1, 'exactly one main landmark');
        if (p.layout === 'module') {
          assert.ok(s.header, 'header');
          assert.ok(s.nav, 'nav with an aria-label inside the header');
          assert.ok(s.footer, 'footer');
        }
        // A desk form waits with the focus on its first field (autofocus):
        // the skip link is the first Tab stop once the focus leaves it.
        if (p.autofocus) {
          await autofocused(page, p.autofocus);
          await page.evaluate(() => {
            const start = document.createElement('span');   // Tab starts from the top again
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
          });
        }
        // The embed view in another site's frame: nothing before its
        // content, so no skip link (a link to "#…" would leave the frame,
        // its links opening in the whole window); its first Tab stop is
        // in main, or its footer's link to the full page.
        if (p.layout === 'embed') {
          if (!p.status) assert.ok(s.footer, 'footer linking to the full page');
          assert.equal(await page.$('.tl-skip, form, .tl-header'), null, 'no skip link, form or header');
          await page.keyboard.press('Tab');
          const first = await page.evaluate(() => document.activeElement?.closest('main, footer')?.tagName ?? null);
          assert.ok(first, `the first Tab stop is in main or the footer (got ${first})`);
          return;
        }
        // The first Tab from a fresh page lands on the skip link.
        await page.keyboard.press('Tab');
        const skip = await page.evaluate(() => {
          const a = document.activeElement;
          const href = a?.getAttribute('href') || '';
          const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
          return {
            tag: a?.tagName, href, text: a?.textContent.trim(),
            target: !!target, targetIsMain: !!target && (target.matches('main') || !!target.closest('main')),
          };
        });
        assert.equal(skip.tag, 'A', `first focusable is a link (got ${skip.tag})`);
        assert.match(skip.href, /^#./, 'skip link points to an anchor in the page');
        assert.match(skip.text, /contenu/i, 'skip link says where it goes');
        assert.ok(skip.target, `skip link target ${skip.href} exists`);
        assert.ok(skip.targetIsMain, `skip link target ${skip.href} is (in) main`);
      }, p.contextOptions);
    });
  }
});

// RGAA 9.1.1 / WCAG 1.3.1: a heading hierarchy without skipped levels.
test('heading levels are not skipped', { timeout: 30 * TIMEOUT }, async (t) => {
  for (const p of shared.pages) {
    await t.test(`${p.name} (${p.url})`, async () => {
      await withPage(shared.browser, p.url, async (page) => {
        const hs = await page.$$eval('h1,h2,h3,h4,h5,h6', (els) =>
          els.map((h) => ({ level: Number(h.tagName[1]), text: h.textContent.trim().slice(0, 50) })));
        assert.equal(hs[0]?.level, 1, 'the first heading is the h1');
        for (let i = 1; i < hs.length; i++) {
          assert.ok(hs[i].level <= hs[i - 1].level + 1,
            `h${hs[i - 1].level} "${hs[i - 1].text}" is followed by h${hs[i].level} "${hs[i].text}"`);
        }
      }, p.contextOptions);
    });
  }
});
