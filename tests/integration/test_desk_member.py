"""A member's file at the desk: loans, renewals, and the CNIL rights
(export, erasure); every read of the file is recorded."""
import json

from bs4 import BeautifulSoup

from test_desk_access import login


def desk(servers, user="benevole.mediatheque"):
    s, _ = login(servers, user)
    soup = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/adherent"), timeout=10).text, "html.parser")
    return s, soup.find("input", attrs={"name": "jeton"})["value"]


def post(servers, s, path, data):
    return s.post(servers.url(f"/tierslieux/guichet/adherent{path}"), data=data, allow_redirects=False, timeout=10)


def test_the_file_shows_loans_and_each_read_is_recorded(servers):
    s, token = desk(servers)
    number, name = servers.sql("SELECT member_number, given_name || ' ' || family_name FROM tl.member "
                               "WHERE member_number = 'A-000123'")[0]
    before = servers.sql("SELECT count(*) FROM tl.member_access")[0][0]
    r = post(servers, s, "", {"jeton": token, "numero": number.lower()})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.h1.get_text() == f"{name} ({number})"
    codes = [td.get_text() for td in soup.select("tbody tr td:first-child")]
    assert codes and all("(" in c for c in codes)
    assert servers.sql("SELECT count(*) FROM tl.member_access")[0][0] == before + 1     # one file, one row
    who = servers.sql("SELECT a.login, x.action FROM tl.member_access x JOIN tl.account a ON a.id = x.account_id "
                      "ORDER BY x.id DESC LIMIT 1")[0]
    assert who == ("benevole.mediatheque", "consultation")
    r = post(servers, s, "", {"jeton": token, "numero": "Z-404"})
    assert r.status_code == 422
    assert "Aucun adhérent" in BeautifulSoup(r.text, "html.parser").find(id="erreur-numero").get_text()


def test_renewal_within_the_rules(servers, db):
    s, token = desk(servers)
    booking, number, due, renewals, max_renewals = servers.sql("""
        SELECT b.id, m.member_number, b.due_on, b.renewals, c.max_renewals FROM tl.booking b
          JOIN tl.member m ON m.id = b.member_id JOIN tl.item i ON i.id = b.item_id
          JOIN tl.category c ON c.id = i.category_id JOIN tl.place p ON p.id = i.place_id
         WHERE b.kind = 'pret' AND b.returned_at IS NULL AND p.slug = 'mediatheque-jules-verne'
           AND b.renewals < c.max_renewals ORDER BY b.id LIMIT 1""")[0]
    try:
        r = post(servers, s, "/prolonger", {"jeton": token, "numero": number, "pret": booking})
        assert r.status_code == 303 and r.headers["Location"].endswith("/guichet/adherent?fait=prolongation")
        new_due, new_renewals = servers.sql("SELECT due_on, renewals FROM tl.booking WHERE id = %s", (booking,))[0]
        assert new_due > due and new_renewals == renewals + 1
        assert new_due.weekday() not in (0, 6)          # the médiathèque opens Tuesday to Saturday
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET renewals = %s WHERE id = %s", (max_renewals, booking))
        r = post(servers, s, "/prolonger", {"jeton": token, "numero": number, "pret": booking})
        assert r.status_code == 422 and "maximum" in r.text
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET due_on = %s, renewals = %s WHERE id = %s", (due, renewals, booking))


