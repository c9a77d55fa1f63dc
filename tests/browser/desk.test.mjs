// The desk's door: a volunteer logs in with the keyboard alone and reaches
// an accessible desk page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axe, formatViolations, autofocused, daysFromToday, isoDate, TL, TIMEOUT } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); }, { timeout: TIMEOUT });
after(async () => { await browser?.close(); });

test('log in with the keyboard, then the desk has no axe violation', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/guichet`, { waitUntil: 'load' });
    assert.match(page.url(), /\/tierslieux\/connexion/, 'anonymous visitors are sent to the login form');
    await page.focus('#identifiant');
    await page.keyboard.type('benevole.mediatheque');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Grelinette-2026');
    await Promise.all([page.waitForURL(/\/tierslieux\/guichet$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').count(), 1);
    assert.match(await page.locator('main').innerText(), /Bonjour Camille/);
    let violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // Registering a member.
    await page.goto(`${TL}/guichet/adherents`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // A member's file, opened by typing the card number and Enter.
    await page.goto(`${TL}/guichet/adherent`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    await autofocused(page, 'numero');
    await page.keyboard.type('A-000123');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:has-text("A-000123")');
    await page.waitForLoadState('load');
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    // A reservation of an unknown item: the file again, the message under the field.
    await page.fill('#reserver-objet', 'ZZ-0000');
    await page.fill('#reserver-du', isoDate(daysFromToday(60)));
    await page.fill('#reserver-au', isoDate(daysFromToday(61)));
    await page.press('#reserver-objet', 'Enter');
    await page.waitForSelector('#erreur-reserver');
    await page.waitForLoadState('load');
    assert.equal(await page.getAttribute('#reserver-objet', 'aria-invalid'), 'true');
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // An item's file with its maintenance log.
    await page.goto(`${TL}/guichet/objet?numero=OT-0004`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // A sheet of labels.
    await page.goto(`${TL}/guichet/etiquettes`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // The overdue list.
    await page.goto(`${TL}/guichet/retards`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    // The grainothèque desk, then the same form sent with a mistake.
    await page.goto(`${TL}/guichet/graines`, { waitUntil: 'load' });
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    await page.selectOption('#variete', { index: 1 });
    await page.fill('#sachets', '0');
    await page.focus('#sachets');
    await Promise.all([page.waitForURL(/graines\/depot$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('#sachets', 'aria-invalid'), 'true');
    assert.match(await page.locator('#erreur-sachets').innerText(), /entre 1 et 1000/);
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
  } finally {
    await context.close();
  }
});

test('lend and take back with the keyboard alone; every step has no axe violation', { timeout: 4 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const check = async () => {
    const v = await axe(page);
    assert.equal(v.length, 0, formatViolations(v));
  };
  try {
    await page.goto(`${TL}/connexion`, { waitUntil: 'load' });
    await page.fill('#identifiant', 'benevole.mediatheque');
    await page.fill('#mot-de-passe', 'Grelinette-2026');
    await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);

    await page.goto(`${TL}/guichet/pret`, { waitUntil: 'load' });
    await check();
    // The member number field has the focus: a scanner types and presses Enter.
    await autofocused(page, 'adherent');
    await page.keyboard.type('A-000251');
    await page.keyboard.press('Tab');
    await page.keyboard.type('OT-0005');
    await Promise.all([page.waitForURL(/pret\/verifier$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await check();
    const errors = await page.locator('.tl-form-error[id]').allInnerTexts();
    if (errors.length === 0) {
      // Confirm: the button has the focus.
      await autofocused(page, { text: 'Confirmer le prêt' });
      await Promise.all([page.waitForURL(/pret\?fait=/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
      assert.match(await page.locator('[role=status]').innerText(), /Prêt enregistré : OT-0005/);
      await check();
      await page.goto(`${TL}/guichet/retour`, { waitUntil: 'load' });
      await check();
      await autofocused(page, 'objet');
      await page.keyboard.type('OT-0005');
      await Promise.all([page.waitForURL(/retour\?fait=/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
      assert.match(await page.locator('[role=status]').innerText(), /Retour enregistré : OT-0005/);
    } else {
      assert.fail(`the demo loan was refused: ${errors.join(' / ')}`);
    }
  } finally {
    await context.close();
  }
});


test('a référente previews the e-mails of her place; the page has no axe violation', { timeout: 3 * TIMEOUT }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${TL}/connexion`, { waitUntil: 'load' });
    await page.fill('#identifiant', 'referente.fabrique');
    await page.fill('#mot-de-passe', 'Perceuse-2026');
    await Promise.all([page.waitForURL(/\/guichet$/, { waitUntil: 'load' }), page.press('#mot-de-passe', 'Enter')]);
    // The desk links to it for référents; following the link with the keyboard.
    await page.focus('a[href$="/guichet/courriels"]');
    await Promise.all([page.waitForURL(/\/guichet\/courriels$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), 'Courriels aux adhérents');
    // The demo data queued reminders (sql/demo/courriels.sql): La Fabrique's only.
    const messages = page.locator('article.tl-mail');
    assert.ok(await messages.count() > 0, 'the demo has messages to preview');
    assert.doesNotMatch(await page.locator('main').innerText(), /Médiathèque Jules-Verne\n2 place/);
    let violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    // The whole text, opened with the keyboard.
    await page.focus('article.tl-mail summary');
    await page.keyboard.press('Enter');
    assert.match(await messages.first().locator('pre').innerText(), /^Bonjour .*,\n/);
    violations = await axe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
  } finally {
    await context.close();
  }
});
