// Shared helpers of the browser tests: Debian's Chromium through
// playwright-core (never a downloaded browser), page discovery, axe.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { before, after } from 'node:test';

export const BASE = (process.env.TL_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const TL = `${BASE}/tierslieux`;
export const TIMEOUT = 60_000; // generous: a loaded 2-core machine

const require = createRequire(import.meta.url);
const axeCore = require('axe-core');
export const AXE_VERSION = axeCore.version;
// axe-core >= 4.11 tags its rules with 'RGAAv4' (the French RGAA 4
// mapping): 4.13.0 here knows 67 such rules, so the tag is used. Older
// versions without it just get the WCAG tags.
export const HAS_RGAA = axeCore.getRules(['RGAAv4']).length > 0;
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', ...(HAS_RGAA ? ['RGAAv4'] : [])];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.TL_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: TIMEOUT,
  });
}

// A fresh context and page; close the context when done.
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  const response = url ? await page.goto(url, { waitUntil: 'load' }) : null;
  return { context, page, response };
}

// Runs fn(page, response, context) in a fresh context (url null: no page
// loaded yet), always closing it.
export async function withPage(browser, url, fn, contextOptions) {
  const { context, page, response } = await openPage(browser, url, contextOptions);
  try { return await fn(page, response, context); } finally { await context.close(); }
}

