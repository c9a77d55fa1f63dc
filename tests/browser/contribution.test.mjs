// From user to contributor: a member's « Je veux aider » page and the
// référents' list of offers. Each page has no axe violation, reflows at
// 320 px and is used with the keyboard alone; offering, declining with a
// word and withdrawing work without JavaScript; an accepted offer brings the
// new volunteer to the place's charter at their first login, accepted
// without JavaScript. The tests make their own offers and delete them at the
// end (the charter and the role they set are put back; the volunteer's
// account, with a login of its own each run, stays without a role), so the
// demo stays as it was and they can run again.
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

test('an accepted offer: the new volunteer accepts the charter first, without JavaScript', { timeout: 8 * TIMEOUT }, async () => {
  const PLACE = 'tiers-lieu-lakour';
  const OFFER = `Animation d'ateliers (essai de la charte ${Date.now()})`;
  const LOGIN = `essai.charte.${Date.now()}`;
  const NEW_PASSWORD = 'Charte-du-lieu-2026';
  const mine = await browser.newContext({ storageState: member });
  const theirs = await browser.newContext();
  const page = await mine.newPage();
  const admin = await theirs.newPage();
  let charter = null;
  try {
    await page.goto(`${TL}/compte/aider`, { waitUntil: 'load' });
    await page.selectOption('#lieu', PLACE);
    await page.check('#activite-accueil');
    await page.fill('#competences', OFFER);
    await Promise.all([page.waitForURL(/fait=proposition/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: 'Envoyer ma proposition' }).click()]);

    // The place gets a charter for the test; the offer is accepted under a login of its own.
    await logIn(admin, 'admin.reseau', 'Semis-2026');
    await admin.goto(`${TL}/gestion/lieu?lieu=${PLACE}`, { waitUntil: 'load' });
    charter = await admin.inputValue('#charte');
    await admin.fill('#charte', 'Nous accueillons chacun et chacune.\nNous prenons soin des outils.');
    await Promise.all([admin.waitForURL(/fait=/, { waitUntil: 'load' }),
                       admin.getByRole('button', { name: 'Enregistrer le lieu' }).click()]);
    await admin.goto(`${TL}/gestion/propositions?lieu=${PLACE}`, { waitUntil: 'load' });
    const card = admin.locator('article', { hasText: OFFER });
    await card.getByLabel('Identifiant de son compte de bénévole').fill(LOGIN);
    await Promise.all([admin.waitForURL(/fait=acceptee/, { waitUntil: 'load' }),
                       card.getByRole('button', { name: /Accepter/ }).click()]);
    assert.match(await admin.locator('main').innerText(), new RegExp(LOGIN.replace(/\./g, '\\.')));
    await admin.goto(`${TL}/gestion/equipe?lieu=${PLACE}`, { waitUntil: 'load' });
    const row = admin.locator('tr', { hasText: LOGIN });
    await Promise.all([admin.waitForLoadState('load'),
                       row.getByRole('button', { name: /Lien pour un nouveau mot de passe/ }).click()]);
    const link = (await admin.locator('#lien').innerText()).trim();

    // The volunteer chooses a password, logs in: the charter comes first.
    const fresh = await browser.newContext();
    try {
      const v = await fresh.newPage();
      await v.goto(link, { waitUntil: 'load' });
      await v.fill('#mot_de_passe', NEW_PASSWORD);
      await v.fill('#confirmation', NEW_PASSWORD);
      await Promise.all([v.waitForURL(/\/connexion$/, { waitUntil: 'load' }),
                         v.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()]);
      await v.fill('#identifiant', LOGIN);
      await v.fill('#mot-de-passe', NEW_PASSWORD);
      await Promise.all([v.waitForURL(/\/guichet\/charte\?lieu=/, { waitUntil: 'load' }), v.press('#mot-de-passe', 'Enter')]);
      assert.match(await v.locator('main').innerText(), /Nous prenons soin des outils/);
      await noViolations(v, 'the charter to accept');
      await reflows(v, 'the charter to accept');
      await v.goto(`${TL}/guichet/charte?lieu=${PLACE}`, { waitUntil: 'load' });
      await tabTo(v, /^Accepter la charte$/);
    } finally {
      await fresh.close();
    }
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const v = await nojs.newPage();
      await v.goto(`${TL}/connexion`, { waitUntil: 'load' });
      await v.fill('#identifiant', LOGIN);
      await v.fill('#mot-de-passe', NEW_PASSWORD);
      await Promise.all([v.waitForURL(/\/guichet\/charte\?lieu=/, { waitUntil: 'load' }), v.press('#mot-de-passe', 'Enter')]);
      await v.check('#charte');
      await Promise.all([v.waitForURL(/\/guichet$/, { waitUntil: 'load' }),
                         v.getByRole('button', { name: 'Accepter la charte' }).click()]);
      assert.match(await v.locator('main').innerText(), /Au guichet/);
    } finally {
      await nojs.close();
    }
  } finally {
    // Put back what the test changed: the role, the charter, the offer.
    await admin.goto(`${TL}/gestion/equipe?lieu=${PLACE}`, { waitUntil: 'load' });
    const row = admin.locator('tr', { hasText: LOGIN });
    if (await row.count()) {
      await Promise.all([admin.waitForURL(/fait=retirer/, { waitUntil: 'load' }),
                         row.getByRole('button', { name: /Retirer du lieu/ }).click()]);
    }
    if (charter !== null) {
      await admin.goto(`${TL}/gestion/lieu?lieu=${PLACE}`, { waitUntil: 'load' });
      await admin.fill('#charte', charter);
      await Promise.all([admin.waitForURL(/fait=/, { waitUntil: 'load' }),
                         admin.getByRole('button', { name: 'Enregistrer le lieu' }).click()]);
    }
    await page.goto(`${TL}/compte/aider`, { waitUntil: 'load' });
    const item = page.locator('li', { hasText: OFFER });
    if (await item.count()) {
      await Promise.all([page.waitForURL(/fait=retrait/, { waitUntil: 'load' }),
                         item.getByRole('button', { name: /cette proposition/ }).click()]);
    }
    await mine.close();
    await theirs.close();
  }
});
