"""Mon compte: a member logs in with their number and the password they chose
from a one-time link the desk gave them, sees their loans, renews, reserves,
waits for an item, and sees, takes away and erases their own data — and only
their own."""
import codecs
import csv
import hashlib
import io
import json
import os
import re
import subprocess

import requests
from bs4 import BeautifulSoup

from conftest import ROOT
from test_desk_access import login
from test_desk_member import desk

DEMO = ("A-000123", "Arrosoir-en-2026")
OTHER = "A-000187"


def member_login(servers, number=DEMO[0], password=DEMO[1]):
    s = requests.Session()
    r = s.post(servers.url("/tierslieux/compte/connexion/verifier"), allow_redirects=False, timeout=10,
               data={"httpd_username": number, "httpd_password": password,
                     "httpd_location": "/tierslieux/compte"})
    return s, r


def page(servers, s, path="/tierslieux/compte"):
    r = s.get(servers.url(path), allow_redirects=False, timeout=10)
    return r, BeautifulSoup(r.text, "html.parser")


def token_of(soup):
    return soup.find("input", attrs={"name": "jeton"})["value"]


def post(servers, s, path, data):
    return s.post(servers.url(f"/tierslieux/compte{path}"), data=data, allow_redirects=False, timeout=10)


def errors(r):
    return [p.get_text() for p in BeautifulSoup(r.text, "html.parser").select("p.tl-form-error[id^=erreur-]")]


def new_member(servers, number, password=None):
    servers.sql("DELETE FROM tl.member WHERE member_number = %s", (number,))
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email, password_hash) "
                "VALUES (%s, 'Essai', 'Compte', 'essai@example.org', "
                "CASE WHEN %s::text IS NULL THEN NULL ELSE public.crypt(%s, public.gen_salt('bf', 10)) END)",
                (number, password, password))


def desk_link(servers, number):
    s, token = desk(servers)
    return s, s.post(servers.url("/tierslieux/guichet/adherent/lien"), data={"jeton": token, "numero": number},
                     allow_redirects=False, timeout=10)


def link_of(r):
    return BeautifulSoup(r.text, "html.parser").find(id="lien").get_text()


# ---- one-time links ----------------------------------------------------------

def test_the_desk_shows_a_link_once_and_keeps_only_its_hash(servers):
    new_member(servers, "T-000001")
    _, r = desk_link(servers, "t-000001")
    assert r.status_code == 200 and "Location" not in r.headers
    assert r.headers["Cache-Control"] == "private, no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    link = link_of(r)
    m = re.fullmatch(r"http://127\.0\.0\.1:\d+/tierslieux/compte/mot-de-passe\?jeton=([A-Za-z0-9_-]{43})", link)
    assert m, link
    token = m.group(1)
    rows = servers.sql("SELECT encode(l.token_sha256, 'hex'), l.expires_at - l.created_at, l.used_at, row_to_json(l)::text "
                       "FROM tl.password_link l JOIN tl.member x ON x.id = l.member_id "
                       "WHERE x.member_number = 'T-000001'")
    assert len(rows) == 1
    digest, valid, used, whole = rows[0]
    assert digest == hashlib.sha256(token.encode()).hexdigest() and token not in whole
    assert valid.days == 7 and used is None
    assert servers.sql("SELECT x.action FROM tl.member_access x JOIN tl.member m ON m.id = x.member_id "
                       "WHERE m.member_number = 'T-000001'") == [("lien_mot_de_passe",)]
    # A second link voids the first, which is then refused.
    _, r2 = desk_link(servers, "T-000001")
    old = servers.get("/tierslieux/compte/mot-de-passe?jeton=" + token)
    assert old.status_code == 410 and "plus récent" in old.text
    assert servers.get("/tierslieux/compte/mot-de-passe?jeton=" + link_of(r2).split("jeton=")[1]).status_code == 200


