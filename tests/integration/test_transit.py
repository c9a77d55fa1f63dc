"""Sharing between places (issue 16, points 4 and 5): an item of one place
reserved to be collected at another travels there, logged as a movement
(who sends it, when, who receives it, when); "in transit" is read from
that log, never stored. Returns are taken at any place and the item travels
home. A collection's référents decide whether its items travel; a référent
moves an item to another place for good, its history kept. Role checks,
CSRF and form refusals for every new route."""
import datetime

import psycopg2
import pytest
from bs4 import BeautifulSoup

from test_desk_access import login
from test_desk_lending import member_without_late_items, post, token

HOME = "la-fabrique"                   # B: the item's own place
PICKUP = "mediatheque-jules-verne"     # A: where it is collected
VOLUNTEER_A = "benevole.mediatheque"   # a volunteer of A only
REFERENT_B = "referente.fabrique"      # a référent of B only
TRANSIT = "/tierslieux/guichet/transit"


def free_item(servers, place=HOME):
    """An item of the place that nothing keeps from being lent or moved."""
    return servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL
           AND (i.safety_check_days IS NULL
                OR i.last_safety_check + i.safety_check_days > (now() AT TIME ZONE p.time_zone)::date)
           AND NOT EXISTS (SELECT 1 FROM tl.item_component c WHERE c.item_id = i.id)
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                             AND b.ends_at > now() - interval '1 day')
           AND NOT EXISTS (SELECT 1 FROM tl.item_movement m WHERE m.item_id = i.id)
         ORDER BY i.code LIMIT 1""", (place,))[0][0]


def today(servers):
    return servers.sql("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")[0][0]


def call(servers, query, params=()):
    """A function call in its own transaction; the refusal's message, or None."""
    try:
        servers.sql(query, params)
    except psycopg2.Error as e:
        return e.pgerror
    return None


def movements(servers, code):
    return servers.sql("""
        SELECT f.slug, t.slug, m.reason, m.sent_at IS NOT NULL, m.received_at IS NOT NULL, m.cancelled_at IS NOT NULL
          FROM tl.item_movement m JOIN tl.item i ON i.id = m.item_id
          JOIN tl.place f ON f.id = m.from_place_id JOIN tl.place t ON t.id = m.to_place_id
         WHERE i.code = %s ORDER BY m.id""", (code,))


def open_movement(servers, code):
    return servers.sql("SELECT m.id FROM tl.item_movement m JOIN tl.item i ON i.id = m.item_id WHERE i.code = %s "
                       "AND m.received_at IS NULL AND m.cancelled_at IS NULL", (code,))[0][0]


def place_now(servers, code):
    return servers.sql("SELECT p.slug FROM tl.item i JOIN tl.place p ON p.id = tl.item_place_now(i.id) "
                       "WHERE i.code = %s", (code,))[0][0]


def in_transit(servers, code):
    return servers.sql("SELECT t.to_place_name FROM tl.item_transit t JOIN tl.item i ON i.id = t.item_id "
                       "WHERE i.code = %s", (code,))


def reserve_at_pickup(servers, code, member, start=0, days=3, login=VOLUNTEER_A, pickup=PICKUP):
    d = today(servers) + datetime.timedelta(days=start)
    return servers.sql("SELECT tl.reserve_at(%s, %s, %s, %s, %s, %s)",
                       (login, member, code, d, d + datetime.timedelta(days=days), pickup))[0][0]


