"""Repair café, the visitors' side: the agenda, booking a seat for an object
with only a name and a contact, a private page reached by a secret link
(hash only in the database, masked in the access log, no Referer), the last
seat taken once under concurrency, and personal data purged like loans."""
import os
import re
import threading
import time

import requests
from bs4 import BeautifulSoup

FABRIQUE = "la-fabrique"


def open_session(servers, place=FABRIQUE, days=10, slots=3, capacity=3, title="Repair café d'essai", hour=14):
    """A session of the test's own at 14:00 (the place's time), days ahead,
    three hours long, with its slots every half hour."""
    session = servers.sql("INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at, skills) "
                          "SELECT id, %s, (current_date + %s + make_time(%s, 0, 0)) AT TIME ZONE time_zone, "
                          "(current_date + %s + make_time(%s + 3, 0, 0)) AT TIME ZONE time_zone, ARRAY['electricite'] "
                          "FROM tl.place WHERE slug = %s RETURNING id", (title, days, hour, days, hour, place))[0][0]
    servers.sql("INSERT INTO tl.repair_slot (session_id, starts_at, capacity) "
                "SELECT %s, s.starts_at + n * interval '30 minutes', %s "
                "FROM tl.repair_session s, generate_series(0, %s - 1) n WHERE s.id = %s",
                (session, capacity, slots, session))
    return session