def test_export_and_erasure(servers, db):
    s, token = desk(servers)
    with db.cursor() as cur:
        cur.execute("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                    "VALUES ('E-000001', 'Effacé', 'Bientôt', 'bientot@example.org') RETURNING id")
        member = cur.fetchone()[0]
        cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, returned_at) "
                    "SELECT 'pret', id, %s, '2025-06-05 10:00+02', '2025-06-12', '2025-06-11 10:00+02' "
                    "FROM tl.item WHERE code = 'OT-0014' RETURNING id", (member,))
        booking = cur.fetchone()[0]
        cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, due_on) "
                    "SELECT 'pret', a.item_id, %s, current_date + 5 FROM tl.item_availability a "
                    "WHERE a.state = 'disponible' ORDER BY a.item_id DESC LIMIT 1 RETURNING id", (member,))
        out = cur.fetchone()[0]
    r = post(servers, s, "/exporter", {"jeton": token, "numero": "E-000001", "format": "json"})
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(r.text)
    assert data["adherent"]["nom"] == "Effacé" and len(data["prets"]) == 2 and "OT-0014" in r.text
    r = post(servers, s, "/exporter", {"jeton": token, "numero": "E-000001", "format": "csv"})
    assert r.headers["Content-Disposition"] == 'attachment; filename="mes-prets.csv"' and "OT-0014" in r.text
    r = post(servers, s, "/effacer", {"jeton": token, "numero": "E-000001", "confirmation": "1"})
    assert r.status_code == 422 and "pas encore rendu" in r.text
    servers.sql("UPDATE tl.booking SET returned_at = now() WHERE id = %s", (out,))
    r = post(servers, s, "/effacer", {"jeton": token, "numero": "E-000001"})
    assert r.status_code == 422                           # the confirmation box is required
    r = post(servers, s, "/effacer", {"jeton": token, "numero": "E-000001", "confirmation": "1"})
    assert r.status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = 'E-000001'")[0][0] == 0
    assert servers.sql("SELECT member_id FROM tl.booking WHERE id = %s", (booking,))[0][0] is None
    assert servers.sql("SELECT x.action FROM tl.member_access x ORDER BY x.id DESC LIMIT 1")[0][0] == "effacement"


