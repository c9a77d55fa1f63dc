// A place's events, the visitors' side: the agenda of every kind filtered
// with the keyboard, a workshop's page, and a seat booked through the
// repair café's form with the keyboard alone, then cancelled without
// JavaScript (the demo is left as it was: the seat is freed again). Every
// page has no axe violation and reflows at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, TL, TIMEOUT, noViolations, reflows, tabTo } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('the agenda filtered by kind with the keyboard; no axe violation, 320 px', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/agenda`, { waitUntil: 'load' });
    const all = await page.locator('main').innerText();
    for (const kind of [/Café réparation/, /Atelier/, /Troc de graines/, /Portes ouvertes/]) assert.match(all, kind);
    await noViolations(page, 'the agenda');
    await reflows(page, 'the agenda');
    await page.focus('#type');
    await page.keyboard.type('Portes');               // the select jumps to « Portes ouvertes »
    await tabTo(page, /^Afficher$/);
    await Promise.all([page.waitForURL(/type=portes_ouvertes/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    const cards = await page.locator('main .tl-card .tl-meta').allInnerTexts();
    assert.ok(cards.length > 0 && cards.every((t) => t.startsWith('Portes ouvertes')), cards.join(' | '));
    await noViolations(page, 'the agenda filtered');
  } finally {
    await context.close();
  }
});

test('a seat at a workshop with the keyboard alone, cancelled without JavaScript', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let privateUrl;
  try {
    await page.goto(`${TL}/agenda?type=atelier&lieu=la-fabrique`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/agenda\/\d+$/, { waitUntil: 'load' }),
                       page.locator('main .tl-card h3 a').first().click()]);
    const json = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    assert.equal(json['@type'], 'Event');
    await noViolations(page, 'a workshop');
    await reflows(page, 'a workshop');
    await tabTo(page, /^Réserver une place$/);
    await Promise.all([page.waitForURL(/\/reserver$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('#objet').count(), 0);
    // Sent without the contact (past the browser's own check): the message under the field.
    await page.evaluate(() => { document.querySelector('form.tl-form').noValidate = true; });
    await page.focus('#nom');
    await page.keyboard.type('Jeanne Petit');
    await Promise.all([page.waitForURL(/reparation\/reserver$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#contact', 'aria-invalid'), 'true');
    await noViolations(page, 'the workshop\'s booking form with a mistake');
    await reflows(page, 'the workshop\'s booking form');
    await page.focus('#contact');
    await page.keyboard.type('jeanne.petit@exemple.fr');
    await Promise.all([page.waitForURL(/reservation\?jeton=/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /C'est réservé/);
    assert.match(await page.locator('h1').innerText(), /Votre réservation — Atelier/);
    await noViolations(page, 'the private page of a workshop\'s seat');
    privateUrl = page.url();
  } finally {
    await context.close();
  }
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await nojs.newPage();
  try {
    await p2.goto(privateUrl, { waitUntil: 'load' });
    await Promise.all([p2.waitForURL(/fait=annulation/, { waitUntil: 'load' }),
                       p2.getByRole('button', { name: 'Annuler ma réservation' }).click()]);
    assert.match(await p2.locator('main').innerText(), /Votre réservation est annulée/);
  } finally {
    await nojs.close();
  }
});

async function memberLogIn(page) {
  await page.goto(`${TL}/compte/connexion`, { waitUntil: 'load' });
  await page.fill('#numero', 'A-000123');
  await page.fill('#mot-de-passe', 'Arrosoir-en-2026');
  await Promise.all([page.waitForURL(/\/compte$/, { waitUntil: 'load' }), page.click('form button[type=submit]')]);
}

// Sent for no participants: the form comes back with its message, nothing
// is proposed (the demo stays as it was).
async function proposeForNobody(page) {
  await page.goto(`${TL}/compte/atelier`, { waitUntil: 'load' });
  await page.fill('#titre', 'Premiers pas avec une tablette');
  await page.fill('#theme', 'numérique');
  await page.fill('#dates', 'le mardi matin');
  await page.fill('#participants', '0');
  await Promise.all([page.waitForURL(/\/compte\/atelier$/, { waitUntil: 'load' }),
                     page.click('form button[type=submit]')]);
  assert.equal(await page.getAttribute('#participants', 'aria-invalid'), 'true');
  assert.match(await page.locator('#erreur-participants').innerText(), /de 1 à 100/);
  assert.equal(await page.inputValue('#titre'), 'Premiers pas avec une tablette');
}

test('a member\'s workshop proposal form: no axe violation, 320 px, keyboard; its mistakes shown, without JavaScript too', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await memberLogIn(page);
    assert.match(await page.locator('main').innerText(), /Mes propositions d'atelier/);
    await page.goto(`${TL}/compte/atelier`, { waitUntil: 'load' });
    await noViolations(page, 'the proposal form');
    await reflows(page, 'the proposal form');
    await tabTo(page, /^Envoyer ma proposition$/);
    await proposeForNobody(page);
    await noViolations(page, 'the proposal form with a mistake');
  } finally {
    await context.close();
  }
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await nojs.newPage();
  try {
    await memberLogIn(p2);
    await proposeForNobody(p2);
  } finally {
    await nojs.close();
  }
});