def form(servers, session, s=None):
    s = s or requests.Session()
    r = s.get(servers.url(f"/tierslieux/reparation/{session}/reserver"), timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    slot = soup.find("select", attrs={"name": "creneau"}).find("option", disabled=False)["value"]
    return s, {"jeton": soup.find("input", attrs={"name": "jeton"})["value"], "seance": str(session),
               "creneau": slot, "objet": "Grille-pain", "probleme": "Ne chauffe plus d'un côté",
               "nom": "Lucie Martin", "contact": "06 12 34 56 78"}


def book(servers, s, data):
    return s.post(servers.url("/tierslieux/reparation/reserver"), data=data, allow_redirects=False, timeout=20)


def test_the_agenda_shows_what_is_coming(servers):
    # A place of the test's own: two sessions to come, one of them
    # cancelled, and one past, which the agenda no longer lists.
    servers.sql("INSERT INTO tl.place (slug, name, kind, organisation_id, street_address, postal_code, locality, "
                "opening_hours, time_zone) SELECT 'atelier-agenda', 'Atelier de l''agenda', 'tiers_lieu', "
                "organisation_id, street_address, postal_code, locality, opening_hours, time_zone "
                "FROM tl.place WHERE slug = %s", (FABRIQUE,))
    coming = open_session(servers, "atelier-agenda", days=3, title="Réparons ensemble")
    cancelled = open_session(servers, "atelier-agenda", days=10, title="Réparons encore")
    servers.sql("UPDATE tl.repair_session SET cancelled_at = now(), cancel_reason = 'Salle prêtée aux élections' "
                "WHERE id = %s", (cancelled,))
    open_session(servers, "atelier-agenda", days=-7, title="Réparé la semaine dernière")
    r = servers.get("/tierslieux/reparation", params={"lieu": "atelier-agenda"})
    assert r.status_code == 200 and "ETag" in r.headers
    soup = BeautifulSoup(r.text, "html.parser")
    cards = soup.select("li.tl-card")
    assert [c.find("a")["href"].rsplit("/", 1)[1] for c in cards] == [str(coming), str(cancelled)]
    text = soup.get_text()
    assert "Séance annulée" in text and "Salle prêtée aux élections" in text and "la semaine dernière" not in text
    assert "9 place(s) libre(s)" in text and "Réparations : Électricité" in text
    # The whole network's agenda has them too, and the demo's sessions.
    everything = servers.get("/tierslieux/reparation").text
    assert "Réparons ensemble" in everything and "Kaz réparé Lakour" in everything
    assert servers.get("/tierslieux/reparation", params={"lieu": "Pas un lieu"}).status_code == 400
    assert servers.get("/tierslieux/reparation/999999").status_code == 404


def test_booking_then_the_private_page_then_cancelling(servers):
    session = open_session(servers)
    before = servers.sql("SELECT seats_left FROM tl.repair_sessions('', now(), %s)", (session,))[0][0]
    s, data = form(servers, session)
    # Mistakes: messages under the fields, nothing booked.
    r = book(servers, s, {**data, "objet": "", "contact": ""})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "objet" in soup.find(id="erreur-objet").get_text()
    assert soup.find(id="objet")["aria-invalid"] == "true"
    r = book(servers, s, {**data, "contact": ""})
    assert r.status_code == 422 and "courriel ou un téléphone" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-contact").get_text()
    assert servers.sql("SELECT seats_left FROM tl.repair_sessions('', now(), %s)", (session,))[0][0] == before
    # Booked: to the private page, whose secret the database never holds.
    r = book(servers, s, data)
    assert r.status_code == 303
    secret = re.search(r"jeton=([A-Za-z0-9_-]{43})", r.headers["Location"]).group(1)
    assert servers.sql("SELECT count(*) FROM tl.repair_booking WHERE token_sha256 = encode(sha256(%s::bytea), 'hex')",
                       (secret,)) == [(1,)]
    assert servers.sql("SELECT count(*) FROM tl.repair_booking WHERE token_sha256 = %s", (secret,)) == [(0,)]
    page = requests.get(r.headers["Location"], timeout=10)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(page.text, "html.parser")
    assert "C'est réservé" in soup.get_text() and "Grille-pain" in soup.get_text()
    assert servers.sql("SELECT seats_left FROM tl.repair_sessions('', now(), %s)", (session,))[0][0] == before - 1
    # The session's public page never shows who booked.
    assert "Lucie" not in servers.get(f"/tierslieux/reparation/{session}").text
    # Nor does the access log hold the secret.
    time.sleep(0.3)
    with open(os.path.join(servers.web, "logs", "access.log"), encoding="utf-8") as f:
        assert secret not in f.read()
    # Cancelling from the private page frees the seat.
    cancel = soup.find("form", action=lambda a: a and a.endswith("/annuler"))
    r = requests.post(servers.url("/tierslieux/reparation/reservation/annuler"), allow_redirects=False, timeout=10,
                      data={i["name"]: i["value"] for i in cancel.find_all("input")})
    assert r.status_code == 303 and "fait=annulation" in r.headers["Location"]
    assert "annulée" in BeautifulSoup(requests.get(r.headers["Location"], timeout=10).text, "html.parser").get_text()
    assert servers.sql("SELECT seats_left FROM tl.repair_sessions('', now(), %s)", (session,))[0][0] == before
    # A wrong link: 404, a forged form: refused.
    assert servers.get("/tierslieux/reparation/reservation?jeton=" + "A" * 43).status_code == 404


def test_the_last_seat_goes_to_one_visitor(servers):
    session = open_session(servers, "tiers-lieu-lakour", slots=1, capacity=1)
    slot = servers.sql("SELECT id FROM tl.repair_slot WHERE session_id = %s", (session,))[0][0]
    forms = [form(servers, session) for _ in range(12)]
    results = []
    barrier = threading.Barrier(len(forms))     # the twelve start together

    def go(s, data):
        barrier.wait()
        results.append(book(servers, s, {**data, "creneau": str(slot)}).status_code)

    threads = [threading.Thread(target=go, args=f) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [303] + [422] * 11
    assert servers.sql("SELECT count(*) FROM tl.repair_booking WHERE slot_id = %s AND cancelled_at IS NULL",
                       (slot,)) == [(1,)]


def test_a_cancelled_session_says_so_on_the_private_page(servers):
    session = open_session(servers)
    s, data = form(servers, session)
    link = book(servers, s, data).headers["Location"]
    servers.sql("UPDATE tl.repair_session SET cancelled_at = now(), cancel_reason = 'Local inondé' WHERE id = %s",
                (session,))
    text = BeautifulSoup(requests.get(link, timeout=10).text, "html.parser").get_text()
    assert "La séance est annulée" in text and "Local inondé" in text
    # Nobody books a cancelled session.
    s2, data2 = form(servers, open_session(servers, "tiers-lieu-lakour"))
    r = book(servers, s2, {**data2, "creneau": data["creneau"]})
    assert r.status_code == 422 and "annulée" in r.text
    assert servers.sql("SELECT count(*) FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id "
                       "WHERE l.session_id = %s", (session,)) == [(1,)]


def test_links_expire_and_personal_data_is_purged(servers):
    session = open_session(servers, "tiers-lieu-lakour")
    s, data = form(servers, session)
    link = book(servers, s, data).headers["Location"]
    booking = servers.sql("SELECT max(id) FROM tl.repair_booking")[0][0]
    # Move the session two days into the past: the link has served.
    shift = servers.sql("SELECT ends_at - now() + interval '2 days' FROM tl.repair_session WHERE id = %s",
                        (session,))[0][0]
    servers.sql("UPDATE tl.repair_session SET starts_at = starts_at - %s, ends_at = ends_at - %s WHERE id = %s",
                (shift, shift, session))
    assert requests.get(link, timeout=10).status_code == 410
    # Four months after the end of the session's month, name, contact and link go.
    servers.sql("SELECT tl.apply_repair_retention(now() + interval '6 months')")
    assert servers.sql("SELECT visitor_name, contact, token_sha256, object FROM tl.repair_booking WHERE id = %s",
                       (booking,)) == [(None, None, None, "Grille-pain")]
    assert requests.get(link, timeout=10).status_code == 404


def test_the_public_role_cannot_read_bookings(servers):
    assert servers.sql("SELECT has_table_privilege('tierslieux_lecture', 'tl.repair_booking', 'SELECT'), "
                       "has_table_privilege('tierslieux_web', 'tl.repair_booking', 'SELECT')") == [(False, False)]
    # of a booking, the agenda counts the seats taken: its slot and whether it was cancelled, nothing of the visitor
    readable = servers.sql("SELECT attname FROM pg_attribute WHERE attrelid = 'tl.repair_booking'::regclass "
                           "AND attnum > 0 AND NOT attisdropped "
                           "AND has_column_privilege('tierslieux_web', attrelid, attnum, 'SELECT') ORDER BY attname")
    assert readable == [("cancelled_at",), ("slot_id",)]


# ---- référents: sessions, series, repairers, cancelling, moving -----------------

def referent(servers, user="referente.fabrique"):
    from test_desk_access import login
    s, _ = login(servers, user)
    return s


def gestion_token(servers, s, path, **params):
    r = s.get(servers.url("/tierslieux" + path), params=params, timeout=10, allow_redirects=False)
    assert r.status_code == 200, r.status_code
    return BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "jeton"})["value"]