export function formatViolations(violations) {
  return violations.map((v) => {
    const n = v.nodes[0];
    return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.length} node(s), first: ${JSON.stringify(n?.target)}\n    ${n?.failureSummary?.replace(/\n/g, ' | ') ?? ''}\n    ${v.helpUrl}`;
  }).join('\n');
}

export async function axe(page, include) {
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  if (include) builder = builder.include(include);
  return (await builder.analyze()).violations;
}

async function hrefs(browser, url, selector) {
  return withPage(browser, url, (page) =>
    page.$$eval(selector, (as) => as.map((a) => a.getAttribute('href'))));
}

// Discovers the dynamic URLs from the pages' own links: place slugs, a seed
// id, and one tool of each state (available, on loan, under maintenance),
// walking the catalogue's pagination until all three are found.
export async function discover(browser) {
  const places = await hrefs(browser, `${TL}/lieux`, 'main a[href*="/lieux/"]');
  const seeds = await hrefs(browser, `${TL}/graines`, 'main a[href*="/graines/"]');
  const sessions = (await hrefs(browser, `${TL}/reparation`, 'main .tl-card h3 a[href*="/reparation/"]'));
  const events = (await hrefs(browser, `${TL}/agenda?type=atelier`, 'main .tl-card h3 a[href*="/agenda/"]'));
  const tools = {};
  let url = `${TL}/outils`;
  for (let i = 0; url && i < 20 && Object.keys(tools).length < 3; i++) {
    const found = await withPage(browser, url, (page) => page.evaluate(() => {
      const out = {};
      for (const card of document.querySelectorAll('.tl-card')) {
        const a = card.querySelector('h3 a, h4 a');
        for (const s of ['available', 'loan', 'maintenance']) {
          if (a && card.querySelector(`.tl-state-${s}`)) out[s] ??= a.getAttribute('href');
        }
      }
      const next = [...document.querySelectorAll('a[href*="page="]')]
        .find((a) => /suivante/i.test(a.textContent) || a.getAttribute('rel') === 'next');
      return { out, next: next ? next.href : null };
    }));
    for (const [k, v] of Object.entries(found.out)) tools[k] ??= v;
    url = found.next;
  }
  const abs = (h) => new URL(h, BASE).href;
  return {
    places: [...new Set(places)].map(abs),
    seed: seeds.length ? abs(seeds[0]) : null,
    session: sessions.length ? abs(sessions[0]) : null,
    event: events.length ? abs(events[0]) : null,
    tools: Object.fromEntries(Object.entries(tools).map(([k, v]) => [k, abs(v)])),
  };
}

// Logs a page in through the login form, as a volunteer does.
export async function logIn(page, user, password) {
  await page.goto(`${TL}/connexion`, { waitUntil: 'load' });
  await page.fill('#identifiant', user);
  await page.fill('#mot-de-passe', password);
  await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
}

// Fails with the violations listed when axe finds any on the page.
// Dates relative to the day the tests run, so that no test ages: the day
// n days from today (UTC), as a form's field wants it and as the pages
// write it in French.
export function daysFromToday(n) {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + n));
}
export const isoDate = (d) => d.toISOString().slice(0, 10);
export const frenchDate = (d) =>
  new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);

// A page opened with its focus on a field (autofocus) or a button: the
// browser moves the focus at its next rendering step, which can come after
// 'load' on a loaded machine, so wait for it (bounded) before typing.
// `target` is an element id, or { text } for a button's label.
export async function autofocused(page, target) {
  const want = typeof target === 'string' ? { id: target } : target;
  try {
    await page.waitForFunction((w) => {
      const a = document.activeElement;
      return w.id ? a?.id === w.id : a?.textContent?.trim() === w.text;
    }, want, { timeout: 10_000 });
  } catch {
    const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
    assert.fail(`the focus should be on ${JSON.stringify(want)}, it is on ${where}`);
  }
}

export async function noViolations(page, what) {
  const v = await axe(page);
  assert.equal(v.length, 0, `${what}: ${formatViolations(v)}`);
}

// Fails when the page is wider than 320 px (WCAG 1.4.10), then puts the
// viewport back.
export async function reflows(page, what) {
  await page.setViewportSize({ width: 320, height: 640 });
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= 320, `${what}: scrollWidth ${sw} > 320 at 320 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

// Presses Tab until the focus is on the element whose text (trimmed)
// matches `want`; fails after `max` presses.
export async function tabTo(page, want, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (want.test(text)) return;
  }
  assert.fail(`Tab never reached ${want}`);
}

// Logs in through the login form; the cookies, for pages behind it
// (contextOptions: { storageState }).
export async function loginState(browser, user, password) {
  const { context, page } = await openPage(browser, `${TL}/connexion`);
  try {
    await page.fill('#identifiant', user);
    await page.fill('#mot-de-passe', password);
    await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

// The same for a member's account (« Mon compte »): number and password.
export async function memberLoginState(browser, number, password) {
  const { context, page } = await openPage(browser, `${TL}/compte/connexion`);
  try {
    await page.fill('#numero', number);
    await page.fill('#mot-de-passe', password);
    await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

// Every page of the brief. layout: 'module' (our header/nav/footer),
// 'host' (the town hall wraps our content), 'fragment' (mod_include).
export async function allPages(browser) {
  const d = await discover(browser);
  const dispo2 = await withPage(browser, `${TL}/outils?dispo=1&page=2`, (_p, r) => r.status());
  const pages = [
    { name: 'accueil', url: `${TL}/`, layout: 'module' },
    { name: 'lieux', url: `${TL}/lieux`, layout: 'module' },
    ...d.places.map((u) => ({ name: `lieu ${new URL(u).pathname.split('/').pop()}`, url: u, layout: 'module' })),
    { name: 'catalogue', url: `${TL}/outils`, layout: 'module' },
    { name: 'catalogue q=perseuse', url: `${TL}/outils?q=perseuse`, layout: 'module' },
    { name: 'catalogue dispo', url: dispo2 === 200 ? `${TL}/outils?dispo=1&page=2` : `${TL}/outils?dispo=1`, layout: 'module' },
    ...Object.entries(d.tools).map(([s, u]) => ({ name: `objet ${s}`, url: u, layout: 'module' })),
    { name: 'graines', url: `${TL}/graines`, layout: 'module' },
    { name: 'variété', url: d.seed, layout: 'module' },
    { name: 'repair café', url: `${TL}/reparation`, layout: 'module' },
    { name: 'séance', url: d.session, layout: 'module' },
    { name: 'séance réserver', url: `${d.session}/reserver`, layout: 'module' },
    { name: 'agenda', url: `${TL}/agenda`, layout: 'module' },
    { name: 'agenda filtré', url: `${TL}/agenda?type=troc_graines&lieu=mediatheque-jules-verne`, layout: 'module' },
    { name: 'événement', url: d.event, layout: 'module' },
    { name: 'événement réserver', url: `${d.event}/reserver`, layout: 'module' },
    { name: 'ressourcerie', url: `${TL}/ressourcerie`, layout: 'module' },
    { name: 'données ouvertes', url: `${TL}/donnees-ouvertes`, layout: 'module' },
    { name: 'impact', url: `${TL}/impact`, layout: 'module' },
    { name: 'impact du lieu', url: `${TL}/impact?lieu=la-fabrique`, layout: 'module' },
    { name: 'impact erreur 404', url: `${TL}/impact?lieu=nulle-part`, layout: 'module', status: 404 },
    { name: 'témoignages', url: `${TL}/temoignages`, layout: 'module' },
    { name: 'témoignages filtrés', url: `${TL}/temoignages?lieu=la-fabrique&activite=reparation`, layout: 'module' },
    { name: 'retrait d\'un témoignage', url: `${TL}/temoignages/retrait`, layout: 'module' },
    { name: 'erreur 404', url: `${TL}/outils/999999`, layout: 'module', status: 404 },
    { name: 'erreur 400', url: `${TL}/outils?page=x`, layout: 'module', status: 400 },
    { name: 'mairie catalogue', url: `${BASE}/mairie/partage/outils`, layout: 'host' },
    { name: 'mairie accueil', url: `${BASE}/mairie/partage/`, layout: 'host' },
    { name: 'mairie ressourcerie', url: `${BASE}/mairie/partage/ressourcerie`, layout: 'host' },
    { name: 'inclusion shtml', url: `${BASE}/exemple-inclusion.shtml`, layout: 'fragment' },
    { name: 'connexion', url: `${TL}/connexion`, layout: 'module' },
    { name: 'connexion erreur', url: `${TL}/connexion?erreur=1`, layout: 'module' },
    // The embed view another site frames (?vue=integree): a document of
    // its own, no header, no skip link (nothing comes before its content),
    // no form; tabStops: the fewest links a page of it has.
    { name: 'intégrée catalogue', url: `${TL}/outils?q=perceuse&vue=integree`, layout: 'embed' },
    { name: 'intégrée objet', url: `${d.tools.loan}?vue=integree`, layout: 'embed' },
    { name: 'intégrée agenda', url: `${TL}/agenda?vue=integree`, layout: 'embed' },
    { name: 'intégrée événement', url: `${d.event}?vue=integree`, layout: 'embed' },
    { name: 'intégrée séance', url: `${d.session}?vue=integree`, layout: 'embed' },
    { name: 'intégrée ressourcerie', url: `${TL}/ressourcerie?vue=integree`, layout: 'embed', tabStops: 2 },
    { name: 'intégrée impact du lieu', url: `${TL}/impact?lieu=la-fabrique&vue=integree`, layout: 'embed' },
    { name: 'intégrée erreur 404', url: `${TL}/outils/999999?vue=integree`, layout: 'embed', status: 404,
      tabStops: 0 },
  ];
  // Pages of the desk and the back office, logged in (contextOptions);
  // autofocus: the field a desk form puts the focus on, instead of the
  // skip link.
  const logged = { storageState: await loginState(browser, 'admin.reseau', 'Semis-2026') };
  pages.push(
    { name: 'guichet sorties', url: `${TL}/guichet/ressourcerie/sorties?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged, autofocus: 'categorie' },
    { name: 'guichet arrivage', url: `${TL}/guichet/ressourcerie/arrivage?n=1`, layout: 'module',
      contextOptions: logged, autofocus: 'categorie' },
    { name: 'guichet caisse', url: `${TL}/guichet/ressourcerie/caisse?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged, autofocus: 'article-1' },
    { name: 'guichet ticket', url: `${TL}/guichet/ressourcerie/ticket?n=1`, layout: 'module', contextOptions: logged },
    { name: 'guichet stock', url: `${TL}/guichet/ressourcerie/stock?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'guichet objet de la ressourcerie', url: `${TL}/guichet/ressourcerie/objet?n=R00002`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bilan', url: `${TL}/gestion/ressourcerie/bilan?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bilan annuel', url: `${TL}/gestion/ressourcerie/bilan?lieu=la-fabrique&periode=annee`,
      layout: 'module', contextOptions: logged },
    { name: 'gestion bilan imprimable',
      url: `${TL}/gestion/ressourcerie/bilan?lieu=la-fabrique&periode=annee&imprimer=1`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion filières', url: `${TL}/gestion/ressourcerie/filieres?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bilan erreur 400', url: `${TL}/gestion/ressourcerie/bilan?periode=semaine`, layout: 'module',
      contextOptions: logged, status: 400 },
    { name: 'guichet bénévolat', url: `${TL}/guichet/benevolat?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bénévolat', url: `${TL}/gestion/benevolat?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion heures de bénévolat', url: `${TL}/gestion/benevolat/heures?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'guichet témoignages', url: `${TL}/guichet/temoignages?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion témoignages', url: `${TL}/gestion/temoignages?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bilan de l\'année', url: `${TL}/gestion/bilan?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion bilan du réseau', url: `${TL}/gestion/bilan`, layout: 'module', contextOptions: logged },
    { name: 'gestion bilan de l\'année imprimable', url: `${TL}/gestion/bilan?lieu=la-fabrique&imprimer=1`,
      layout: 'module', contextOptions: logged },
    { name: 'gestion propositions d\'aide', url: `${TL}/gestion/propositions?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'guichet charte du lieu', url: `${TL}/guichet/charte?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
    { name: 'gestion ateliers proposés', url: `${TL}/gestion/ateliers?lieu=la-fabrique`, layout: 'module',
      contextOptions: logged },
  );
  // A member's page (« Mon compte »): the offer to help, with the demo's
  // own offer listed.
  const member = { storageState: await memberLoginState(browser, 'A-000123', 'Arrosoir-en-2026') };
  pages.push(
    { name: 'compte je veux aider', url: `${TL}/compte/aider`, layout: 'module', contextOptions: member },
  );
  // The demo's workshop proposal waiting for an answer.
  const proposals = await withPage(browser, `${TL}/gestion/ateliers?lieu=la-fabrique`, (page) =>
    page.$$eval('main a[href*="proposition?n="]', (as) => as.map((a) => a.href)), logged);
  if (proposals.length) {
    pages.push({ name: 'gestion proposition d\'atelier', url: proposals[0], layout: 'module', contextOptions: logged });
  }
  return { pages, discovered: d };
}

// One browser for a test file, with every page of the brief discovered:
// the file reads shared.browser and shared.pages once before() has run.
export function sharedBrowserWithPages() {
  const shared = {};
  before(async () => {
    shared.browser = await launch();
    ({ pages: shared.pages } = await allPages(shared.browser));
  }, { timeout: 5 * TIMEOUT });
  after(async () => { await shared.browser?.close(); });
  return shared;
}
