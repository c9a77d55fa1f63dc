// The embed view in another site's page, as WordPress shows it: the
// iframe our oEmbed endpoint answers, filtered as WordPress filters a
// provider it discovered (sandbox="allow-scripts", a secret), in a host
// page running WordPress's own wp-embed.js from Debian's package (read at
// test time, never copied into the repository). The frame's height
// follows the view's content, a click on a link opens the full page in
// the whole window, and a host the installation does not allow gets no
// frame at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { launch, openPage, BASE, TL, TIMEOUT } from './helpers.mjs';

const WP_EMBED = '/usr/share/wordpress/wp-includes/js/wp-embed.js';
const SECRET = 'Ab3dE5gH9k';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

// The iframe of our oEmbed answer for url, as WordPress puts it in a post
// (wp_filter_oembed_result: its class, the sandbox, the secret in the
// frame's address), at the height a frame has before anyone sets it.
async function wordpressFrame(url, width) {
  const r = await fetch(`${TL}/oembed?url=${encodeURIComponent(url)}&format=json&maxwidth=${width}`);
  assert.equal(r.status, 200);
  const data = await r.json();
  assert.equal(data.type, 'rich');
  return data.html
    .replace(/ height="\d+"/, ' height="150"')
    .replace(/ src="([^"]*)"/, ` src="$1#?secret=${SECRET}" data-secret="${SECRET}"`)
    .replace('<iframe', '<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"');
}

// A host page at origin, served by the test itself (the request never
// leaves the browser), with wp-embed.js at its end, as WordPress adds it.
async function hostPage(origin, frame) {
  assert.ok(existsSync(WP_EMBED), `${WP_EMBED} is missing: install wordpress (script/test does, TL_TEST_PACKAGES)`);
  const { context, page } = await openPage(browser, null, { viewport: { width: 1000, height: 800 } });
  await context.route(`${origin}/hote/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/hote/wp-embed.js') {
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(WP_EMBED) });
    }
    return route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Médiathèque</title></head>'
        + `<body><h1>Nos outils à emprunter</h1><div id="embed">${frame}</div>`
        + '<script src="/hote/wp-embed.js"></script></body></html>',
    });
  });
  await page.goto(`${origin}/hote/page.html`, { waitUntil: 'load' });
  return { context, page };
}

const frameHeight = (page) => page.$eval('iframe.wp-embedded-content', (f) => Number(f.getAttribute('height')));
// What wp-embed.js makes of a height it is told: 200 to 1,000 pixels.
const clamp = (h) => Math.min(1000, Math.max(200, h));

async function viewHeight(page) {
  const frame = page.frames().find((f) => f.url().includes('vue=integree'));
  assert.ok(frame, 'the embed view is in a frame');
  return frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
}

async function followsContent(page) {
  let want;
  await page.waitForFunction(() => Number(document.querySelector('iframe.wp-embedded-content').getAttribute('height')) !== 150,
    null, { timeout: 15_000 });
  // The frame's height is the view's (within WordPress's bounds), after
  // the view's images and fonts settled.
  for (let i = 0; i < 50; i++) {
    want = clamp(await viewHeight(page));
    if (await frameHeight(page) === want) break;
    await page.waitForTimeout(100);
  }
  assert.equal(await frameHeight(page), want, 'the frame is as tall as the view');
  return want;
}

test('WordPress\'s wp-embed.js follows the height of the embed view', { timeout: 3 * TIMEOUT }, async () => {
  const search = `${TL}/outils?q=ponceuse`;     // two cards: the view stays within 1,000 px
  const { context, page } = await hostPage(BASE, await wordpressFrame(search, 640));
  try {
    const wide = await followsContent(page);
    assert.ok(wide > 150 && wide < 1000, `the frame grew, to less than WordPress's most (${wide} px)`);
    // Narrower, the cards wrap and the view grows: the frame follows.
    await page.$eval('iframe.wp-embedded-content', (f) => { f.width = '320'; });
    await page.waitForFunction((h) => Number(document.querySelector('iframe.wp-embedded-content').getAttribute('height')) !== h,
      wide, { timeout: 15_000 });
    const narrow = await followsContent(page);
    assert.ok(narrow > wide || narrow === 1000, `narrower is taller (${wide} then ${narrow} px)`);
    // A click on a card's link: the sandbox keeps the frame from leaving,
    // the view asks the host, and wp-embed.js opens the full page in the
    // whole window.
    const frame = page.frames().find((f) => f.url().includes('vue=integree'));
    const href = await frame.$eval('main .tl-card h3 a', (a) => a.href);
    assert.match(href, /\/tierslieux\/outils\/\d+$/);
    await Promise.all([page.waitForURL(href, { timeout: 15_000 }), frame.click('main .tl-card h3 a')]);
    assert.ok(await page.$('.tl-header'), 'the full page, with the site\'s header');
  } finally {
    await context.close();
  }
});

test('a site the installation does not name gets no frame', { timeout: 2 * TIMEOUT }, async () => {
  const { context, page } = await hostPage('http://mediatheque-inconnue.test', await wordpressFrame(`${TL}/agenda`, 640));
  try {
    await page.waitForTimeout(1000);
    assert.equal(await frameHeight(page), 150, 'nothing told the host a height');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const title = await frame.evaluate(() => document.title).catch(() => '');
    assert.ok(!/agenda/i.test(title), `the view was not shown (frame ${frame.url()}, title « ${title} »)`);
  } finally {
    await context.close();
  }
});