def test_a_referent_creates_a_monthly_series(servers):
    import datetime
    s = referent(servers)
    t = gestion_token(servers, s, "/gestion/reparation", lieu=FABRIQUE)
    first = datetime.date.today() + datetime.timedelta(days=40)
    base = {"jeton": t, "lieu": FABRIQUE, "titre": "Repair café du mois", "description": "", "jour": first.isoformat(),
            "debut": "14:00", "fin": "17:00", "repetition": "mensuelle", "nombre": "3", "duree_creneau": "45",
            "capacite": "2"}
    before = servers.sql("SELECT count(*) FROM tl.repair_session")[0][0]
    for change, field, words in (({"fin": "13:00"}, "fin", "finit après"), ({"capacite": "0"}, "capacite", "de 1 à 100"),
                                 ({"nombre": "1"}, "nombre", "de 2 à 52"), ({"debut": "25:00"}, "debut", "14:00"),
                                 ({"jour": "2020-01-01"}, "jour", "aujourd'hui ou plus tard")):
        r = s.post(servers.url("/tierslieux/gestion/reparation"), data={**base, **change}, allow_redirects=False,
                   timeout=10)
        assert r.status_code == 422, change
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), (change, soup.find(id="erreur-" + field))
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data=[*base.items(), ("competence", "velo"), ("competence", "bijou")])
    assert r.status_code == 422
    assert "« bijou » n'est pas dans la liste" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-competence").get_text()
    assert servers.sql("SELECT count(*) FROM tl.repair_session")[0][0] == before
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data=[*base.items(), ("competence", "velo"), ("competence", "couture")])
    assert r.status_code == 303
    rows = servers.sql("SELECT (s.starts_at AT TIME ZONE 'Europe/Paris'), s.skills, "
                       "(SELECT count(*) FROM tl.repair_slot l WHERE l.session_id = s.id) "
                       "FROM tl.repair_session s WHERE s.title = 'Repair café du mois' ORDER BY s.starts_at")
    assert len(rows) == 3 and all(r[1] == ["couture", "velo"] and r[2] == 4 for r in rows)
    rank = (first.day - 1) // 7
    for start, _, _ in rows:
        assert start.isoweekday() == first.isoweekday() and start.hour == 14
        assert (start.day - 1) // 7 == rank or start.day + 7 > 28     # the same rank, or the last of a short month
    assert "Repair café du mois" in servers.get("/tierslieux/reparation", params={"lieu": FABRIQUE}).text


