// Documents: an item's notice and manuals on its public page, a notice's
// history, a member writing a notice with the keyboard alone and without
// JavaScript, and a référent adding and removing a manual; each page has no
// axe violation and reflows at 320 px. The référent's manual is removed
// again; the member's notice goes to a variety no other test reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, noViolations, reflows, logIn, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

// The hammer drill of the demo (OT-0001): its page's address.
async function drill(page) {
  await page.goto(`${TL}/outils?q=percussion`, { waitUntil: 'load' });
  const href = await page.locator('.tl-card a', { hasText: 'Perceuse à percussion' }).first().getAttribute('href');
  return new URL(href, page.url()).href;
}

test('an item shows its notice and manuals; the history reads every version', { timeout: 4 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    const url = await drill(page);
    await page.goto(url, { waitUntil: 'load' });
    const notice = await page.locator('.tl-notice').innerText();
    assert.match(notice, /Notice d'utilisation/);
    assert.match(notice, /ruban de masquage/);
    assert.match(notice, /Écrite par Claire, Pierre/);
    assert.equal(await page.locator('a[rel=license]').getAttribute('href'),
                 'https://creativecommons.org/licenses/by-sa/4.0/deed.fr');
    const pdf = page.locator('a[download]', { hasText: 'Fiche de sécurité du réseau' });
    assert.match(await pdf.getAttribute('href'), /\/documents\/\d+$/);
    await noViolations(page, 'the item with its notice');
    await reflows(page, 'the item with its notice');

    await page.goto(`${url}/notice`, { waitUntil: 'load' });
    assert.equal(await page.locator('.tl-versions li').count(), 2, 'two versions listed');
    await noViolations(page, 'the notice and its history');
    await reflows(page, 'the notice and its history');
    await page.goto(`${url}/notice?version=1`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /n'est plus la dernière/);
    await noViolations(page, 'an older version');
  });
});

// The member's session, logged in through the form.
async function memberLogIn(page) {
  await page.goto(`${TL}/compte`, { waitUntil: 'load' });
  await page.fill('#numero', 'A-000123');
  await page.fill('#mot-de-passe', 'Arrosoir-en-2026');
  await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
}

async function varietyId(page, name) {
  await page.goto(`${TL}/graines`, { waitUntil: 'load' });
  const href = await page.locator('main a[href*="/graines/"]', { hasText: name }).first().getAttribute('href');
  return href.split('/').pop();
}

test('a member writes a notice with the keyboard alone', { timeout: 4 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    const id = await varietyId(page, 'Noire de Crimée');
    await memberLogIn(page);
    await page.goto(`${TL}/compte/notice?variete=${id}`, { waitUntil: 'load' });
    await noViolations(page, 'the notice form');
    await reflows(page, 'the notice form');
    const text = `Étape ${Date.now()} : laisser mûrir sur pied, fermenter trois jours, sécher à l'ombre.`;
    await page.focus('#texte');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Étapes de la récolte');
    // The name is the one she was credited under last; Tab goes on to the box.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'nom');
    assert.equal(await page.inputValue('#nom'), 'Claire');
    await page.keyboard.press('Tab');
    if (await page.locator('#licence').count()) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'accord');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/\/notice\?fait=enregistree$/, { waitUntil: 'load' }),
                       page.keyboard.press('Enter')]);
    const said = await page.locator('main').innerText();
    assert.match(said, /Merci/);
    assert.ok(said.includes(text), 'the new version is shown');
    await noViolations(page, 'the notice saved');
  });
});

test('without JavaScript, a notice is written and read the same way', { timeout: 4 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    const id = await varietyId(page, 'Rose de Berne');
    await memberLogIn(page);
    await page.goto(`${TL}/compte/notice?variete=${id}`, { waitUntil: 'load' });
    const text = `Sans script ${Date.now()} : garder les plus beaux fruits pour la graine.`;
    await page.fill('#texte', text);
    await page.check('#accord');
    await Promise.all([page.waitForURL(/\/notice\?fait=enregistree$/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: 'Publier cette version' }).click()]);
    assert.ok((await page.locator('main').innerText()).includes(text));
  }, { javaScriptEnabled: false });
});

test('a référent adds a manual and removes it, the keyboard alone', { timeout: 4 * TIMEOUT }, async () => {
  await withPage(browser, null, async (page) => {
    await logIn(page, 'admin.reseau', 'Semis-2026');
    await page.goto(`${TL}/gestion/objet/documents?numero=OT-0001`, { waitUntil: 'load' });
    await noViolations(page, 'the manuals of an item');
    await reflows(page, 'the manuals of an item');
    await page.focus('#titre');
    await page.keyboard.type('Vue éclatée');
    await page.keyboard.press('Tab');
    await page.keyboard.type('https://example.org/vue-eclatee.pdf');
    await Promise.all([page.waitForURL(/fait=ajout$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /Le document est ajouté/);
    await noViolations(page, 'a manual added');
    const remove = page.getByRole('button', { name: 'Retirer « Vue éclatée »' });
    await remove.focus();
    await Promise.all([page.waitForURL(/fait=retrait$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getByText('Vue éclatée').count(), 0);
  });
});
