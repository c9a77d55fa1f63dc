// The back office (/gestion): every page and every form shown with its
// mistakes has no axe violation; an item is added with the keyboard alone,
// and a form works with JavaScript turned off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, TL, TIMEOUT, logIn, noViolations, daysFromToday, isoDate, frenchDate } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('every back-office page, and its forms with mistakes, has no axe violation', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'admin.reseau', 'Semis-2026');
    for (const path of ['/gestion', '/gestion/objets?lieu=la-fabrique', '/gestion/objet?lieu=la-fabrique',
                        '/gestion/objet?numero=FC-0001', '/gestion/lieu?lieu=la-fabrique', '/gestion/categories',
                        '/gestion/equipe?lieu=la-fabrique', '/gestion/journal?lieu=la-fabrique',
                        '/gestion/graines?lieu=la-fabrique', '/gestion/graines?lieu=la-fabrique&variete=1',
                        '/gestion/import?lieu=la-fabrique', '/gestion/ressourcerie?lieu=la-fabrique']) {
      await page.goto(`${TL}${path}`, { waitUntil: 'load' });
      assert.equal(await page.locator('h1').count(), 1, path);
      await noViolations(page, path);
    }
    // Mistakes: each form comes back with its message under the field.
    await page.goto(`${TL}/gestion/lieu?lieu=la-fabrique`, { waitUntil: 'load' });
    await page.fill('#horaires', 'Lu 10:00-12:00');
    await Promise.all([page.waitForURL(/gestion\/lieu$/, { waitUntil: 'load' }), page.press('#horaires', 'Enter')]);
    assert.equal(await page.getAttribute('#horaires', 'aria-invalid'), 'true');
    await noViolations(page, 'place form with a mistake');

    await page.goto(`${TL}/gestion/categories`, { waitUntil: 'load' });
    await page.selectOption('#categorie', 'jardinage');
    await page.fill('#nom', 'Jardinage');
    await page.fill('#duree', '0');
    await Promise.all([page.waitForURL(/gestion\/categorie$/, { waitUntil: 'load' }), page.press('#duree', 'Enter')]);
    assert.match(await page.locator('#erreur-duree').innerText(), /de 1 à 365 jours/);
    await noViolations(page, 'category form with a mistake');

    await page.goto(`${TL}/gestion/equipe?lieu=la-fabrique`, { waitUntil: 'load' });
    await page.fill('#identifiant', 'Pas Valide');
    await Promise.all([page.waitForURL(/gestion\/equipe$/, { waitUntil: 'load' }), page.press('#identifiant', 'Enter')]);
    assert.equal(await page.getAttribute('#identifiant', 'aria-invalid'), 'true');
    await noViolations(page, 'team form with a mistake');
    await Promise.all([page.waitForURL(/gestion\/equipe\/lien$/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: /Lien pour un nouveau mot de passe : Nadia/ }).click()]);
    assert.match(await page.locator('#lien').innerText(), /mot-de-passe\?jeton=/);
    await noViolations(page, 'password link page');

    // Repair café sessions: the list, a mistake in the creation form, a session's page.
    await page.goto(`${TL}/gestion/reparation?lieu=la-fabrique`, { waitUntil: 'load' });
    await noViolations(page, 'repair café sessions');
    await page.fill('#jour', isoDate(daysFromToday(90)));
    await page.fill('#debut', '14:00');
    await page.fill('#fin', '12:00');
    await page.fill('#duree_creneau', '30');
    await page.fill('#capacite', '3');
    await Promise.all([page.waitForURL(/gestion\/reparation$/, { waitUntil: 'load' }), page.press('#capacite', 'Enter')]);
    assert.equal(await page.getAttribute('#fin', 'aria-invalid'), 'true');
    await noViolations(page, 'session form with a mistake');
    await page.goto(`${TL}/gestion/reparation?lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/reparation\/seance\?seance=\d+$/, { waitUntil: 'load' }),
                       page.locator('main tbody th a').first().click()]);
    await noViolations(page, 'a session for its référents');

    // An import: the page, then a preview with a refused line.
    await page.goto(`${TL}/gestion/import?lieu=la-fabrique`, { waitUntil: 'load' });
    await noViolations(page, 'import page');
    await page.check('#quoi-objets');
    await page.setInputFiles('#fichier', {
      name: 'inventaire.csv', mimeType: 'text/csv',
      buffer: Buffer.from('\ufeffTitre;Catégorie\r\nRâteau à feuilles;jardinage\r\nBinette;inconnue\r\n'),
    });
    await Promise.all([page.waitForURL(/gestion\/import$/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: "Voir l'aperçu" }).click()]);
    assert.match(await page.locator('#apercu-titre').innerText(), /1 objets à créer, 1 ligne\(s\) refusée\(s\)/);
    await noViolations(page, 'import preview');
  } finally {
    await context.close();
  }
});

test('a référent adds an item with the keyboard alone', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/objets?lieu=la-fabrique`, { waitUntil: 'load' });
    // Tab to the "add" link, as someone without a mouse does.
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Ajouter un objet');
    }
    assert.ok(found, 'the "Ajouter un objet" link is reachable with Tab');
    await Promise.all([page.waitForURL(/gestion\/objet\?lieu=/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await page.focus('#titre');
    await page.keyboard.type('Décolleuse à papier peint (clavier)');
    await page.keyboard.press('Enter');
    await page.waitForURL(/gestion\/objets\?lieu=la-fabrique&fait=/, { waitUntil: 'load' });
    assert.match(await page.locator('[role=status]').innerText(), /Objet FC-\d+ enregistré/);
    await noViolations(page, 'item list after adding');
  } finally {
    await context.close();
  }
});

test('a closure is added and removed with JavaScript turned off', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/lieu?lieu=la-fabrique`, { waitUntil: 'load' });
    const from = daysFromToday(240), to = daysFromToday(259);
    await page.fill('#debut', isoDate(from));
    await page.fill('#fin', isoDate(to));
    await page.fill('#raison', "Congés d'été");
    await Promise.all([page.waitForURL(/fait=fermeture/, { waitUntil: 'load' }), page.press('#raison', 'Enter')]);
    // The first of a month is written « 1er ».
    const closure = `du ${frenchDate(from).replace(/^1 /, '1er ')} au ${frenchDate(to).replace(/^1 /, '1er ')}`;
    assert.ok((await page.locator('main').innerText()).includes(closure), `the closure « ${closure} » is listed`);
    await Promise.all([page.waitForURL(/fait=fermeture/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: /Supprimer la fermeture/ }).first().click()]);
    assert.ok(!(await page.locator('main').innerText()).includes(closure), 'the closure is removed');
  } finally {
    await context.close();
  }
});