def test_moving_and_cancelling_reach_the_visitors(servers):
    import datetime
    session = open_session(servers)
    v, data = form(servers, session)
    link = book(servers, v, {**data, "nom": "Rémi Visiteur"}).headers["Location"]
    s = referent(servers)
    # The référent sees who booked; the public never does.
    page = s.get(servers.url("/tierslieux/gestion/reparation/seance"), params={"seance": session}, timeout=10).text
    assert "Rémi Visiteur" in page and "06 12 34 56 78" in page
    assert "Rémi" not in servers.get(f"/tierslieux/reparation/{session}").text
    t = gestion_token(servers, s, "/gestion/reparation/seance", seance=session)
    day = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data={"jeton": t, "seance": session, "action": "deplacer", "nouveau_jour": day, "nouveau_debut": "",
                     "nouvelle_fin": ""})
    assert r.status_code == 303
    new = int(re.search(r"seance=(\d+)", r.headers["Location"]).group(1))
    assert new != session
    text = BeautifulSoup(requests.get(link, timeout=10).text, "html.parser").get_text()
    assert "La séance est déplacée" in text
    assert servers.sql("SELECT count(*) FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id "
                       "WHERE l.session_id = %s AND b.visitor_name = 'Rémi Visiteur'", (new,)) == [(1,)]
    # Cancelling the new one: a reason is needed, then the visitor reads it.
    t = gestion_token(servers, s, "/gestion/reparation/seance", seance=new)
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data={"jeton": t, "seance": new, "action": "annuler", "raison": ""})
    assert r.status_code == 422
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data={"jeton": t, "seance": new, "action": "annuler", "raison": "Salle indisponible"})
    assert r.status_code == 303
    text = BeautifulSoup(requests.get(link, timeout=10).text, "html.parser").get_text()
    assert "La séance est annulée" in text and "Salle indisponible" in text
    journal = s.get(servers.url("/tierslieux/gestion/journal"), params={"lieu": FABRIQUE}, timeout=10).text
    assert "reparation.deplacement" in journal and "reparation.annulation" in journal