def test_reservations_for_a_member(servers):
    import datetime
    s, token = desk(servers)
    item = servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = 'mediatheque-jules-verne' AND a.state = 'disponible' AND i.safety_check_days IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'reservation'
                           AND b.cancelled_at IS NULL)
         ORDER BY i.code DESC LIMIT 1""")[0][0]
    start = datetime.date.today() + datetime.timedelta(days=3)
    end = start + datetime.timedelta(days=4)
    r = post(servers, s, "/reserver", {"jeton": token, "numero": "A-000187", "objet": item,
                                       "du": start.isoformat(), "au": end.isoformat()})
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=reservation")
    booking = servers.sql("SELECT b.id FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s "
                          "AND b.kind = 'reservation' AND b.cancelled_at IS NULL", (item,))[0][0]
    try:
        r = post(servers, s, "/reserver", {"jeton": token, "numero": "A-000204", "objet": item,
                                           "du": (start + datetime.timedelta(days=2)).isoformat(),
                                           "au": (end + datetime.timedelta(days=2)).isoformat()})
        assert r.status_code == 422
        assert "déjà prêté ou réservé" in BeautifulSoup(r.text, "html.parser").find(id="erreur-reserver").get_text()
        page = BeautifulSoup(post(servers, s, "", {"jeton": token, "numero": "A-000187"}).text, "html.parser")
        assert item in page.find(id="reservations-titre").find_parent("section").get_text()
        # Someone else cannot borrow it across the reserved days.
        lend = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/pret"), timeout=10).text, "html.parser")
        lend_token = lend.find("input", attrs={"name": "jeton"})["value"]
        r = s.post(servers.url("/tierslieux/guichet/pret/confirmer"), allow_redirects=False, timeout=10,
                   data={"jeton": lend_token, "adherent": "A-000204", "objet": item})
        assert r.status_code == 422 and "réservé par un autre adhérent" in r.text
        r = post(servers, s, "/reserver", {"jeton": token, "numero": "A-000187", "objet": item,
                                           "du": "2020-01-01", "au": "2020-01-02"})
        assert r.status_code == 422
        r = post(servers, s, "/annuler", {"jeton": token, "numero": "A-000187", "reservation": booking})
        assert r.status_code == 303
        assert servers.sql("SELECT cancelled_at IS NOT NULL FROM tl.booking WHERE id = %s", (booking,))[0][0]
    finally:
        servers.sql("UPDATE tl.booking SET cancelled_at = now() WHERE id = %s AND cancelled_at IS NULL", (booking,))


def test_deposits_are_recorded_and_given_back(servers):
    s, token = desk(servers)
    before = servers.sql("SELECT count(*) FROM tl.member_deposit")[0][0]
    for amount, expected in (("50", 50), ("12,50", 12.5)):
        r = post(servers, s, "/caution", {"jeton": token, "numero": "A-000251", "montant": amount,
                                          "nature": "cheque_non_encaisse"})
        assert r.status_code == 303 and r.headers["Location"].endswith("fait=caution")
        assert float(servers.sql("SELECT amount FROM tl.member_deposit ORDER BY id DESC LIMIT 1")[0][0]) == expected
    for amount, nature in (("abc", "especes"), ("-5", "especes"), ("0", "especes"), ("20", "bitcoin")):
        r = post(servers, s, "/caution", {"jeton": token, "numero": "A-000251", "montant": amount, "nature": nature})
        assert r.status_code == 422 and "Rien n'a été enregistré" in r.text, (amount, nature)
        assert BeautifulSoup(r.text, "html.parser").find(id="caution-montant")["aria-invalid"] == "true"
    assert servers.sql("SELECT count(*) FROM tl.member_deposit")[0][0] == before + 2
    deposit = servers.sql("SELECT id FROM tl.member_deposit ORDER BY id DESC LIMIT 1")[0][0]
    page = BeautifulSoup(post(servers, s, "", {"jeton": token, "numero": "A-000251"}).text, "html.parser")
    assert "12,50" in page.find(id="cautions-titre").find_parent("section").get_text()
    r = post(servers, s, "/caution", {"jeton": token, "numero": "A-000251", "caution": deposit})
    assert r.status_code == 303
    assert servers.sql("SELECT returned_on IS NOT NULL FROM tl.member_deposit WHERE id = %s", (deposit,))[0][0]
    r = post(servers, s, "/caution", {"jeton": token, "numero": "A-000251", "caution": deposit})
    assert r.status_code == 422
    export = json.loads(post(servers, s, "/exporter", {"jeton": token, "numero": "A-000251", "format": "json"}).text)
    assert len(export["cautions"]) >= 2
    servers.sql("DELETE FROM tl.member_deposit WHERE member_id = (SELECT id FROM tl.member WHERE member_number = 'A-000251')")


def test_waiting_list(servers):
    s, token = desk(servers)
    item = servers.sql("""
        SELECT i.code FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
         WHERE b.kind = 'pret' AND b.returned_at IS NULL AND p.slug = 'mediatheque-jules-verne'
         ORDER BY i.code LIMIT 1""")[0][0]
    try:
        for number in ("A-000251", "A-000405"):
            r = post(servers, s, "/attente", {"jeton": token, "numero": number, "objet": item})
            assert r.status_code == 303, r.text[:300]
        r = post(servers, s, "/attente", {"jeton": token, "numero": "A-000251", "objet": item})
        assert r.status_code == 422
        assert "attend déjà" in BeautifulSoup(r.text, "html.parser").find(id="erreur-attente").get_text()
        soup = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/objet"), params={"numero": item},
                                   timeout=10).text, "html.parser")
        rows = [tr.get_text(" ", strip=True) for tr in soup.find(string="Liste d'attente").find_next("table").select("tbody tr")]
        assert rows[0].startswith("1") and "A-000251" in rows[0] and rows[1].startswith("2") and "A-000405" in rows[1]
        page = BeautifulSoup(post(servers, s, "", {"jeton": token, "numero": "A-000405"}).text, "html.parser")
        line = page.find(id="attente-titre").find_parent("section").select("tbody tr")[0].get_text(" ", strip=True)
        assert item in line and " 2 " in f" {line} "
        # The first in line borrows it once it is back: off the list.
        servers.sql("UPDATE tl.booking SET returned_at = now() WHERE kind = 'pret' AND returned_at IS NULL "
                    "AND item_id = (SELECT id FROM tl.item WHERE code = %s)", (item,))
        servers.sql("INSERT INTO tl.booking (kind, item_id, member_id, due_on) SELECT 'pret', i.id, m.id, "
                    "current_date + 7 FROM tl.item i, tl.member m WHERE i.code = %s AND m.member_number = 'A-000251'",
                    (item,))
        assert servers.sql("SELECT served_at IS NOT NULL FROM tl.waiting_list w JOIN tl.member m ON m.id = w.member_id "
                           "WHERE m.member_number = 'A-000251' ORDER BY w.id DESC LIMIT 1")[0][0]
        entry = servers.sql("SELECT w.id FROM tl.waiting_list w JOIN tl.member m ON m.id = w.member_id "
                            "WHERE m.member_number = 'A-000405' AND w.removed_at IS NULL AND w.served_at IS NULL")[0][0]
        r = post(servers, s, "/attente", {"jeton": token, "numero": "A-000405", "attente": entry})
        assert r.status_code == 303
        assert servers.sql("SELECT removed_at IS NOT NULL FROM tl.waiting_list WHERE id = %s", (entry,))[0][0]
    finally:
        servers.sql("UPDATE tl.waiting_list SET removed_at = now() WHERE removed_at IS NULL AND served_at IS NULL")


def test_membership_fee_is_recorded(servers):
    s, token = desk(servers)
    r = post(servers, s, "/cotisation", {"jeton": token, "numero": "A-000312", "cotisation": "7,50"})
    assert r.status_code == 303
    assert float(servers.sql("SELECT fee_amount FROM tl.member WHERE member_number = 'A-000312'")[0][0]) == 7.5
    page = BeautifulSoup(post(servers, s, "", {"jeton": token, "numero": "A-000312"}).text, "html.parser")
    assert "7,50\u00a0€" in page.get_text()
    for bad in ("sept", "-3", "2000"):
        r = post(servers, s, "/cotisation", {"jeton": token, "numero": "A-000312", "cotisation": bad})
        assert r.status_code == 422, bad
        assert "Rien n'a été enregistré" in BeautifulSoup(r.text, "html.parser").find(id="erreur-cotisation").get_text()


def test_the_desk_maps_a_site_login_to_a_member(servers):
    s, token = desk(servers)
    number = servers.sql("SELECT member_number FROM tl.member WHERE member_number <> 'A-000123' "
                         "ORDER BY id LIMIT 1")[0][0]
    for bad, words in (("a-000123", "numéro d'adhérent"), ("deux mots", "sans espace")):
        r = post(servers, s, "/identifiant", {"jeton": token, "numero": number, "identifiant_site": bad})
        assert r.status_code == 422, bad
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-identifiant_site").get_text()
        assert soup.find(id="identifiant_site")["aria-invalid"] == "true"
    assert servers.sql("SELECT site_login FROM tl.member WHERE member_number = %s", (number,)) == [(None,)]
    r = post(servers, s, "/identifiant", {"jeton": token, "numero": number, "identifiant_site": "jdupont@mairie"})
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=identifiant")
    assert number not in r.headers["Location"]
    assert servers.sql("SELECT site_login FROM tl.member WHERE member_number = %s", (number,)) == [("jdupont@mairie",)]
    soup = BeautifulSoup(post(servers, s, "", {"jeton": token, "numero": number}).text, "html.parser")
    assert soup.find(id="identifiant_site")["value"] == "jdupont@mairie"
    # Taken away again.
    assert post(servers, s, "/identifiant", {"jeton": token, "numero": number,
                                             "identifiant_site": ""}).status_code == 303
    assert servers.sql("SELECT site_login FROM tl.member WHERE member_number = %s", (number,)) == [(None,)]
