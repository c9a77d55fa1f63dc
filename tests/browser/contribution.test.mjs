// From user to contributor: a member's « Je veux aider » page and the
// référents' list of offers. Each page has no axe violation, reflows at
// 320 px and is used with the keyboard alone; offering, declining with a
// word and withdrawing work without JavaScript. The test makes its own offer
// and deletes it at the end, so the demo stays as it was and it can run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, logIn, memberLoginState, noViolations, reflows, tabTo, TL, TIMEOUT } from './helpers.mjs';

const MEMBER = 'A-000123';
const PASSWORD = 'Arrosoir-en-2026';
const SKILLS = 'Lecture de contes à voix haute (essai du navigateur)';
const WORD = 'Merci ! Revenez nous voir au printemps.';

let browser;
let member;
before(async () => {
  browser = await launch();
  member = await memberLoginState(browser, MEMBER, PASSWORD);
}, { timeout: 2 * TIMEOUT });
after(async () => { await browser?.close(); });

test('« Je veux aider »: no axe violation, 320 px, keyboard', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext({ storageState: member });
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/compte`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/compte\/aider$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: 'Je veux aider' }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Proposer mon aide/);
    assert.match(text, /Seuls les référents du lieu choisi le lisent/);
    assert.match(text, /L'équipe de l'accueil est au complet/);     // the demo's declined offer and its word
    await noViolations(page, 'the offer page');
    await reflows(page, 'the offer page');
    await page.goto(`${TL}/compte/aider`, { waitUntil: 'load' });
    await tabTo(page, /^Envoyer ma proposition$/);
  } finally {
    await context.close();
  }
});

test('the référents\' offers: no axe violation, 320 px, keyboard', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/benevolat?lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/gestion\/propositions/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: 'Propositions d\'aide' }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Réparation de vélos/);                      // the demo's offers at La Fabrique
    assert.match(text, /Petite électricité/);
    await noViolations(page, 'the offers of La Fabrique');
    await reflows(page, 'the offers of La Fabrique');
    await page.goto(`${TL}/gestion/propositions?lieu=la-fabrique`, { waitUntil: 'load' });
    await tabTo(page, /^Accepter/);
  } finally {
    await context.close();
  }
});

test('offering, declining with a word and withdrawing work without JavaScript', { timeout: 4 * TIMEOUT }, async () => {
  const mine = await browser.newContext({ storageState: member, javaScriptEnabled: false });
  const theirs = await browser.newContext({ javaScriptEnabled: false });
  const page = await mine.newPage();
  const admin = await theirs.newPage();
  try {
    await page.goto(`${TL}/compte/aider`, { waitUntil: 'load' });
    await page.selectOption('#lieu', 'mediatheque-jules-verne');
    await page.check('#activite-accueil');
    await page.fill('#competences', SKILLS);
    await page.fill('#disponibilites', 'le mercredi');
    await Promise.all([page.waitForURL(/fait=proposition/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: 'Envoyer ma proposition' }).click()]);
    assert.match(await page.locator('main').innerText(), /Votre proposition est envoyée/);

    await logIn(admin, 'admin.reseau', 'Semis-2026');
    await admin.goto(`${TL}/gestion/propositions?lieu=mediatheque-jules-verne`, { waitUntil: 'load' });
    const card = admin.locator('article', { hasText: SKILLS });
    await card.getByLabel(/Un mot pour la personne/).fill(WORD);
    await Promise.all([admin.waitForURL(/fait=declinee/, { waitUntil: 'load' }),
                       card.getByRole('button', { name: /Décliner/ }).click()]);
    assert.doesNotMatch(await admin.locator('main').innerText(), /essai du navigateur/);

    await page.goto(`${TL}/compte/aider`, { waitUntil: 'load' });
    const item = page.locator('li', { hasText: SKILLS });
    assert.match(await item.innerText(), /déclinée/);
    assert.match(await item.innerText(), /Revenez nous voir au printemps/);
    await Promise.all([page.waitForURL(/fait=retrait/, { waitUntil: 'load' }),
                       item.getByRole('button', { name: /Effacer cette proposition/ }).click()]);
    assert.doesNotMatch(await page.locator('main').innerText(), /essai du navigateur/);
  } finally {
    await mine.close();
    await theirs.close();
  }
});