def test_repairers_and_who_may_run_sessions(servers, expect_log):
    expect_log.append("AH01631")
    session = open_session(servers)
    s = referent(servers)
    t = gestion_token(servers, s, "/gestion/reparation/seance", seance=session)
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data=[("jeton", t), ("seance", session), ("action", "reparateur"), ("reparateur", "admin.reseau"),
                     ("competence", "velo"), ("competence", "electricite")])
    assert r.status_code == 303
    page = BeautifulSoup(s.get(servers.url("/tierslieux/gestion/reparation/seance"), params={"seance": session},
                               timeout=10).text, "html.parser")
    assert "Louis (administrateur) : Électricité, Vélo" in " ".join(page.get_text().split())
    # Someone outside the place's team cannot be a repairer there.
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data={"jeton": t, "seance": session, "action": "reparateur", "reparateur": "benevole.mediatheque"})
    assert r.status_code == 422
    r = s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False, timeout=10,
               data={"jeton": t, "seance": session, "action": "retirer", "reparateur": "admin.reseau"})
    assert r.status_code == 303
    # A bénévole is stopped by httpd; a référent of another place by the database.
    volunteer = referent(servers, "benevole.mediatheque")
    assert volunteer.get(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False,
                         timeout=10).status_code == 403
    other = open_session(servers, "mediatheque-jules-verne")
    r = s.get(servers.url("/tierslieux/gestion/reparation/seance"), params={"seance": other}, allow_redirects=False,
              timeout=10)
    assert r.status_code == 403


# ---- open formats: iCalendar feed, schema.org JSON-LD ---------------------------