def test_an_item_reserved_elsewhere_travels_and_is_lent_and_returned_there(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    reserve_at_pickup(servers, code, member)
    assert movements(servers, code) == [(HOME, PICKUP, "reservation", False, False, False)]
    assert place_now(servers, code) == HOME and in_transit(servers, code) == []
    mid = open_movement(servers, code)
    # A's volunteer cannot send for B, nor receive what has not left.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.send_item(%s, %s)", (VOLUNTEER_A, mid))
    assert "pas encore parti" in call(servers, "SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid))
    servers.sql("SELECT tl.send_item(%s, %s)", (REFERENT_B, mid))
    assert "déjà parti" in call(servers, "SELECT tl.send_item(%s, %s)", (REFERENT_B, mid))
    # In transit is derived from the log: sent and not received.
    assert in_transit(servers, code) == [("Médiathèque Jules-Verne",)]
    assert "en transit vers Médiathèque Jules-Verne" in call(
        servers, "SELECT tl.check_out(%s, %s, %s, false)", (VOLUNTEER_A, member, code))
    # B's référent cannot receive for A.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.receive_item(%s, %s)", (REFERENT_B, mid))
    servers.sql("SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid))
    assert "déjà arrivé" in call(servers, "SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid)) \
        or "n'existe pas" in call(servers, "SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid))
    assert in_transit(servers, code) == [] and place_now(servers, code) == PICKUP
    # Lent at A by A's volunteer (the reservation becomes the loan), not by B's.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.check_out(%s, %s, %s, false)", (REFERENT_B, member, code))
    servers.sql("SELECT tl.check_out(%s, %s, %s, false)", (VOLUNTEER_A, member, code))
    # Returned at A: the item travels home the same way.
    servers.sql("SELECT tl.check_in(%s, %s, NULL, '')", (VOLUNTEER_A, code))
    assert movements(servers, code)[-1] == (PICKUP, HOME, "retour", False, False, False)
    back = open_movement(servers, code)
    servers.sql("SELECT tl.send_item(%s, %s)", (VOLUNTEER_A, back))
    servers.sql("SELECT tl.receive_item(%s, %s)", (REFERENT_B, back))
    assert place_now(servers, code) == HOME


def test_a_return_at_another_place_sends_the_item_home(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    servers.sql("SELECT tl.check_out(%s, %s, %s, false)", (REFERENT_B, member, code))
    # A's volunteer takes it back at A: the loan is closed there and it travels home.
    servers.sql("SELECT tl.check_in_at(%s, %s, %s, NULL, '')", (VOLUNTEER_A, PICKUP, code))
    assert place_now(servers, code) == PICKUP
    assert movements(servers, code) == [(PICKUP, HOME, "retour", False, False, False)]
    # Not at a place of which one is no volunteer.
    code2 = free_item(servers)
    servers.sql("SELECT tl.check_out(%s, %s, %s, false)", (REFERENT_B, member, code2))
    assert "n'a pas le rôle" in call(servers, "SELECT tl.check_in_at(%s, %s, %s, NULL, '')",
                                     (VOLUNTEER_A, "tiers-lieu-lakour", code2))
    assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s "
                       "AND b.kind = 'pret' AND b.returned_at IS NULL", (code2,))[0][0] == 1
    servers.sql("SELECT tl.check_in(%s, %s, NULL, '')", (REFERENT_B, code2))
    assert movements(servers, code2) == []


def available_at(servers, place=HOME):
    """What the pages count (tl.item_count, kept by triggers) and what the
    availability says, for the place's items: they must agree."""
    kept = servers.sql("SELECT coalesce(sum(n.available), 0) FROM tl.item_count n JOIN tl.place p ON p.id = n.place_id "
                       "WHERE p.slug = %s", (place,))[0][0]
    derived = servers.sql("SELECT count(*) FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                          "JOIN tl.item_availability a ON a.item_id = i.id "
                          "WHERE p.slug = %s AND i.retired_at IS NULL AND a.state = 'disponible'", (place,))[0][0]
    assert kept == derived
    return kept


def test_an_item_on_its_way_is_available_nowhere(servers):
    """While it travels, the item is neither counted as available at its
    place (home page, places, the catalogue's totals) nor found by the
    catalogue's "disponible" filter; it counts again once received."""
    code, member = free_item(servers), member_without_late_items(servers)
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]
    before = available_at(servers)
    reserve_at_pickup(servers, code, member)
    assert available_at(servers) == before                  # logged, not yet sent
    mid = open_movement(servers, code)
    servers.sql("SELECT tl.send_item(%s, %s)", (REFERENT_B, mid))
    assert available_at(servers) == before - 1
    assert servers.sql("SELECT state FROM tl.item_availability WHERE item_id = %s", (item_id,)) == [("transit",)]
    assert servers.sql("SELECT state FROM tl.item_unavailable WHERE item_id = %s", (item_id,)) == [("transit",)]
    listed = servers.get(f"/tierslieux/outils?dispo=1&lieu={HOME}&page=1").text
    pages = [listed]
    soup = BeautifulSoup(listed, "html.parser")
    last = max([int(a.get_text()) for a in soup.select("a[href*='page=']") if a.get_text().strip().isdigit()] or [1])
    for n in range(2, last + 1):
        pages.append(servers.get(f"/tierslieux/outils?dispo=1&lieu={HOME}&page={n}").text)
    assert not any(f"/outils/{item_id}\"" in page for page in pages), "an item on its way listed as available"
    page = BeautifulSoup(servers.get(f"/tierslieux/outils/{item_id}").text, "html.parser").get_text(" ", strip=True)
    assert "En transit vers Médiathèque Jules-Verne" in page and "Disponible" not in page
    servers.sql("SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid))
    assert available_at(servers) == before
    assert servers.sql("SELECT state FROM tl.item_availability WHERE item_id = %s", (item_id,)) == [("disponible",)]


def test_the_exclusion_constraint_still_forbids_a_double_booking_across_places(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    reserve_at_pickup(servers, code, member, start=2, days=4)
    # The same days from B's own desk, or from A again: refused, nothing written.
    d = today(servers) + datetime.timedelta(days=3)
    assert "déjà prêté ou réservé" in call(servers, "SELECT tl.reserve(%s, %s, %s, %s, %s)",
                                           (REFERENT_B, member, code, d, d))
    assert "déjà" in call(servers, "SELECT tl.reserve_at(%s, %s, %s, %s, %s, %s)",
                          (VOLUNTEER_A, member, code, d, d, PICKUP))
    assert len(movements(servers, code)) == 1
    # Cancelled before it left: its movement is cancelled too.
    booking = servers.sql("SELECT b.id FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s "
                          "AND b.cancelled_at IS NULL AND b.kind = 'reservation'", (code,))[0][0]
    servers.sql("SELECT tl.cancel_reservation(%s, %s)", (REFERENT_B, booking))
    assert movements(servers, code) == [(HOME, PICKUP, "reservation", False, False, True)]
    assert place_now(servers, code) == HOME


def test_a_non_travelling_collection_stays_put(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    coll = servers.sql("SELECT collection_id FROM tl.item WHERE code = %s", (code,))[0][0]
    # Only a référent of the collection's place decides.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.set_collection_travels(%s, %s, false)", (VOLUNTEER_A, coll))
    journaled = servers.sql("SELECT count(*) FROM tl.admin_log WHERE action = 'collection.voyage'")[0][0]
    servers.sql("SELECT tl.set_collection_travels(%s, %s, false)", (REFERENT_B, coll))
    try:
        msg = call(servers, "SELECT tl.reserve_at(%s, %s, %s, %s, %s, %s)",
                   (VOLUNTEER_A, member, code, today(servers), today(servers), PICKUP))
        assert "les objets de cette collection ne voyagent pas : empruntez-le à La Fabrique" in msg
        assert movements(servers, code) == []
        assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                           "WHERE i.code = %s AND b.cancelled_at IS NULL AND b.ends_at > now()", (code,))[0][0] == 0
        assert PICKUP not in [s for s, *_ in servers.sql("SELECT * FROM tl.pickup_places(%s)", (code,))]
    finally:
        servers.sql("SELECT tl.set_collection_travels(%s, %s, true)", (REFERENT_B, coll))
    assert servers.sql("SELECT count(*) FROM tl.admin_log WHERE action = 'collection.voyage'")[0][0] == journaled + 2


def test_a_referent_moves_an_item_for_good_with_its_history(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    servers.sql("SELECT tl.check_out(%s, %s, %s, false)", (REFERENT_B, member, code))
    # Lent: not now.
    assert "prêté ou réservé" in call(servers, "SELECT tl.move_item(%s, %s, %s)", (REFERENT_B, code, PICKUP))
    servers.sql("SELECT tl.check_in(%s, %s, NULL, '')", (REFERENT_B, code))
    # A référent of another place (or a volunteer) cannot move B's item.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.move_item(%s, %s, %s)", (VOLUNTEER_A, code, PICKUP))
    assert "n'existe pas" in call(servers, "SELECT tl.move_item(%s, %s, %s)", (REFERENT_B, code, "nulle-part"))
    assert "déjà à ce lieu" in call(servers, "SELECT tl.move_item(%s, %s, %s)", (REFERENT_B, code, HOME))
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]
    servers.sql("SELECT tl.move_item(%s, %s, %s)", (REFERENT_B, code, PICKUP))
    row = servers.sql("""SELECT i.id, p.slug, c.place_id = i.place_id, o.slug FROM tl.item i
                           JOIN tl.place p ON p.id = i.place_id JOIN tl.collection c ON c.id = i.collection_id
                           JOIN tl.organisation o ON o.id = c.organisation_id WHERE i.code = %s""", (code,))[0]
    assert row == (item_id, PICKUP, True, "la-fabrique-commune")
    # Its loan history is still its own; it travels to its new place.
    assert servers.sql("SELECT count(*) FROM tl.booking WHERE item_id = %s", (item_id,))[0][0] == 1
    assert movements(servers, code) == [(HOME, PICKUP, "transfert", False, False, False)]
    assert place_now(servers, code) == HOME
    # Its new place's référents now hold it: B's référent no longer may move it back.
    assert "n'a pas le rôle" in call(servers, "SELECT tl.move_item(%s, %s, %s)", (REFERENT_B, code, HOME))
    mid = open_movement(servers, code)
    servers.sql("SELECT tl.send_item(%s, %s)", (REFERENT_B, mid))
    servers.sql("SELECT tl.receive_item(%s, %s)", (VOLUNTEER_A, mid))
    assert place_now(servers, code) == PICKUP


def desk_page(s, servers, place=None):
    r = s.get(servers.url(TRANSIT + (f"?lieu={place}" if place else "")), timeout=10)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Cache-Control"] == "private, no-store"
    return BeautifulSoup(r.text, "html.parser")


def test_both_desks_see_what_to_send_and_what_arrives_and_press_the_buttons(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    reserve_at_pickup(servers, code, member)
    mid = str(open_movement(servers, code))
    b, _ = login(servers, REFERENT_B)
    a, _ = login(servers, VOLUNTEER_A)
    page = desk_page(b, servers, HOME)
    send = page.find("section", attrs={"aria-labelledby": "expedier-titre"})
    assert code in send.get_text() and "Médiathèque Jules-Verne" in send.get_text()
    assert send.find("input", attrs={"name": "mouvement", "value": mid}) is not None
    page = desk_page(a, servers)
    recv = page.find("section", attrs={"aria-labelledby": "recevoir-titre"})
    assert code in recv.get_text() and "Pas encore parti" in recv.get_text() and member in recv.get_text()
    assert recv.find("input", attrs={"name": "mouvement", "value": mid}) is None
    # Sent from B.
    t = token(b, servers, TRANSIT)
    r = post(b, servers, TRANSIT + "/expedier", {"jeton": t, "mouvement": mid, "lieu": HOME})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/guichet/transit?fait=expedie&lieu={HOME}")
    assert "Départ enregistré" in BeautifulSoup(b.get(r.headers["Location"], timeout=10).text,
                                                 "html.parser").get_text()
    assert in_transit(servers, code) == [("Médiathèque Jules-Verne",)]
    # The public pages say where it travels.
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]
    page = BeautifulSoup(servers.get(f"/tierslieux/outils/{item_id}").text, "html.parser").get_text(" ", strip=True)
    assert "En transit vers Médiathèque Jules-Verne" in page and "Disponible" not in page
    title = servers.sql("SELECT title FROM tl.item WHERE code = %s", (code,))[0][0]
    cards = BeautifulSoup(servers.get("/tierslieux/outils", params={"lieu": HOME, "q": title}).text, "html.parser")
    card = [c for c in cards.find_all("li") if code in c.get_text() or title in c.get_text()]
    assert card and "En transit vers Médiathèque Jules-Verne" in card[0].get_text(" ", strip=True), cards.get_text()[:3000]
    # Received at A.
    t = token(a, servers, TRANSIT)
    recv = desk_page(a, servers).find("section", attrs={"aria-labelledby": "recevoir-titre"})
    assert recv.find("input", attrs={"name": "mouvement", "value": mid}) is not None
    r = post(a, servers, TRANSIT + "/recevoir", {"jeton": t, "mouvement": mid, "lieu": PICKUP})
    assert r.status_code == 303, r.text[:500]
    assert "Arrivée enregistrée" in BeautifulSoup(a.get(r.headers["Location"], timeout=10).text,
                                                   "html.parser").get_text()
    assert place_now(servers, code) == PICKUP and in_transit(servers, code) == []
    assert "En transit" not in servers.get(f"/tierslieux/outils/{item_id}").text


@pytest.mark.parametrize("action", ["expedier", "recevoir"])
def test_the_transit_buttons_refuse_other_places_forgeries_and_garbage(servers, action, expect_log):
    expect_log.append("TLX0501")     # the forged tokens
    code, member = free_item(servers), member_without_late_items(servers)
    reserve_at_pickup(servers, code, member)
    mid = str(open_movement(servers, code))
    if action == "recevoir":
        servers.sql("SELECT tl.send_item(%s, %s)", (REFERENT_B, mid))
    wrong, right = (VOLUNTEER_A, REFERENT_B) if action == "expedier" else (REFERENT_B, VOLUNTEER_A)
    before = movements(servers, code)
    path = f"{TRANSIT}/{action}"
    # Another place's volunteer (with a form of their own, for its token): 403, nothing written.
    own = free_item(servers, PICKUP if wrong == VOLUNTEER_A else HOME)
    reserve_at_pickup(servers, own, member, start=5, login=REFERENT_B if wrong == VOLUNTEER_A else VOLUNTEER_A,
                      pickup=HOME if wrong == VOLUNTEER_A else PICKUP)
    s, _ = login(servers, wrong)
    r = post(s, servers, path, {"jeton": token(s, servers, TRANSIT), "mouvement": mid, "lieu": PICKUP})
    assert r.status_code == 403 and "rien n'a été enregistré" in r.text
    assert movements(servers, code) == before
    s, _ = login(servers, right)
    t = token(s, servers, TRANSIT)
    # No token, a forged one, a token of another form: 403.
    for bad in ({"mouvement": mid, "lieu": HOME}, {"jeton": "x" * 40, "mouvement": mid, "lieu": HOME},
                {"jeton": token(s, servers, "/tierslieux/guichet/retour"), "mouvement": mid, "lieu": HOME}):
        assert post(s, servers, path, bad).status_code == 403
    # A field sent twice: 400; omitted or garbage: 422 with a French message.
    r = s.post(servers.url(path), data=[("jeton", t), ("mouvement", mid), ("mouvement", mid)],
               allow_redirects=False, timeout=10)
    assert r.status_code == 400
    for data in ({"jeton": t}, {"jeton": t, "mouvement": ""}, {"jeton": t, "mouvement": "abc"},
                 {"jeton": t, "mouvement": "-3"}, {"jeton": t, "mouvement": "9" * 40}):
        r = post(s, servers, path, dict(data, lieu=HOME if action == "expedier" else PICKUP))
        assert r.status_code == 422, (data, r.status_code)
        assert "ne désigne pas de transfert" in r.text
    # A movement that does not exist: 422, said in French.
    place = HOME if action == "expedier" else PICKUP
    for data in ({"jeton": t, "mouvement": mid}, {"jeton": t, "mouvement": mid, "lieu": "pas un lieu !"}):
        r = post(s, servers, path, data)
        assert r.status_code == 422 and "de quel lieu il vient" in r.text
    r = post(s, servers, path, {"jeton": t, "mouvement": "999999999", "lieu": place})
    assert r.status_code == 422 and "n'existe pas" in r.text
    # A wrong content type: 415.
    r = s.post(servers.url(path), data=f"jeton={t}&mouvement={mid}", allow_redirects=False, timeout=10,
               headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert movements(servers, code) == before
    # The right one, twice: the second is refused, nothing more written.
    assert post(s, servers, path, {"jeton": t, "mouvement": mid, "lieu": place}).status_code == 303
    after = movements(servers, code)
    r = post(s, servers, path, {"jeton": t, "mouvement": mid, "lieu": place})
    assert r.status_code == 422 and "déjà" in r.text
    assert movements(servers, code) == after


def test_the_transit_page_is_only_for_a_places_volunteers(servers):
    r = servers.get(TRANSIT)
    assert r.status_code == 302
    s, _ = login(servers, VOLUNTEER_A)
    # Another place asked for: the volunteer's own is shown.
    page = desk_page(s, servers, HOME)
    assert page.find("option", attrs={"value": PICKUP, "selected": True}) is not None
    assert s.get(servers.url(TRANSIT + "?lieu=" + "x" * 100), timeout=10).status_code == 400


def test_a_resident_reserves_from_mon_compte_to_collect_at_another_place(servers):
    from test_account import DEMO, member_login
    code = free_item(servers)
    # Room for a reservation (at most five to come): the earlier tests' are cancelled.
    servers.sql("UPDATE tl.booking SET cancelled_at = now() WHERE kind = 'reservation' AND cancelled_at IS NULL "
                "AND member_id = (SELECT id FROM tl.member WHERE member_number = %s)", (DEMO[0],))
    s, r = member_login(servers)
    assert r.status_code == 302
    page = BeautifulSoup(s.get(servers.url(f"/tierslieux/compte/reserver?objet={code}"), timeout=10).text,
                         "html.parser")
    select = page.find("select", attrs={"name": "retrait"})
    assert select is not None and page.find("label", attrs={"for": "retrait"}) is not None
    first = select.find("option")
    assert first["value"] == "" and "La Fabrique, son lieu" in first.get_text()     # its own place first
    assert select.find("option", selected=True) is None
    assert select.find("option", attrs={"value": PICKUP}) is not None
    t = page.find("input", attrs={"name": "jeton"})["value"]
    d = today(servers) + datetime.timedelta(days=4)
    data = {"jeton": t, "objet": code, "du": d.isoformat(), "au": (d + datetime.timedelta(days=2)).isoformat()}
    # A place that does not exist, or garbage: refused under the field, nothing written.
    for bad in ("nulle-part", "x" * 100):
        r = post(s, servers, "/tierslieux/compte/reserver", dict(data, retrait=bad))
        assert r.status_code == 422, (bad, r.status_code)
        err = BeautifulSoup(r.text, "html.parser").find(id="erreur-retrait")
        assert err is not None and "lieu" in err.get_text(), r.text
    assert movements(servers, code) == []
    # A collection that does not travel: said in French, under the field.
    coll = servers.sql("SELECT collection_id FROM tl.item WHERE code = %s", (code,))[0][0]
    servers.sql("SELECT tl.set_collection_travels(%s, %s, false)", (REFERENT_B, coll))
    try:
        r = post(s, servers, "/tierslieux/compte/reserver", dict(data, retrait=PICKUP))
        assert r.status_code == 422
        err = BeautifulSoup(r.text, "html.parser").find(id="erreur-retrait")
        assert "ne voyagent pas" in err.get_text()
    finally:
        servers.sql("SELECT tl.set_collection_travels(%s, %s, true)", (REFERENT_B, coll))
    assert movements(servers, code) == []
    r = post(s, servers, "/tierslieux/compte/reserver", dict(data, retrait=PICKUP))
    assert r.status_code == 303, r.text[:1000]
    assert movements(servers, code) == [(HOME, PICKUP, "reservation", False, False, False)]
    mine = BeautifulSoup(s.get(servers.url("/tierslieux/compte"), timeout=10).text, "html.parser").get_text(" ")
    assert "Médiathèque Jules-Verne" in mine
    # The same days again, at either place: the exclusion constraint refuses it.
    r = post(s, servers, "/tierslieux/compte/reserver", dict(data, retrait=HOME))
    assert r.status_code == 422 and "déjà" in r.text
    assert len(movements(servers, code)) == 1


def test_a_volunteer_reserves_for_their_place_and_takes_returns_from_anywhere(servers):
    code, member = free_item(servers), member_without_late_items(servers)
    a, _ = login(servers, VOLUNTEER_A)
    r = post(a, servers, "/tierslieux/guichet/adherent", {"jeton": token(a, servers, "/tierslieux/guichet/adherent"),
                                                         "numero": member})
    soup = BeautifulSoup(r.text, "html.parser")
    form = soup.find("form", attrs={"action": "/tierslieux/guichet/adherent/reserver"})
    options = [o["value"] for o in form.find("select", attrs={"name": "retrait"}).find_all("option")]
    assert options == ["", PICKUP]        # the item's place, or the volunteer's own
    t = form.find("input", attrs={"name": "jeton"})["value"]
    d = today(servers) + datetime.timedelta(days=60)
    data = {"jeton": t, "numero": member, "objet": code, "du": d.isoformat(), "au": d.isoformat()}
    # Without a place: B's item is not A's to reserve (as before).
    r = post(a, servers, "/tierslieux/guichet/adherent/reserver", data)
    assert r.status_code == 403 and "ne tenez pas le guichet" in r.text and movements(servers, code) == []
    for bad in ("tiers-lieu-lakour", "nulle-part", "x" * 80):    # not A's place, no place, garbage
        r = post(a, servers, "/tierslieux/guichet/adherent/reserver", dict(data, retrait=bad))
        assert r.status_code in (403, 422), (bad, r.status_code)
        assert "Rien n'a été" in r.text or "rien n'a été" in r.text
    assert movements(servers, code) == []
    r = post(a, servers, "/tierslieux/guichet/adherent/reserver", dict(data, retrait=PICKUP))
    assert r.status_code == 303, r.text[:800]
    assert movements(servers, code) == [(HOME, PICKUP, "reservation", False, False, False)]
    servers.sql("SELECT tl.cancel_reservation(%s, b.id) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                "WHERE i.code = %s AND b.cancelled_at IS NULL", (REFERENT_B, code))
    # B's item lent at B is brought back to A's desk: A takes it, it travels home.
    servers.sql("SELECT tl.check_out(%s, %s, %s, false)", (REFERENT_B, member, code))
    t = token(a, servers, "/tierslieux/guichet/retour")
    r = post(a, servers, "/tierslieux/guichet/retour", {"jeton": t, "objet": code, "lieu": "x" * 80})
    assert r.status_code == 422 and "lieu" in BeautifulSoup(r.text, "html.parser").find(id="erreur-lieu").get_text()
    r = post(a, servers, "/tierslieux/guichet/retour", {"jeton": t, "objet": code, "lieu": "tiers-lieu-lakour"})
    assert r.status_code == 403
    r = post(a, servers, "/tierslieux/guichet/retour", {"jeton": t, "objet": code})     # where it was lent: B's
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s "
                       "AND b.kind = 'pret' AND b.returned_at IS NULL", (code,))[0][0] == 1
    r = post(a, servers, "/tierslieux/guichet/retour", {"jeton": t, "objet": code, "lieu": PICKUP})
    assert r.status_code == 303, r.text[:800]
    assert movements(servers, code)[-1] == (PICKUP, HOME, "retour", False, False, False)
    send = desk_page(a, servers).find("section", attrs={"aria-labelledby": "expedier-titre"})
    assert code in send.get_text() and "retour chez lui" in send.get_text()


def test_a_referent_moves_an_item_from_the_back_office(servers, expect_log):
    expect_log.append("AH01631")     # httpd's own refusal of the back office to a volunteer
    expect_log.append("TLX0501")     # the forged token
    code = free_item(servers)
    path = "/tierslieux/gestion/objet/deplacer"
    s, _ = login(servers, REFERENT_B)
    page = BeautifulSoup(s.get(servers.url(f"/tierslieux/gestion/objet?numero={code}"), timeout=10).text,
                         "html.parser")
    form = page.find("form", attrs={"action": path})
    assert form is not None and page.find("label", attrs={"for": "vers"}) is not None
    values = [o["value"] for o in form.find("select", attrs={"name": "vers"}).find_all("option")]
    assert PICKUP in values and HOME not in values
    t = form.find("input", attrs={"name": "jeton"})["value"]
    before = servers.sql("SELECT place_id, collection_id FROM tl.item WHERE code = %s", (code,))
    # A volunteer (httpd refuses the back office), no token, a forged one: refused, nothing moved.
    v, _ = login(servers, VOLUNTEER_A)
    assert post(v, servers, path, {"jeton": t, "existant": code, "vers": PICKUP}).status_code == 403
    assert post(s, servers, path, {"existant": code, "vers": PICKUP}).status_code == 403
    assert post(s, servers, path, {"jeton": "x" * 40, "existant": code, "vers": PICKUP}).status_code == 403
    # Omitted, repeated, garbage.
    r = s.post(servers.url(path), data=[("jeton", t), ("existant", code), ("vers", PICKUP), ("vers", PICKUP)],
               allow_redirects=False, timeout=10)
    assert r.status_code == 400
    assert post(s, servers, path, {"jeton": t, "vers": PICKUP}).status_code == 400
    for bad in ("", "Pas un lieu", "nulle-part", HOME):
        r = post(s, servers, path, {"jeton": t, "existant": code, "vers": bad})
        assert r.status_code == 422, (bad, r.status_code)
        err = BeautifulSoup(r.text, "html.parser").find(id="erreur-vers")
        assert err is not None and "lieu" in err.get_text(), (bad, r.text[:500])
    assert servers.sql("SELECT place_id, collection_id FROM tl.item WHERE code = %s", (code,)) == before
    # Another place's item is not B's référent's to move.
    other = free_item(servers, PICKUP)
    r = post(s, servers, path, {"jeton": t, "existant": other, "vers": HOME})
    assert r.status_code == 403 and "rien n'a été changé" in r.text
    assert movements(servers, other) == []
    r = post(s, servers, path, {"jeton": t, "existant": code, "vers": PICKUP})
    assert r.status_code == 303, r.text[:500]
    assert place_now(servers, code) == HOME
    assert movements(servers, code) == [(HOME, PICKUP, "transfert", False, False, False)]
    assert servers.sql("SELECT p.slug FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.code = %s",
                       (code,))[0][0] == PICKUP


def test_a_referent_decides_whether_a_collection_travels_from_the_back_office(servers, expect_log):
    expect_log.append("AH01631")     # httpd's own refusal of the back office to a volunteer
    expect_log.append("TLX0501")     # the forged token
    path = "/tierslieux/gestion/lieu/collection"
    code, member = free_item(servers), member_without_late_items(servers)
    coll, name = servers.sql("SELECT c.id, c.name FROM tl.item i JOIN tl.collection c ON c.id = i.collection_id "
                             "WHERE i.code = %s", (code,))[0]
    travels = lambda: servers.sql("SELECT travels FROM tl.collection WHERE id = %s", (coll,))[0][0]
    s, _ = login(servers, REFERENT_B)
    page = BeautifulSoup(s.get(servers.url(f"/tierslieux/gestion/lieu?lieu={HOME}"), timeout=10).text, "html.parser")
    form = [f for f in page.find_all("form", attrs={"action": path})
            if f.find("input", attrs={"name": "collection", "value": str(coll)})][0]
    assert "Garder sur place" in form.get_text() and name in form.get_text()
    t = form.find("input", attrs={"name": "jeton"})["value"]
    data = {"jeton": t, "lieu": HOME, "collection": str(coll), "voyage": "non"}
    v, _ = login(servers, VOLUNTEER_A)
    assert post(v, servers, path, data).status_code == 403
    assert post(s, servers, path, dict(data, jeton="x" * 40)).status_code == 403
    for bad in ({"voyage": "peut-etre"}, {"voyage": ""}, {"collection": "abc"}, {"collection": ""}, {"lieu": ""}):
        r = post(s, servers, path, dict(data, **bad))
        assert r.status_code == 400 and "rien n'a été changé" in r.text, bad
    r = s.post(servers.url(path), data=list(data.items()) + [("voyage", "oui")], allow_redirects=False, timeout=10)
    assert r.status_code == 400
    # Another place's collection is not B's référent's.
    theirs = servers.sql("SELECT c.id FROM tl.collection c JOIN tl.place p ON p.id = c.place_id "
                         "WHERE p.slug = %s ORDER BY c.id LIMIT 1", (PICKUP,))[0][0]
    r = post(s, servers, path, dict(data, collection=str(theirs)))
    assert r.status_code == 403 and "rien n'a été changé" in r.text
    assert servers.sql("SELECT travels FROM tl.collection WHERE id = %s", (theirs,))[0][0] is True
    assert travels() is True
    r = post(s, servers, path, data)
    assert r.status_code == 303 and "fait=collection" in r.headers["Location"]
    assert travels() is False
    try:
        msg = call(servers, "SELECT tl.reserve_at(%s, %s, %s, %s, %s, %s)",
                   (VOLUNTEER_A, member, code, today(servers), today(servers), PICKUP))
        assert "ne voyagent pas" in msg
    finally:
        assert post(s, servers, path, dict(data, voyage="oui")).status_code == 303
    assert travels() is True


def test_the_demo_shows_a_transfer_in_progress(servers):
    """The fruit press of La Fabrique travels to the médiathèque (sql/demo/demo.sql)."""
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = 'FC-0032'")[0][0]
    assert in_transit(servers, "FC-0032") == [("Médiathèque Jules-Verne",)]
    assert servers.sql("SELECT a.login FROM tl.item_movement m JOIN tl.account a ON a.id = m.sent_by "
                       "WHERE m.item_id = %s", (item_id,)) == [("referente.fabrique",)]
    page = BeautifulSoup(servers.get(f"/tierslieux/outils/{item_id}").text, "html.parser").get_text(" ", strip=True)
    assert "En transit vers Médiathèque Jules-Verne" in page
    a, _ = login(servers, VOLUNTEER_A)
    recv = desk_page(a, servers).find("section", attrs={"aria-labelledby": "recevoir-titre"})
    assert "FC-0032" in recv.get_text() and recv.find("button") is not None
