"""Lending and taking back at the desk: the preview, the due date on an open
day, every refusal in French next to its field, the référent's override,
and twenty desks lending the same item at once."""
import datetime
import threading

from bs4 import BeautifulSoup

from test_desk_access import login

PLACE = "mediatheque-jules-verne"


def token(session, servers, path):
    soup = BeautifulSoup(session.get(servers.url(path), timeout=10).text, "html.parser")
    return soup.find("input", attrs={"name": "jeton"})["value"]


def desk(servers, user="benevole.mediatheque"):
    s, _ = login(servers, user)
    return s, token(s, servers, "/tierslieux/guichet/pret"), token(s, servers, "/tierslieux/guichet/retour")


def free_item(servers, place=PLACE):
    """An item of the place that nothing keeps from being lent."""
    return servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL
           AND (i.safety_check_days IS NULL OR i.last_safety_check + i.safety_check_days >= current_date)
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'reservation'
                           AND b.cancelled_at IS NULL)
         ORDER BY i.code LIMIT 1""", (place,))[0][0]


def member_without_late_items(servers):
    return servers.sql("""
        SELECT m.member_number FROM tl.member m
         WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = m.id AND b.kind = 'pret'
                           AND b.returned_at IS NULL AND b.due_on < current_date)
         ORDER BY m.member_number LIMIT 1""")[0][0]


def post(s, servers, path, data):
    return s.post(servers.url(path), data=data, allow_redirects=False, timeout=30)


def give_back(servers, code):
    servers.sql("UPDATE tl.booking SET returned_at = now() WHERE kind = 'pret' AND returned_at IS NULL "
                "AND item_id = (SELECT id FROM tl.item WHERE code = %s)", (code,))


def test_preview_then_confirm_lends_until_an_open_day(servers):
    s, t, _ = desk(servers)
    item, member = free_item(servers), member_without_late_items(servers)
    r = post(s, servers, "/tierslieux/guichet/pret/verifier", {"jeton": t, "adherent": member.lower(), "objet": item})
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    due = datetime.date.fromisoformat(soup.find("time")["datetime"])
    loan_days = servers.sql("SELECT coalesce(i.loan_days, c.loan_days) FROM tl.item i JOIN tl.category c "
                            "ON c.id = i.category_id WHERE i.code = %s", (item,))[0][0]
    assert due >= datetime.date.today() + datetime.timedelta(days=loan_days)
    assert due.weekday() not in (0, 6)          # the médiathèque is closed on Sundays and Mondays
    assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                       "WHERE i.code = %s AND b.returned_at IS NULL AND b.kind = 'pret'", (item,))[0][0] == 0
    try:
        r = post(s, servers, "/tierslieux/guichet/pret/confirmer", {"jeton": t, "adherent": member, "objet": item})
        assert r.status_code == 303
        assert member not in r.headers["Location"]            # member numbers never travel in URLs
        assert f"fait={item}" in r.headers["Location"]
        lent_by, due_on = servers.sql(
            "SELECT a.login, b.due_on FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
            "JOIN tl.account a ON a.id = b.lent_by WHERE i.code = %s AND b.returned_at IS NULL", (item,))[0]
        assert (lent_by, due_on) == ("benevole.mediatheque", due)
        item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (item,))[0][0]
        assert "En prêt jusqu'au" in servers.get(f"/tierslieux/outils/{item_id}").text
        done = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser")
        assert f"Prêt enregistré : {item}" in done.select_one("[role=status]").get_text()
    finally:
        give_back(servers, item)


def test_twenty_desks_lend_the_same_item_at_once(servers):
    item = free_item(servers)
    # Twenty members of the test's own, whom nothing keeps from borrowing:
    # the only refusal left is the item already lent.
    members = [f"T-VINGT-{n:02}" for n in range(20)]
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                "SELECT m, 'Vingt', 'Membre', lower(m) || '@example.org' FROM unnest(%s::text[]) m", (members,))
    clients = []
    for n in range(20):
        s, t, _ = desk(servers, "admin.reseau" if n % 2 else "benevole.mediatheque")
        clients.append((s, t, members[n]))
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def lend(n):
        s, t, member = clients[n]
        # A new connection each: httpd may have closed the one left idle
        # since the desk page while the other clients were made (a loaded
        # machine), and a POST on a closed connection is not sent again.
        s.close()
        barrier.wait()
        results[n] = post(s, servers, "/tierslieux/guichet/pret/confirmer",
                          {"jeton": t, "adherent": member, "objet": item})

    threads = [threading.Thread(target=lend, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        statuses = [r.status_code for r in results]
        assert statuses.count(303) == 1, statuses
        for r in results:
            if r.status_code != 303:
                assert r.status_code == 422
                message = BeautifulSoup(r.text, "html.parser").find(id="erreur-objet").get_text()
                assert "déjà prêté" in message, message
        assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                           "WHERE i.code = %s AND b.kind = 'pret' AND b.returned_at IS NULL", (item,))[0][0] == 1
    finally:
        give_back(servers, item)


def test_refusals_are_explained_next_to_their_field(servers, db):
    s, t, _ = desk(servers)
    member = member_without_late_items(servers)
    cases = []
    in_repair = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id JOIN "
                            "tl.item_availability a ON a.item_id = i.id WHERE p.slug = %s AND a.state = "
                            "'maintenance' LIMIT 1", (PLACE,))[0][0]
    cases.append(({"adherent": member, "objet": in_repair}, "erreur-objet", "en maintenance"))
    cases.append(({"adherent": "Z-999999", "objet": free_item(servers)}, "erreur-adherent", "Aucun adhérent"))
    cases.append(({"adherent": member, "objet": "XX-0000"}, "erreur-objet", "Aucun objet"))
    cases.append(({"adherent": "", "objet": ""}, "erreur-adherent", "numéro de la carte"))
    electrical = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id JOIN "
                             "tl.item_availability a ON a.item_id = i.id WHERE p.slug = %s AND a.state = "
                             "'disponible' AND i.safety_check_days IS NOT NULL LIMIT 1", (PLACE,))[0][0]
    with db.cursor() as cur:
        cur.execute("UPDATE tl.item SET last_safety_check = current_date - 800, safety_check_days = 365 "
                    "WHERE code = %s RETURNING (SELECT last_safety_check FROM tl.item WHERE code = %s)",
                    (electrical, electrical))
    cases.append(({"adherent": member, "objet": electrical}, "erreur-objet", "contrôle de sécurité électrique"))
    try:
        before = servers.sql("SELECT count(*) FROM tl.booking")[0][0]
        for data, where, words in cases:
            for step in ("verifier", "confirmer"):
                r = post(s, servers, f"/tierslieux/guichet/pret/{step}", dict(data, jeton=t))
                assert r.status_code == 422, (data, step)
                assert words in BeautifulSoup(r.text, "html.parser").find(id=where).get_text(), (data, where)
        assert servers.sql("SELECT count(*) FROM tl.booking")[0][0] == before
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.item SET last_safety_check = current_date WHERE code = %s", (electrical,))


def test_an_overdue_member_needs_a_referent(servers, db):
    member, late_item = servers.sql(
        "SELECT m.member_number, b.id FROM tl.booking b JOIN tl.member m ON m.id = b.member_id "
        "JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id "
        "WHERE b.kind = 'pret' AND b.returned_at IS NULL AND p.slug = %s ORDER BY b.id LIMIT 1", (PLACE,))[0]
    with db.cursor() as cur:
        cur.execute("UPDATE tl.booking SET starts_at = now() - interval '30 days', due_on = current_date - 3 "
                    "WHERE id = %s", (late_item,))
    item = free_item(servers)
    try:
        s, t, _ = desk(servers)
        r = post(s, servers, "/tierslieux/guichet/pret/verifier", {"jeton": t, "adherent": member, "objet": item})
        assert r.status_code == 422
        soup = BeautifulSoup(r.text, "html.parser")
        assert "en retard" in soup.find(id="erreur-adherent").get_text()
        assert soup.find("input", id="passer-outre")
        r = post(s, servers, "/tierslieux/guichet/pret/confirmer",
                 {"jeton": t, "adherent": member, "objet": item, "passer_outre": "1"})
        assert r.status_code in (403, 422)
        assert "réservé aux référents" in r.text
        admin, ta, _ = desk(servers, "admin.reseau")
        r = post(admin, servers, "/tierslieux/guichet/pret/confirmer",
                 {"jeton": ta, "adherent": member, "objet": item, "passer_outre": "1"})
        assert r.status_code == 303
        assert servers.sql("SELECT a.login FROM tl.booking b JOIN tl.account a ON a.id = b.override_by "
                           "JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s AND b.returned_at IS NULL",
                           (item,))[0][0] == "admin.reseau"
    finally:
        give_back(servers, item)
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET due_on = current_date + 7 WHERE id = %s", (late_item,))


def test_a_volunteer_cannot_lend_another_places_items(servers):
    s, t, _ = desk(servers)
    other = free_item(servers, "la-fabrique")
    before = servers.sql("SELECT count(*) FROM tl.booking")[0][0]
    r = post(s, servers, "/tierslieux/guichet/pret/confirmer",
             {"jeton": t, "adherent": member_without_late_items(servers), "objet": other})
    assert r.status_code == 403 and "ne tenez pas" in r.text
    assert servers.sql("SELECT count(*) FROM tl.booking")[0][0] == before


def test_taking_back_with_condition_and_maintenance(servers):
    s, t, tr = desk(servers)
    item = free_item(servers)
    member = member_without_late_items(servers)
    r = post(s, servers, "/tierslieux/guichet/pret/confirmer", {"jeton": t, "adherent": member, "objet": item})
    assert r.status_code == 303, BeautifulSoup(r.text, "html.parser").select(".tl-form-error")
    r = post(s, servers, "/tierslieux/guichet/retour",
             {"jeton": tr, "objet": item.lower(), "etat": "use", "maintenance": "Mandrin qui patine"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/tierslieux/guichet/retour?fait={item}")
    item_id, condition = servers.sql("SELECT id, condition FROM tl.item WHERE code = %s", (item,))[0]
    assert condition == "use"
    assert servers.sql("SELECT state FROM tl.item_availability WHERE item_id = %s", (item_id,))[0][0] == "maintenance"
    assert "En maintenance" in servers.get(f"/tierslieux/outils/{item_id}").text
    r = post(s, servers, "/tierslieux/guichet/retour", {"jeton": tr, "objet": item, "etat": "", "maintenance": ""})
    assert r.status_code == 422
    assert "n'est pas en prêt" in BeautifulSoup(r.text, "html.parser").find(id="erreur-objet").get_text()
    servers.sql("UPDATE tl.maintenance SET ended_at = now(), work_done = 'Mandrin changé' "
                "WHERE item_id = %s AND ended_at IS NULL", (item_id,))


def test_a_forgotten_card_finds_the_member_by_name(servers):
    s, t, _ = desk(servers)
    item = free_item(servers)
    number = "T-OUBLI"
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                "VALUES (%s, 'Bérard', 'Hélène', 'helene.berard@example.org')", (number,))
    # Typed without accents, in capitals, as a volunteer would.
    r = post(s, servers, "/tierslieux/guichet/pret/verifier", {"jeton": t, "adherent": "HELENE BERARD", "objet": item})
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("input", attrs={"name": "adherent", "type": "hidden"})["value"] == number
    assert f"({number})" in soup.select_one("dl.tl-facts").get_text()
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                "VALUES ('H-1', 'Homonyme', 'Sophie', 'h1@example.org'), ('H-2', 'Homonyme', 'Sophie', 'h2@example.org')")
    r = post(s, servers, "/tierslieux/guichet/pret/verifier", {"jeton": t, "adherent": "sophie homonyme", "objet": item})
    assert r.status_code == 422
    message = BeautifulSoup(r.text, "html.parser").find(id="erreur-adherent").get_text()
    assert "Plusieurs adhérents" in message and "H-1" in message and "H-2" in message


def test_an_old_barcode_is_accepted_at_the_desk(servers):
    s, t, tr = desk(servers)
    barcode, code = servers.sql("""
        SELECT i.barcode, i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND i.barcode IS NOT NULL AND a.state = 'disponible'
           AND (i.safety_check_days IS NULL OR i.last_safety_check + i.safety_check_days >= current_date)
         LIMIT 1""", (PLACE,))[0]
    member = member_without_late_items(servers)
    try:
        r = post(s, servers, "/tierslieux/guichet/pret/confirmer", {"jeton": t, "adherent": member, "objet": barcode})
        assert r.status_code == 303 and f"fait={code}" in r.headers["Location"]
        r = post(s, servers, "/tierslieux/guichet/retour", {"jeton": tr, "objet": barcode, "etat": "", "maintenance": ""})
        assert r.status_code == 303 and r.headers["Location"].endswith(f"fait={code}")
    finally:
        give_back(servers, code)