def test_the_icalendar_feed(servers):
    import datetime
    import zoneinfo
    import icalendar
    # A session its référent moved, which the feed shows as such.
    moved = servers.sql("INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at) "
                        "SELECT id, 'Séance à déplacer', (current_date + 20 + time '14:00') AT TIME ZONE time_zone, "
                        "(current_date + 20 + time '16:00') AT TIME ZONE time_zone FROM tl.place WHERE slug = %s RETURNING id", (FABRIQUE,))[0][0]
    servers.sql("SELECT tl.move_repair_session('referente.fabrique', %s, current_date + 30, NULL, NULL)", (moved,))
    # And one at 9:00 in La Réunion, whose time zone the feed carries.
    lakour_session = open_session(servers, "tiers-lieu-lakour", days=5, hour=9)
    r = servers.get("/tierslieux/reparation.ics")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert servers.get("/tierslieux/reparation.ics", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    raw = r.content
    # What the parser lets through, asserted explicitly: CRLF line ends and
    # folding at 75 octets.
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
    events = [c for c in cal.walk("VEVENT")]
    zones = {str(c["TZID"]) for c in cal.walk("VTIMEZONE")}
    assert len(events) >= 5
    for ev in events:
        assert ev.get("UID") and ev.get("DTSTAMP")
        assert ev["DTSTART"].params["TZID"] in zones
    assert zones == {"Europe/Paris", "Indian/Reunion"}
    lakour = [ev for ev in events if str(ev["UID"]).startswith(f"seance-{lakour_session}@")]
    assert len(lakour) == 1 and "Lakour" in str(lakour[0]["LOCATION"])
    start = lakour[0]["DTSTART"].dt
    assert start.utcoffset() == datetime.timedelta(hours=4) and start.hour == 9
    expected = servers.sql("SELECT starts_at FROM tl.repair_session WHERE id = %s", (lakour_session,))[0][0]
    assert start.astimezone(zoneinfo.ZoneInfo("UTC")) == expected
    cancelled = [ev for ev in events if str(ev.get("STATUS")) == "CANCELLED"]
    assert any("Séance annulée : Inventaire annuel" in str(ev["DESCRIPTION"]) for ev in cancelled)
    assert any("Séance déplacée au" in str(ev["DESCRIPTION"]) for ev in cancelled)
    one = icalendar.Calendar.from_ical(servers.get("/tierslieux/reparation.ics", params={"lieu": "tiers-lieu-lakour"}).content)
    assert {str(c["TZID"]) for c in one.walk("VTIMEZONE")} == {"Indian/Reunion"}


def test_a_session_page_carries_schema_org_json_ld(servers):
    import json
    rows = servers.sql("SELECT s.id, p.slug, s.cancelled_at IS NOT NULL FROM tl.repair_session s "
                       "JOIN tl.place p ON p.id = s.place_id WHERE s.starts_at > now() ORDER BY s.id")
    seen = set()
    for session, place, cancelled in rows:
        # Another kind of event (a workshop, a seed swap) is sent on to its page in the agenda.
        soup = BeautifulSoup(servers.get(f"/tierslieux/reparation/{session}", allow_redirects=True).text,
                             "html.parser")
        data = json.loads(soup.find("script", type="application/ld+json").string)
        assert data["@type"] == "Event" and data["location"]["address"]["addressCountry"] == "FR"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", data["startDate"])
        if place == "tiers-lieu-lakour":
            assert data["startDate"].endswith("+04:00")
        if cancelled:
            assert data["eventStatus"] == "https://schema.org/EventCancelled"
            seen.add("cancelled")
        else:
            assert data["eventStatus"] in ("https://schema.org/EventScheduled", "https://schema.org/EventRescheduled")
    assert "cancelled" in seen


# ---- on the day: the queue and the repair log (ORDS terms) ----------------------

def today_session(servers):
    session = servers.sql("""
        INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at, skills)
        SELECT id, 'Séance du jour', now() - interval '1 hour', now() + interval '2 hours', ARRAY['electricite']
          FROM tl.place WHERE slug = 'la-fabrique' RETURNING id""")[0][0]
    servers.sql("INSERT INTO tl.repair_slot (session_id, starts_at, capacity) "
                "SELECT %s, now() + interval '30 minutes', 5", (session,))
    return session


def test_logging_repairs_on_the_day(servers, expect_log):
    expect_log.append("AH01631")
    session = today_session(servers)
    v, data = form(servers, session)
    assert book(servers, v, {**data, "objet": "Bouilloire Moulinex", "probleme": "Ne s'allume plus"}).status_code == 303
    booking = servers.sql("SELECT max(id) FROM tl.repair_booking")[0][0]
    s = referent(servers)
    r = s.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session}, timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    assert "Bouilloire Moulinex" in soup.select_one("table").get_text()
    link = soup.find("a", href=lambda h: h and f"reservation={booking}" in h)
    r = s.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session, "reservation": booking},
              timeout=10)
    soup = BeautifulSoup(r.text, "html.parser")
    assert link and soup.find(id="objet")["value"] == "Bouilloire Moulinex"
    assert soup.find(id="objet").has_attr("autofocus")
    token = soup.find("form", action=lambda a: a and a.endswith("/guichet/reparation"), method="post").find(
        "input", attrs={"name": "jeton"})["value"]
    base = {"jeton": token, "seance": session, "reservation": booking, "objet": "Bouilloire Moulinex",
            "categorie": "bouilloire", "marque": "Moulinex", "age": "4", "probleme": "Ne s'allume plus",
            "resultat": "repare", "cause": "", "poids": "1,2", "minutes": "25", "reparateur": ""}
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    for change, field, words in (({"cause": "1"}, "cause", "fin de vie"), ({"poids": "-3"}, "poids", "kilos"),
                                 ({"poids": "5000"}, "poids", "500"), ({"categorie": "tondeuse"}, "categorie", "liste"),
                                 ({"reparateur": "benevole.mediatheque"}, "reparateur", "équipe du lieu")):
        r = s.post(servers.url("/tierslieux/guichet/reparation"), data={**base, **change}, allow_redirects=False,
                   timeout=10)
        assert r.status_code == 422, change
        bad = BeautifulSoup(r.text, "html.parser")
        assert words in bad.find(id="erreur-" + field).get_text(), (change, bad.find(id="erreur-" + field))
        assert bad.find(id=field)["aria-invalid"] == "true"
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before
    r = s.post(servers.url("/tierslieux/guichet/reparation"), data=base, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert servers.sql("SELECT category, status, weight_kg::text, minutes, booking_id, brand FROM tl.repair_record "
                       "ORDER BY id DESC LIMIT 1") == [("bouilloire", "repare", "1.200", 25, booking, "Moulinex")]
    # Twice the same booking: refused.
    r = s.post(servers.url("/tierslieux/guichet/reparation"), data=base, allow_redirects=False, timeout=10)
    assert r.status_code == 422 and "déjà noté" in r.text
    # A walk-in at end of life, with its barrier.
    r = s.post(servers.url("/tierslieux/guichet/reparation"), allow_redirects=False, timeout=10,
               data={**base, "reservation": "", "objet": "Chaise paillée", "categorie": "meuble", "resultat": "fin_de_vie",
                     "cause": "6", "poids": "", "reparateur": "referente.fabrique"})
    assert r.status_code == 303
    assert servers.sql("SELECT booking_id, barrier, repairer_id IS NOT NULL FROM tl.repair_record "
                       "ORDER BY id DESC LIMIT 1") == [(None, 6, True)]
    queue = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session},
                                timeout=10).text, "html.parser").select_one("table").get_text()
    assert "réparé" in queue and "Chaise paillée" in queue and "fin de vie" in queue
    # Someone who does not run this place logs nothing there.
    other = referent(servers, "benevole.mediatheque")
    r = other.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session}, timeout=10,
                  allow_redirects=False)
    assert r.status_code == 403
    # The records hold nothing of the visitors (their ORDS rows are open data).
    cols = {r[0] for r in servers.sql("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_schema = 'tl' AND table_name = 'repair_record'")}
    assert not cols & {"visitor_name", "contact", "name", "email", "phone"}


