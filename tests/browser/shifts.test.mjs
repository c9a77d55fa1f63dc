// Volunteer shifts: a volunteer's page at the desk (who is expected today,
// the shifts to come with their buttons, their own hours), the référents'
// page of shifts and the group's hours. Each page has no axe violation,
// reflows at 320 px and is used with the keyboard alone; signing up,
// withdrawing and setting the value of an hour work without JavaScript.
// The tests leave the demo as they found it (a sign-up is withdrawn again,
// the value of an hour set to what it was), so they can run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, logIn, noViolations, reflows, tabTo, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('a volunteer\'s page: expected today, shifts, my hours; no axe violation, 320 px, keyboard', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'benevole.mediatheque', 'Grelinette-2026');
    await page.goto(`${TL}/guichet`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/guichet\/benevolat$/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: /Bénévolat/ }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Attendus aujourd'hui/);
    assert.match(text, /Camille \(bénévole\)/);        // the demo's shift of tonight
    assert.match(text, /Mes heures/);
    await noViolations(page, 'the volunteer\'s page');
    await reflows(page, 'the volunteer\'s page');
    await page.goto(`${TL}/guichet/benevolat`, { waitUntil: 'load' });
    await tabTo(page, /^M'inscrire/);
  } finally {
    await context.close();
  }
});

test('signing up and withdrawing work without JavaScript', { timeout: 2 * TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const row = () => page.locator('tr', { hasText: 'Apportez vos sachets' });
  try {
    await logIn(page, 'benevole.mediatheque', 'Grelinette-2026');
    await page.goto(`${TL}/guichet/benevolat`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/fait=inscription/, { waitUntil: 'load' }),
                       row().getByRole('button', { name: /M'inscrire/ }).click()]);
    assert.match(await page.locator('main').innerText(), /Vous êtes inscrit·e à ce créneau/);
    assert.match(await row().innerText(), /1 sur 3/);
    await Promise.all([page.waitForURL(/fait=retrait/, { waitUntil: 'load' }),
                       row().getByRole('button', { name: /Me retirer/ }).click()]);
    assert.match(await row().innerText(), /0 sur 3/);
  } finally {
    await context.close();
  }
});

test('the référents\' shifts and hours; no axe violation, 320 px, keyboard', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/benevolat?lieu=la-fabrique`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /Publier un créneau/);
    await noViolations(page, 'the shifts of La Fabrique');
    await reflows(page, 'the shifts of La Fabrique');
    await page.goto(`${TL}/gestion/benevolat?lieu=la-fabrique`, { waitUntil: 'load' });
    await tabTo(page, /^Publier$/);
    await Promise.all([page.waitForURL(/\/gestion\/benevolat\/heures/, { waitUntil: 'load' }),
                       page.getByRole('link', { name: /heures données par le groupe/ }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Repair café/);
    assert.match(text, /moins de 3/);
    assert.doesNotMatch(text, /Nadia|Louis/);
    await noViolations(page, 'the hours of La Fabrique');
    await reflows(page, 'the hours of La Fabrique');
  } finally {
    await context.close();
  }
});

test('the value of an hour is set without JavaScript', { timeout: 2 * TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await logIn(page, 'referente.fabrique', 'Perceuse-2026');
    await page.goto(`${TL}/gestion/benevolat?lieu=la-fabrique`, { waitUntil: 'load' });
    const before = await page.inputValue('#valeur');
    await page.fill('#valeur', '12,50');
    await Promise.all([page.waitForURL(/fait=valeur/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: 'Enregistrer' }).click()]);
    assert.equal(await page.inputValue('#valeur'), '12,50');
    await page.fill('#valeur', before);
    await Promise.all([page.waitForURL(/fait=valeur/, { waitUntil: 'load' }),
                       page.getByRole('button', { name: 'Enregistrer' }).click()]);
    assert.equal(await page.inputValue('#valeur'), before);
  } finally {
    await context.close();
  }
});