def test_a_link_sets_the_password_once(servers, db):
    new_member(servers, "T-000002")
    _, r = desk_link(servers, "T-000002")
    path = "/tierslieux/compte/mot-de-passe?jeton=" + link_of(r).split("jeton=")[1]
    form = servers.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(form.text, "html.parser")
    assert "T-000002" in soup.select_one(".tl-intro").get_text()
    assert "empreinte" in soup.select_one("form .tl-hint").get_text()        # why it is kept, how long
    data = {"jeton": token_of(soup), "lien": soup.find("input", attrs={"name": "lien"})["value"]}
    # Too short: 422, the message under the field, nothing stored.
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": "onze-caract", "confirmation": "onze-caract"})
    assert r.status_code == 422
    bad = BeautifulSoup(r.text, "html.parser")
    assert "au moins 12 caractères" in bad.find(id="erreur-mot_de_passe").get_text()
    assert bad.find(id="mot_de_passe")["aria-invalid"] == "true"
    assert bad.find(id="mot_de_passe")["aria-describedby"] == "erreur-mot_de_passe"
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": "Une-phrase-de-passe", "confirmation": "Une-phrase-de-pase"})
    assert r.status_code == 422 and "pas les mêmes" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-confirmation").get_text()
    assert servers.sql("SELECT password_hash FROM tl.member WHERE member_number = 'T-000002'") == [(None,)]
    # Right: stored as bcrypt, the link spent, then to the login page.
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": "Une-phrase-de-passe", "confirmation": "Une-phrase-de-passe"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/tierslieux/compte/connexion?fait=mot-de-passe")
    assert data["lien"] not in r.headers["Location"]             # never in a redirect
    stored, used = servers.sql("SELECT m.password_hash, l.used_at IS NOT NULL FROM tl.member m "
                               "JOIN tl.password_link l ON l.member_id = m.id WHERE m.member_number = 'T-000002'")[0]
    assert re.match(r"^\$2y\$1[0-9]\$", stored) and used
    # The same link again: refused, whether shown or sent.
    assert servers.get(path).status_code == 410
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": "Autre-phrase-de-passe", "confirmation": "Autre-phrase-de-passe"})
    assert r.status_code == 410
    assert servers.sql("SELECT password_hash FROM tl.member WHERE member_number = 'T-000002'") == [(stored,)]
    # The number in any case logs in.
    _, r = member_login(servers, "t-2", "Une-phrase-de-passe")
    assert r.status_code == 302 and r.headers["Location"] == "/tierslieux/compte"


def test_expired_and_unknown_links_are_refused(servers):
    new_member(servers, "T-000003")
    _, r = desk_link(servers, "T-000003")
    token = link_of(r).split("jeton=")[1]
    servers.sql("UPDATE tl.password_link SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' "
                "WHERE token_sha256 = decode(%s, 'hex')", (hashlib.sha256(token.encode()).hexdigest(),))
    r = servers.get("/tierslieux/compte/mot-de-passe?jeton=" + token)
    assert r.status_code == 410 and "expiré" in r.text
    for bad in ("A" * 43, "court", "A" * 42 + "=", ""):
        assert servers.get("/tierslieux/compte/mot-de-passe?jeton=" + bad).status_code == 404, bad