def test_results_and_the_ords_export(servers):
    import csv
    import io
    import json
    from conftest import ROOT
    session = today_session(servers)
    s = referent(servers)
    soup = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session},
                               timeout=10).text, "html.parser")
    token = soup.find("form", method="post").find("input", attrs={"name": "jeton"})["value"]
    logged = [("Perceuse Bosch", "outil_electrique", "repare", "", "", "Mandrin bloqué, appeler 06 11 22 33 44"),
              ("Pull en laine", "textile", "repare", "", "0,4", "Trou au coude"),
              ("Aspirateur", "aspirateur", "fin_de_vie", "1", "", "Moteur grillé; écrire à jo@exemple.fr"),
              ("Chaise", "meuble", "reparable", "", "", "Pied cassé, \"à recoller\"")]
    for obj, cat, status, barrier, weight, problem in logged:
        r = s.post(servers.url("/tierslieux/guichet/reparation"), allow_redirects=False, timeout=10,
                   data={"jeton": token, "seance": session, "reservation": "", "objet": obj, "categorie": cat,
                         "marque": "", "age": "", "probleme": problem, "resultat": status, "cause": barrier,
                         "poids": weight, "minutes": "", "reparateur": ""})
        assert r.status_code == 303, (obj, r.text[:300])
    # Results: fixed objects only; the drill by its category's figures
    # (1.65 kg, 26.65 kg CO2e × 0.5), the pullover weighed (0.4 kg,
    # textile 20.32 × 0.5).
    got = servers.sql("SELECT brought, fixed, repairable, end_of_life, waste_kg::float8, co2_kg::float8 "
                      "FROM tl.repair_results('', %s)", (session,))[0]
    assert got == (4, 2, 1, 1, 2.1, 23.5)          # 2.05 and 23.485, rounded half up
    page = BeautifulSoup(servers.get(f"/tierslieux/reparation/{session}").text, "html.parser")
    section = page.find(id="resultats-titre").find_parent("section")
    facts = {dt.get_text(): dt.find_next("dd").get_text() for dt in section.find_all("dt")}
    assert facts["Objets apportés"] == "4" and facts["Réparés"] == "2" and facts["Déchets évités"] == "2,1 kg"
    assert facts["Émissions évitées"] == "23,5 kg CO₂e" and "Restart Project" in section.get_text()
    # The ORDS export: exactly the schema's fields, enums and patterns.
    r = servers.get("/tierslieux/reparation/ords.csv", params={"lieu": FABRIQUE})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert re.search(r'filename="OpenRepairData_v0\.3_[A-Za-z]+_\d{6}\.csv"', r.headers["Content-Disposition"])
    schema = json.load(open(os.path.join(ROOT, "..", "shared", "data", "ords", "tableschema.json"),
                            encoding="utf-8"))["resources"][0]["schema"]["fields"]
    names = [f["name"] for f in schema]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert list(rows[0].keys()) == names and len(rows) >= 4
    enums = {f["name"]: [v.strip() for v in f["constraints"]["enum"].strip("[]").split(",")]
             for f in schema if "enum" in f.get("constraints", {})}
    categories = {int(c["product_category_id"]): c["product_category"] for c in csv.DictReader(open(
        os.path.join(ROOT, "..", "shared", "data", "ords", "OpenRepairData_v0.3_Product_Categories.csv"),
        encoding="utf-8-sig"))}
    for row in rows:
        assert re.fullmatch(r"[a-z]+-[0-9]+", row["id"]) and re.fullmatch(r"[A-Z]{3}", row["country"])
        assert row["country"] == "FRA" or not row["id"].startswith("tierslieux-")    # imported rows keep theirs
        assert row["repair_status"] in enums["repair_status"]
        if row["repair_barrier_if_end_of_life"]:
            assert row["repair_status"] == "End of life"
            assert row["repair_barrier_if_end_of_life"] in enums["repair_barrier_if_end_of_life"]
        if row["product_category_id"]:
            assert categories[int(row["product_category_id"])] == row["product_category"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["event_date"])
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", row["problem"]) and "06 11" not in row["problem"]
    ours = {f"tierslieux-{i}" for (i,) in servers.sql("SELECT id FROM tl.repair_record WHERE session_id = %s",
                                                      (session,))}
    assert len(ours) == 4 and ours <= {row["id"] for row in rows}
    by_object = {row["partner_product_category"]: row for row in rows if row["id"] in ours}
    assert by_object["Outil électroportatif"]["product_category"] == "Power tool"
    assert by_object["Outil électroportatif"]["product_category_id"] == "24"
    assert by_object["Aspirateur"]["repair_barrier_if_end_of_life"] == "Spare parts not available"
    assert by_object["Meuble"]["product_category_id"] == "" and by_object["Meuble"]["repair_status"] == "Repairable"
    assert servers.get("/tierslieux/reparation/ords.csv", params={"du": "2026-12-01", "au": "2026-01-01"}).status_code == 400


