// The catalogue works without JavaScript: plain GET form and links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, allPages, loginState, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

const count = async (page) => {
  const text = await page.locator('#resultats-titre').innerText();
  const m = text.match(/(\d+)\s+objets?/);
  assert.ok(m, `result heading has a count: ${text}`);
  return Number(m[1]);
};

test('without JavaScript: search, filter and paginate', { timeout: 5 * TIMEOUT }, async () => {
  await withPage(browser, `${TL}/outils`, async (page) => {
    const total = await count(page);

    await page.fill('#q', 'perceuse');
    await page.check('#dispo');
    await Promise.all([page.waitForURL(/[?&]q=perceuse/, { waitUntil: 'load' }),
      page.click('.tl-filters button[type="submit"]')]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('q'), 'perceuse');
    assert.equal(url.searchParams.get('dispo'), '1');
    assert.ok(await page.isChecked('#dispo'), 'the box stays checked');
    const n = await count(page);
    assert.ok(n > 0 && n < total, `filtered results: ${n} of ${total}`);
    const states = await page.locator('.tl-card .tl-state').allInnerTexts();
    assert.equal(states.length, n);
    for (const s of states) assert.match(s, /^Disponible/, `only available items: ${s}`);

    // Filter only (clear the words) so that there are several pages, then
    // follow the "next page" link.
    await page.fill('#q', '');
    await page.selectOption('#tri', 'titre');
    await Promise.all([page.waitForURL((u) => !u.searchParams.get('q'), { waitUntil: 'load' }),
      page.click('.tl-filters button[type="submit"]')]);
    const next = page.locator('.tl-pagination a[rel="next"]');
    assert.equal(await next.count(), 1, 'a "Page suivante" link');
    const first = await page.locator('.tl-card h3').allInnerTexts();
    await Promise.all([page.waitForURL(/[?&]page=2\b/, { waitUntil: 'load' }), next.click()]);
    const u2 = new URL(page.url());
    assert.equal(u2.searchParams.get('page'), '2');
    assert.equal(u2.searchParams.get('dispo'), '1', 'the filter is kept across pages');
    assert.match(await page.locator('.tl-pagination').innerText(), /Page 2 sur \d+/);
    // Accessible name (not innerText: the visually hidden "Page " is a block).
    const current = page.locator('.tl-pagination').getByRole('link', { name: 'Page 2', exact: true });
    assert.equal(await current.getAttribute('aria-current'), 'page', 'link "Page 2" is aria-current="page"');
    const second = await page.locator('.tl-card h3').allInnerTexts();
    assert.ok(second.length > 0 && !second.some((s) => first.includes(s)), 'page 2 shows other items');
  }, { javaScriptEnabled: false });
});

test('without JavaScript: every page of the brief opens, the desk and back-office ones too', { timeout: 30 * TIMEOUT }, async (t) => {
  const { pages } = await allPages(browser);
  for (const p of pages) {
    if (p.layout !== 'module') continue;
    await t.test(`${p.name} (${p.url})`, async () => {
      await withPage(browser, p.url, async (page, response) => {
        assert.equal(response.status(), p.status ?? 200, `${p.url}: HTTP status`);
        assert.equal(await page.locator('h1').count(), 1);
        // Every form is a plain form the browser submits by itself.
        for (const form of await page.locator('main form').all()) {
          assert.match(await form.getAttribute('method') ?? 'get', /^(get|post)$/);
        }
      }, { ...(p.contextOptions || {}), javaScriptEnabled: false });
    });
  }
});

test('without JavaScript: an outflow recorded at the desk, a report asked for', { timeout: 5 * TIMEOUT }, async () => {
  const logged = { storageState: await loginState(browser, 'referente.fabrique', 'Perceuse-2026') };
  await withPage(browser, `${TL}/guichet/ressourcerie/sorties`, async (page) => {
    await page.selectOption('#destination', 'don_reemploi');
    await page.fill('#partenaire', 'Secours populaire');
    await page.fill('#categorie', 'j');
    await page.fill('#poids', '3,25');
    await Promise.all([page.waitForURL(/fait=1/, { waitUntil: 'load' }), page.click('main form[method="post"] button')]);
    assert.match(await page.locator('main').innerText(), /Sortie enregistrée/);
    assert.equal(await page.inputValue('#partenaire'), 'Secours populaire');
    await page.goto(`${TL}/gestion/ressourcerie/bilan?lieu=la-fabrique`, { waitUntil: 'load' });
    await page.selectOption('#periode', 'annee');
    await Promise.all([page.waitForURL(/periode=annee/, { waitUntil: 'load' }),
      page.click('main form.tl-filters button')]);
    assert.match(await page.locator('h1').innerText(), /année \d{4}/);
    assert.match(await page.locator('main').innerText(), /Secours populaire|Don pour le réemploi/);
  }, { ...logged, javaScriptEnabled: false });
});