def test_a_password_link_for_a_volunteer_account(servers):
    """The same links serve accounts: a référent gives one to a volunteer of
    their place (the page for it is another piece of work; the SQL is here)."""
    servers.sql("DELETE FROM tl.account_role WHERE account_id IN (SELECT id FROM tl.account WHERE login = 'essai.lien')")
    servers.sql("DELETE FROM tl.account WHERE login = 'essai.lien'")
    servers.sql("INSERT INTO tl.account (login, display_name) VALUES ('essai.lien', 'Essai (bénévole)')")
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, 'benevole' "
                "FROM tl.account a, tl.place p WHERE a.login = 'essai.lien' AND p.slug = 'la-fabrique'")
    token = "B" * 43
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:                                # a bénévole of another place may not
        servers.sql("SELECT * FROM tl.desk_account_password_link('benevole.mediatheque', 'essai.lien', %s)",
                    (digest,))
        raise AssertionError("refused")
    except Exception as e:
        assert e.pgcode == "42501" and "administration du réseau" in str(e)
    servers.sql("SELECT * FROM tl.desk_account_password_link('referente.fabrique', 'essai.lien', %s)", (digest,))
    r = servers.get("/tierslieux/compte/mot-de-passe?jeton=" + token)
    assert r.status_code == 200 and "essai.lien" in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={"jeton": token_of(soup), "lien": token, "mot_de_passe": "Nouvelle-Graine-2026",
                            "confirmation": "Nouvelle-Graine-2026"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/tierslieux/connexion")
    _, r = login(servers, "essai.lien", "Nouvelle-Graine-2026")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/guichet")


# ---- logging in ---------------------------------------------------------------

def test_a_member_logs_in_and_a_wrong_password_is_refused(servers, expect_log):
    expect_log += ["AH01807", "AH01808"]               # mod_auth_form: password mismatch, user not found
    r = servers.get("/tierslieux/compte")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/compte/connexion")
    form = servers.get("/tierslieux/compte/connexion")
    soup = BeautifulSoup(form.text, "html.parser")
    assert form.headers["Cache-Control"] == "private, no-store"
    assert soup.find("label", attrs={"for": "numero"}) and soup.find("label", attrs={"for": "mot-de-passe"})
    assert "cookie" in soup.select_one("form .tl-hint").get_text()
    s, r = member_login(servers, "a-000123")
    assert r.status_code == 302 and r.headers["Location"] == "/tierslieux/compte"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("tierslieux_compte=") and "path=/tierslieux/compte" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Arrosoir" not in cookie
    r, soup = page(servers, s)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert soup.h1.get_text() == "Mon compte — Claire Martin (A-000123)"
    _, r = member_login(servers, "A-000123", "mauvais-mot-de-passe")
    assert r.headers["Location"].endswith("/tierslieux/compte/connexion?erreur=1")
    _, r = member_login(servers, "benevole.mediatheque", "Grelinette-2026")       # a volunteer is no member
    assert r.headers["Location"].endswith("/tierslieux/compte/connexion?erreur=1")


def test_desk_and_member_sessions_do_not_cross(servers):
    volunteer, _ = login(servers, "benevole.mediatheque")
    r = volunteer.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/compte/connexion")
    member, _ = member_login(servers)
    r = member.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/connexion")
    r = member.get(servers.url("/tierslieux/guichet/adherent"), allow_redirects=False, timeout=10)
    assert r.status_code == 302


def test_a_site_login_maps_to_a_member(servers):
    """A site on LDAP or CAS sends REMOTE_USER = its own login: mapped once."""
    new_member(servers, "T-000004")
    servers.sql("SELECT tl.set_member_site_login('benevole.mediatheque', 'T-000004', 'c.essai')")
    assert servers.sql("SELECT member_number FROM tl.my_member_info('@c.essai')") == [("T-000004",)]
    # A site login is only ever a site login, and a number only a number.
    for who in ("c.essai", "@T-000004"):
        try:
            servers.sql("SELECT member_number FROM tl.my_member_info(%s)", (who,))
            raise AssertionError(who)
        except Exception as e:
            assert "aucun adhérent" in str(e), who
    new_member(servers, "T-000005")
    try:
        servers.sql("SELECT tl.set_member_site_login('benevole.mediatheque', 'T-000005', "
                    "'c.essai')")
        raise AssertionError("a site login is one member's only")
    except Exception as e:                                   # psycopg2 error with the French message
        assert "déjà celui d'un autre adhérent" in str(e)


# ---- what a member sees and does ---------------------------------------------------

def test_a_member_sees_their_own_loans_only(servers):
    mine = [t for (t,) in servers.sql("SELECT i.title FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                                       "JOIN tl.member m ON m.id = b.member_id WHERE m.member_number = %s "
                                       "AND b.kind = 'pret' AND b.returned_at IS NULL", (DEMO[0],))]
    theirs = [t for (t,) in servers.sql("SELECT i.title FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                                         "JOIN tl.member m ON m.id = b.member_id WHERE m.member_number = %s "
                                         "AND b.kind = 'pret' AND b.returned_at IS NULL", (OTHER,))]
    assert mine and theirs and not set(mine) & set(theirs)
    s, _ = member_login(servers)
    r, soup = page(servers, s)
    text = soup.get_text()
    for title in mine:
        assert title in text
    for title in theirs:
        assert title not in text
    assert "Nguyen" not in text and "Thomas" not in text
    due = [td.get_text() for td in soup.select("section[aria-labelledby=prets-titre] tbody td:nth-of-type(4)")]
    assert due and all(re.search(r"\d{1,2}(er)? [a-zéû]+ \d{4}", d) for d in due)      # French dates


def renewable_loan(servers, s):
    """A loan of the demo member that the account offers to renew; one is
    lent first if other tests left none (a reservation after it, the limit
    reached)."""
    _, soup = page(servers, s)
    form = soup.find("form", action=lambda a: a and a.endswith("/compte/prolonger"))
    if form is None:
        item = servers.sql("""
            SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
              JOIN tl.place p ON p.id = i.place_id
             WHERE p.slug = 'mediatheque-jules-verne' AND a.state = 'disponible' AND i.retired_at IS NULL
               AND (i.safety_check_days IS NULL OR i.last_safety_check + i.safety_check_days >= current_date)
               AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                                AND b.ends_at > now())
             ORDER BY i.code LIMIT 1""")[0][0]
        servers.sql("SELECT tl.check_out('benevole.mediatheque', %s, %s, true)", (DEMO[0], item))
        _, soup = page(servers, s)
        form = soup.find("form", action=lambda a: a and a.endswith("/compte/prolonger"))
    return int(form.find("input", attrs={"name": "pret"})["value"]), soup


def test_renewal_within_the_rules_and_refusal_past_the_limit(servers, db):
    s, _ = member_login(servers)
    booking, soup = renewable_loan(servers, s)
    due, renewals, max_renewals = servers.sql("""
        SELECT b.due_on, b.renewals, c.max_renewals FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
          JOIN tl.category c ON c.id = i.category_id WHERE b.id = %s""", (booking,))[0]
    try:
        r = post(servers, s, "/prolonger", {"jeton": token_of(soup), "pret": booking})
        assert r.status_code == 303 and r.headers["Location"].endswith("/tierslieux/compte?fait=prolongation")
        new_due, new_renewals = servers.sql("SELECT due_on, renewals FROM tl.booking WHERE id = %s", (booking,))[0]
        assert new_due > due and new_renewals == renewals + 1
        assert servers.sql("SELECT by_member, account_id FROM tl.member_access ORDER BY id DESC LIMIT 1") == [
            (True, None)]
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET renewals = %s WHERE id = %s", (max_renewals, booking))
        r, soup = page(servers, s)
        row = [tr for tr in soup.select("tbody tr") if tr.find("input", attrs={"value": str(booking)})]
        assert not row                                           # no button past the limit...
        assert "le maximum pour cette catégorie" in soup.get_text()   # ...and why
        token = token_of(page(servers, s, "/tierslieux/compte/donnees")[1])
        r = post(servers, s, "/prolonger", {"jeton": token, "pret": booking})
        assert r.status_code == 422 and "maximum" in " ".join(errors(r))
        assert servers.sql("SELECT due_on FROM tl.booking WHERE id = %s", (booking,)) == [(new_due,)]
        # Someone else's loan is not the member's to renew.
        other = servers.sql("SELECT b.id FROM tl.booking b JOIN tl.member m ON m.id = b.member_id "
                            "WHERE m.member_number = %s AND b.returned_at IS NULL AND b.kind = 'pret' LIMIT 1",
                            (OTHER,))[0][0]
        before = servers.sql("SELECT due_on, renewals FROM tl.booking WHERE id = %s", (other,))
        r = post(servers, s, "/prolonger", {"jeton": token, "pret": other})
        assert r.status_code == 422
        assert servers.sql("SELECT due_on, renewals FROM tl.booking WHERE id = %s", (other,)) == before
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET due_on = %s, renewals = %s WHERE id = %s", (due, renewals, booking))


def test_reserving_an_item_for_a_range_of_days(servers):
    item = servers.sql("SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id "
                       "WHERE a.state = 'disponible' AND i.retired_at IS NULL AND NOT EXISTS ("
                       "SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.ends_at > now() "
                       "AND b.cancelled_at IS NULL) ORDER BY i.code DESC LIMIT 1")[0][0]
    first, last = servers.sql("SELECT current_date + 20, current_date + 22")[0]
    s, _ = member_login(servers)
    r, soup = page(servers, s, f"/tierslieux/compte/reserver?objet={item.lower()}")
    assert r.status_code == 200 and item in soup.h2.get_text()
    assert "quatre mois" in soup.select_one("form .tl-hint").get_text()
    token = token_of(soup)
    before = servers.sql("SELECT count(*) FROM tl.booking WHERE kind = 'reservation'")[0][0]
    # Dates in the wrong order, or not dates: 422, messages under the fields, nothing booked.
    r = post(servers, s, "/reserver", {"jeton": token, "objet": item, "du": str(last), "au": str(first)})
    assert r.status_code == 422 and "après le premier" in " ".join(errors(r))
    assert BeautifulSoup(r.text, "html.parser").find(id="au")["aria-invalid"] == "true"
    r = post(servers, s, "/reserver", {"jeton": token, "objet": item, "du": "demain", "au": str(first)})
    assert r.status_code == 422 and BeautifulSoup(r.text, "html.parser").find(id="du")["aria-invalid"] == "true"
    r = post(servers, s, "/reserver", {"jeton": token, "objet": item, "du": "2020-01-01", "au": "2020-01-02"})
    assert r.status_code == 422 and "aujourd'hui au plus tôt" in " ".join(errors(r))
    assert servers.sql("SELECT count(*) FROM tl.booking WHERE kind = 'reservation'")[0][0] == before
    r = post(servers, s, "/reserver", {"jeton": token, "objet": item, "du": str(first), "au": str(last)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/tierslieux/compte?fait=reservation")
    booking, member = servers.sql("SELECT b.id, m.member_number FROM tl.booking b JOIN tl.member m ON m.id = b.member_id "
                                  "JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s AND b.kind = 'reservation' "
                                  "AND b.cancelled_at IS NULL", (item,))[0]
    assert member == DEMO[0]
    # Overlapping days are refused by the bookings' constraint.
    r = post(servers, s, "/reserver", {"jeton": token, "objet": item, "du": str(last), "au": str(last)})
    assert r.status_code == 422 and "déjà prêté ou réservé" in " ".join(errors(r))
    # Shown on the account, then cancelled by the member.
    _, soup = page(servers, s)
    assert item in soup.select_one("section[aria-labelledby=reservations-titre]").get_text()
    r = post(servers, s, "/annuler", {"jeton": token, "reservation": booking})
    assert r.status_code == 303
    assert servers.sql("SELECT cancelled_at IS NOT NULL FROM tl.booking WHERE id = %s", (booking,)) == [(True,)]
    # An unknown item: the form again, with the message.
    r, soup = page(servers, s, "/tierslieux/compte/reserver?objet=ZZ-9999")
    assert r.status_code == 404 and "Aucun objet" in soup.find(id="erreur-objet").get_text()


def test_waiting_for_an_item_on_loan(servers):
    out = servers.sql("SELECT i.code FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.member m "
                      "ON m.id = b.member_id WHERE m.member_number = %s AND b.kind = 'pret' "
                      "AND b.returned_at IS NULL LIMIT 1", (OTHER,))[0][0]
    available = servers.sql("SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id "
                            "WHERE a.state = 'disponible' ORDER BY i.code LIMIT 1")[0][0]
    s, _ = member_login(servers)
    r, soup = page(servers, s, f"/tierslieux/compte/reserver?objet={out}")
    assert soup.find("form", attrs={"action": "/tierslieux/compte/attente"})
    r = post(servers, s, "/attente", {"jeton": token_of(soup), "objet": available})
    assert r.status_code == 422 and "réservez-le" in " ".join(errors(r))
    r = post(servers, s, "/attente", {"jeton": token_of(soup), "objet": out})
    assert r.status_code == 303 and r.headers["Location"].endswith("?fait=attente")
    r = post(servers, s, "/attente", {"jeton": token_of(soup), "objet": out})
    assert r.status_code == 422 and "déjà" in " ".join(errors(r))
    _, soup = page(servers, s)
    section = soup.select_one("section[aria-labelledby=attente-titre]")
    assert out in section.get_text()
    entry = section.find("input", attrs={"name": "attente"})["value"]
    r = post(servers, s, "/attente", {"jeton": token_of(soup), "attente": entry})
    assert r.status_code == 303 and r.headers["Location"].endswith("?fait=depart")
    assert servers.sql("SELECT removed_at IS NOT NULL FROM tl.waiting_list WHERE id = %s", (entry,)) == [(True,)]


def test_the_public_item_page_leads_to_the_reservation(servers):
    soup = BeautifulSoup(servers.get("/tierslieux/outils/1").text, "html.parser")
    link = soup.find("a", href=re.compile(r"/tierslieux/compte/reserver\?objet="))
    assert link and "réservez" in link.get_text()


# ---- the CNIL rights ----------------------------------------------------------------

def test_data_page_and_downloads_hold_the_members_own_data_only(servers):
    s, _ = member_login(servers)
    r, soup = page(servers, s, "/tierslieux/compte/donnees")
    assert r.status_code == 200 and "claire.martin@example.org" in soup.get_text()
    other_name, other_mail = servers.sql("SELECT family_name, email FROM tl.member WHERE member_number = %s", (OTHER,))[0]
    r = s.get(servers.url("/tierslieux/compte/donnees.json"), timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="mes-donnees.json"'
    assert r.headers["Cache-Control"] == "private, no-store"
    data = json.loads(r.text)
    assert data["adherent"]["numero"] == DEMO[0] and data["prets"]
    assert other_name not in r.text and other_mail not in r.text and OTHER not in r.text
    r = s.get(servers.url("/tierslieux/compte/donnees.csv"), timeout=10)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="mes-donnees.csv"'
    assert r.headers["Cache-Control"] == "private, no-store"
    assert r.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Élément", "Détail", "Date", "Fin ou état"]
    assert ["adhérent", "numéro d'adhérent", DEMO[0], "", ""] in rows
    assert any(row[0] == "prêt" for row in rows)
    assert other_name not in r.text and other_mail not in r.text
    assert servers.sql("SELECT action, by_member FROM tl.member_access ORDER BY id DESC LIMIT 2") == [
        ("export", True), ("export", True)]


def test_erasure_with_nothing_out_removes_the_member_and_ends_the_session(servers):
    new_member(servers, "T-000006", "Effacez-moi-2026")
    s, r = member_login(servers, "T-000006", "Effacez-moi-2026")
    assert r.status_code == 302
    _, soup = page(servers, s, "/tierslieux/compte/donnees")
    r = post(servers, s, "/effacer", {"jeton": token_of(soup)})
    assert r.status_code == 422 and "Cochez la case" in " ".join(errors(r))
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = 'T-000006'") == [(1,)]
    r = post(servers, s, "/effacer", {"jeton": token_of(soup), "confirmation": "1"})
    assert r.status_code == 200 and "Vos données sont effacées" in r.text
    assert r.headers["Set-Cookie"].startswith("tierslieux_compte=")
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = 'T-000006'") == [(0,)]
    assert servers.sql("SELECT action, by_member, member_id FROM tl.member_access ORDER BY id DESC LIMIT 1") == [
        ("effacement", True, None)]
    r = s.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/compte/connexion")


def test_erasure_is_refused_while_an_item_is_out(servers):
    s, _ = member_login(servers)
    _, soup = page(servers, s, "/tierslieux/compte/donnees")
    r = post(servers, s, "/effacer", {"jeton": token_of(soup), "confirmation": "1"})
    assert r.status_code == 422
    assert "pas encore rendu" in BeautifulSoup(r.text, "html.parser").find(id="erreur-confirmation").get_text()
    assert BeautifulSoup(r.text, "html.parser").find(id="confirmation")["aria-invalid"] == "true"
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = %s", (DEMO[0],)) == [(1,)]


def test_erasure_is_refused_while_a_deposit_is_held(servers):
    new_member(servers, "T-000007", "Effacez-moi-2026")
    servers.sql("INSERT INTO tl.member_deposit (member_id, amount, kind) "
                "SELECT id, 20, 'especes' FROM tl.member WHERE member_number = 'T-000007'")
    s, _ = member_login(servers, "T-000007", "Effacez-moi-2026")
    _, soup = page(servers, s)
    assert "20" in soup.select_one("section[aria-labelledby=cautions-titre]").get_text()
    _, soup = page(servers, s, "/tierslieux/compte/donnees")
    r = post(servers, s, "/effacer", {"jeton": token_of(soup), "confirmation": "1"})
    assert r.status_code == 422 and "caution" in " ".join(errors(r))
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = 'T-000007'") == [(1,)]


# ---- forms need their token ----------------------------------------------------------

def test_every_post_needs_its_form_token(servers, expect_log):
    expect_log.append("TLX0501")                      # form refused: bad token
    s, _ = member_login(servers)
    booking = servers.sql("SELECT b.id FROM tl.booking b JOIN tl.member m ON m.id = b.member_id "
                          "WHERE m.member_number = %s AND b.kind = 'pret' AND b.returned_at IS NULL LIMIT 1",
                          (DEMO[0],))[0][0]
    before = servers.sql("SELECT count(*), sum(renewals) FROM tl.booking")
    members = servers.sql("SELECT count(*) FROM tl.member")
    forms = {
        "/prolonger": {"pret": booking},
        "/reserver": {"objet": "OT-0004", "du": "2030-01-01", "au": "2030-01-02"},
        "/annuler": {"reservation": 1},
        "/attente": {"objet": "OT-0023"},
        "/effacer": {"confirmation": "1"},
    }
    for path, data in forms.items():
        for token in (None, "faux.jeton"):
            r = post(servers, s, path, {**data, **({"jeton": token} if token else {})})
            assert r.status_code == 403, path
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={"lien": "A" * 43, "mot_de_passe": "x" * 12, "confirmation": "x" * 12})
    assert r.status_code == 403
    volunteer, _ = login(servers, "benevole.mediatheque")
    r = volunteer.post(servers.url("/tierslieux/guichet/adherent/lien"), data={"numero": DEMO[0]},
                       allow_redirects=False, timeout=10)
    assert r.status_code == 403
    # A token made for the desk does not open a member's form.
    _, desk_token = desk(servers)
    assert post(servers, s, "/prolonger", {"jeton": desk_token, "pret": booking}).status_code == 403
    assert servers.sql("SELECT count(*), sum(renewals) FROM tl.booking") == before
    assert servers.sql("SELECT count(*) FROM tl.member") == members


def test_with_the_sites_own_login_only_mapped_logins_are_members(servers):
    """TiersLieuxMemberLogin site: REMOTE_USER comes from the site (here Basic
    auth from a file, standing in for LDAP or CAS) and names a member only
    through the login mapped at the desk — a site user called like a member
    number never sees that member's account."""
    import base64
    new_member(servers, "T-000008")
    servers.sql("SELECT tl.set_member_site_login('benevole.mediatheque', 'T-000008', 'c.mairie')")
    # httpd's children read it on every request: by the folder's own path, as
    # a checkout under a private home holds only a link to it (script/lib.sh).
    users = os.path.realpath(os.path.join(servers.web, "extra", "annuaire.passwd"))
    extra = os.path.join(servers.web, "extra", "annuaire.conf")
    sha = lambda pw: "{SHA}" + base64.b64encode(hashlib.sha1(pw.encode()).digest()).decode()
    with open(users, "w", encoding="utf-8") as f:
        f.write(f"c.mairie:{sha('Annuaire-2026')}\nA-000123:{sha('Annuaire-2026')}\n")
    with open(extra, "w", encoding="utf-8") as f:
        f.write("LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so\n"
                "LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so\n"
                '<Location "/annuaire">\n  SetHandler tierslieux\n  TiersLieuxMemberLogin site\n'
                '  AuthType Basic\n  AuthName "Annuaire de la mairie"\n  AuthBasicProvider file\n'
                f'  AuthUserFile "{users}"\n  Require valid-user\n</Location>\n')
    try:
        servers.restart_httpd()
        r = servers.get("/annuaire/compte", auth=("c.mairie", "Annuaire-2026"))
        assert r.status_code == 200 and "(T-000008)" in BeautifulSoup(r.text, "html.parser").h1.get_text()
        r = servers.get("/annuaire/compte", auth=("A-000123", "Annuaire-2026"))
        assert r.status_code == 403 and "Claire" not in r.text and "aucun adhérent" in r.text
        r = servers.get("/annuaire/compte/donnees.json", auth=("A-000123", "Annuaire-2026"))
        assert r.status_code == 403 and "claire" not in r.text.lower()
    finally:
        os.remove(extra)
        os.remove(users)
        servers.restart_httpd()


def test_spent_links_are_forgotten_after_a_month(servers):
    new_member(servers, "T-000009")
    for token, age in (("C" * 43, "40 days"), ("D" * 43, "3 days")):
        servers.sql("INSERT INTO tl.password_link (member_id, token_sha256, created_at, expires_at, used_at) "
                    "SELECT id, decode(%s, 'hex'), now() - %s::interval - interval '1 day', "
                    "now() - %s::interval + interval '6 days', now() - %s::interval "
                    "FROM tl.member WHERE member_number = 'T-000009'",
                    (hashlib.sha256(token.encode()).hexdigest(), age, age, age))
    assert servers.sql("SELECT tl.apply_password_link_retention()")[0][0] >= 1
    left = servers.sql("SELECT count(*) FROM tl.password_link l JOIN tl.member m ON m.id = l.member_id "
                       "WHERE m.member_number = 'T-000009'")
    assert left == [(1,)]
    out = subprocess.run([os.path.join(ROOT, "script", "retention"), "-h", os.path.realpath(servers.pg),
                          "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux"],
                         capture_output=True, text=True, check=True)
    assert "forgotten password links:" in out.stdout


def test_a_link_secret_never_reaches_the_access_log(servers):
    import os
    import time
    new_member(servers, "T-000099")
    _, r = desk_link(servers, "T-000099")
    secret = link_of(r).split("jeton=")[1]
    log = os.path.join(servers.web, "logs", "access.log")
    assert servers.get(f"/tierslieux/compte/mot-de-passe?jeton={secret}").status_code == 200
    assert servers.get(f"/tierslieux/compte/mot-de-passe?x=1&jeton={secret}&y=2").status_code == 200
    assert servers.get("/tierslieux/compte/mot-de-passe?jeton=").status_code == 404     # empty: no crash
    time.sleep(0.5)                                     # the log is written after the answer
    with open(log, encoding="utf-8") as f:
        text = f.read()
    assert secret not in text
    assert '"GET /tierslieux/compte/mot-de-passe?jeton=- HTTP/1.1" 200' in text
    assert '"GET /tierslieux/compte/mot-de-passe?x=1&jeton=-&y=2 HTTP/1.1" 200' in text