def test_a_referent_sets_each_slots_capacity(servers):
    session = open_session(servers, "tiers-lieu-lakour")
    s = referent(servers, "admin.reseau")
    t = gestion_token(servers, s, "/gestion/reparation/seance", seance=session)
    first = servers.sql("SELECT to_char(l.starts_at AT TIME ZONE p.time_zone, 'HH24:MI'), l.id FROM tl.repair_slot l "
                        "JOIN tl.repair_session x ON x.id = l.session_id JOIN tl.place p ON p.id = x.place_id "
                        "WHERE l.session_id = %s ORDER BY l.starts_at LIMIT 1", (session,))[0]
    booked = servers.sql("SELECT count(*) FROM tl.repair_booking WHERE slot_id = %s AND cancelled_at IS NULL",
                         (first[1],))[0][0]
    post_slot = lambda hour, cap: s.post(servers.url("/tierslieux/gestion/reparation/seance"), allow_redirects=False,
                                         timeout=10, data={"jeton": t, "seance": session, "action": "creneau",
                                                           "creneau_heure": hour, "creneau_capacite": cap})
    r = post_slot("23:00", "2")
    assert r.status_code == 422 and "pendant la séance" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-creneau_heure").get_text()
    if booked:
        r = post_slot(first[0], str(booked - 1) if booked > 1 else "0")
        assert r.status_code == 422
    assert post_slot(first[0], "7").status_code == 303
    assert servers.sql("SELECT capacity FROM tl.repair_slot WHERE id = %s", (first[1],)) == [(7,)]
    n = servers.sql("SELECT count(*) FROM tl.repair_slot WHERE session_id = %s", (session,))[0][0]
    hour = servers.sql("SELECT to_char(starts_at AT TIME ZONE 'Indian/Reunion' + interval '10 minutes', 'HH24:MI') "
                       "FROM tl.repair_session WHERE id = %s", (session,))[0][0]
    assert post_slot(hour, "1").status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.repair_slot WHERE session_id = %s", (session,)) == [(n + 1,)]
