"""A place's events: the repair café's sessions are one kind among
workshops, seed swaps and open days, each with slots booked through the
repair café's one booking path, an agenda of every kind filtered by kind
and place, an iCalendar feed of every kind, schema.org Event on each
event's page, and the repair café's own pages and feed as they were."""
import json
import re

import icalendar
import pytest
import requests
from bs4 import BeautifulSoup

FABRIQUE = "la-fabrique"
PLACE = "lieu-des-evenements"


def own_place(servers):
    """A place of the test's own, so its agenda holds only the test's events."""
    servers.sql("INSERT INTO tl.place (slug, name, kind, organisation_id, street_address, postal_code, locality, "
                "opening_hours, time_zone) SELECT %s, 'Lieu des événements', 'tiers_lieu', organisation_id, "
                "street_address, postal_code, locality, opening_hours, time_zone FROM tl.place WHERE slug = %s "
                "ON CONFLICT DO NOTHING", (PLACE, FABRIQUE))


def event(servers, kind, title, place=PLACE, days=12, theme=None, leader=None, slots=2, capacity=2, hour=10):
    """An event of the test's own, days ahead, two hours long, slots every hour."""
    session = servers.sql(
        "INSERT INTO tl.repair_session (place_id, kind, theme, leader, title, description, starts_at, ends_at) "
        "SELECT id, %s, %s, %s, %s, 'Présentation de l''essai', "
        "(current_date + %s + make_time(%s, 0, 0)) AT TIME ZONE time_zone, "
        "(current_date + %s + make_time(%s + 2, 0, 0)) AT TIME ZONE time_zone FROM tl.place WHERE slug = %s "
        "RETURNING id", (kind, theme, leader, title, days, hour, days, hour, place))[0][0]
    servers.sql("INSERT INTO tl.repair_slot (session_id, starts_at, capacity) "
                "SELECT %s, s.starts_at + n * interval '1 hour', %s "
                "FROM tl.repair_session s, generate_series(0, %s - 1) n WHERE s.id = %s",
                (session, capacity, slots, session))
    return session


def every_kind(servers):
    own_place(servers)
    return {
        "reparation": event(servers, "reparation", "Réparons au lieu des événements", days=5),
        "atelier": event(servers, "atelier", "Atelier couture d'essai", theme="couture", leader="Mireille", days=6),
        "troc_graines": event(servers, "troc_graines", "Troc de graines d'essai", days=7),
        "portes_ouvertes": event(servers, "portes_ouvertes", "Portes ouvertes d'essai", days=8),
    }


def cards(servers, **params):
    r = servers.get("/tierslieux/agenda", params=params)
    assert r.status_code == 200 and "ETag" in r.headers
    soup = BeautifulSoup(r.text, "html.parser")
    return [c.find("a")["href"].rsplit("/", 1)[1] for c in soup.select("li.tl-card")], soup


def test_existing_sessions_are_repair_cafes_and_only_a_workshop_has_a_theme(servers):
    assert servers.sql("SELECT count(*) FROM tl.repair_session WHERE kind = 'reparation' AND theme IS NULL "
                       "AND title LIKE 'Repair café de La Fabrique'")[0][0] >= 3
    assert servers.sql("SELECT code FROM tl.event_kind ORDER BY rank") == [
        ("reparation",), ("atelier",), ("troc_graines",), ("portes_ouvertes",)]
    own_place(servers)
    with pytest.raises(Exception, match="repair_session_theme_workshop"):
        event(servers, "atelier", "Atelier sans thème")
    with pytest.raises(Exception, match="repair_session_theme_workshop"):
        event(servers, "troc_graines", "Troc à thème", theme="couture")
    with pytest.raises(Exception, match="repair_session_kind_fkey"):
        event(servers, "concert", "Pas un type")


def test_the_agenda_lists_every_kind_and_filters_by_kind_and_place(servers):
    ids = every_kind(servers)
    listed, soup = cards(servers, lieu=PLACE)
    assert listed == [str(ids[k]) for k in ("reparation", "atelier", "troc_graines", "portes_ouvertes")]
    text = soup.get_text(" ")
    for words in ("Café réparation", "Atelier · couture", "Animé par Mireille", "Troc de graines", "Portes ouvertes",
                  "4 place(s) libre(s) sur 4"):
        assert words in text, words
    # The repair café links to its own page, the others to the agenda's.
    links = [c.find("a")["href"] for c in soup.select("li.tl-card")]
    assert links[0].endswith(f"/reparation/{ids['reparation']}") and links[1].endswith(f"/agenda/{ids['atelier']}")
    for kind, session in ids.items():
        assert cards(servers, lieu=PLACE, type=kind)[0] == [str(session)], kind
    # The network's agenda: the demo's events of every kind, and the test's.
    everything = servers.get("/tierslieux/agenda").text
    for title in ("Atelier couture : repriser", "Troc de graines de printemps", "Portes ouvertes de Lakour",
                  "Repair café de La Fabrique", "Atelier couture d'essai"):
        assert title in everything, title
    only_swaps, _ = cards(servers, type="troc_graines")
    assert str(ids["troc_graines"]) in only_swaps and str(ids["atelier"]) not in only_swaps
    # The filter form says what is chosen.
    _, soup = cards(servers, lieu=PLACE, type="atelier")
    assert soup.find("select", id="type").find("option", selected=True)["value"] == "atelier"
    assert soup.find("select", id="lieu").find("option", selected=True)["value"] == PLACE
    # A kind or a place that is none: a French 400.
    for params in ({"type": "concert"}, {"lieu": "Pas un lieu"}):
        r = servers.get("/tierslieux/agenda", params=params)
        assert r.status_code == 400 and "n'est pas une valeur connue" in r.text, params
    # The repair café's agenda stays the repair café's.
    repair = servers.get("/tierslieux/reparation", params={"lieu": PLACE}).text
    assert "Réparons au lieu des événements" in repair and "Atelier couture d'essai" not in repair


def test_an_event_page_has_its_slots_and_schema_org_event(servers):
    ids = every_kind(servers)
    r = servers.get(f"/tierslieux/agenda/{ids['atelier']}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("h1").get_text().startswith("Atelier couture d'essai")
    facts = soup.find("dl").get_text(" ")
    assert "Atelier" in facts and "couture" in facts and "Mireille" in facts and "Lieu des événements" in facts
    assert [td.get_text() for td in soup.select("table.tl-lots td")] == ["2 sur 2", "2 sur 2"]
    assert soup.find("a", href=re.compile(rf"/agenda/{ids['atelier']}/reserver$"))
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Event" and data["name"] == "Atelier couture d'essai"
    assert data["description"] == "Présentation de l'essai"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT10:00:00[+-]\d\d:\d\d", data["startDate"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT12:00:00[+-]\d\d:\d\d", data["endDate"])
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["@type"] == "Place" and data["location"]["name"] == "Lieu des événements"
    assert data["location"]["address"]["addressCountry"] == "FR" and data["location"]["address"]["postalCode"]
    assert data["organizer"]["name"] == "Lieu des événements"
    assert data["organizer"]["url"].endswith(f"/tierslieux/lieux/{PLACE}")
    # Cancelled, it says so, to people and to machines.
    servers.sql("UPDATE tl.repair_session SET cancelled_at = now(), cancel_reason = 'Salle indisponible' "
                "WHERE id = %s", (ids["troc_graines"],))
    soup = BeautifulSoup(servers.get(f"/tierslieux/agenda/{ids['troc_graines']}").text, "html.parser")
    assert "Salle indisponible" in soup.get_text()
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    # Embeddable as the rest: a fragment without the page around it nor the data block.
    frag = servers.get(f"/tierslieux/agenda/{ids['atelier']}", params={"fragment": "1"}).text
    assert "<html" not in frag and "<script" not in frag and "Atelier couture d'essai" in frag
    frag = servers.get("/tierslieux/agenda", params={"fragment": "1", "lieu": PLACE}).text
    assert "<html" not in frag and "Troc de graines d'essai" in frag
    # No such event: 404; not a number: 400.
    assert servers.get("/tierslieux/agenda/999999").status_code == 404
    assert servers.get("/tierslieux/agenda/abc").status_code == 400


def test_each_kind_keeps_its_address_and_old_addresses_redirect(servers):
    ids = every_kind(servers)
    r = servers.get(f"/tierslieux/reparation/{ids['atelier']}", allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/tierslieux/agenda/{ids['atelier']}")
    r = servers.get(f"/tierslieux/agenda/{ids['reparation']}", params={"fragment": "1"}, allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"].endswith(f"/tierslieux/reparation/{ids['reparation']}?fragment=1")
    # The repair café's page is as it was.
    soup = BeautifulSoup(servers.get(f"/tierslieux/reparation/{ids['reparation']}").text, "html.parser")
    assert soup.find("nav", class_="tl-breadcrumb").find("a").get_text() == "Repair café"


def booking_form(servers, path):
    s = requests.Session()
    r = s.get(servers.url(path), timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    form = soup.find("form", action=re.compile(r"/reparation/reserver$"))
    slot = form.find("select", attrs={"name": "creneau"}).find("option", disabled=False)["value"]
    return s, soup, {"jeton": form.find("input", attrs={"name": "jeton"})["value"],
                     "seance": form.find("input", attrs={"name": "seance"})["value"], "creneau": slot,
                     "nom": "Basile Ferrand", "contact": "basile@example.org"}


def book(servers, s, data):
    return s.post(servers.url("/tierslieux/reparation/reserver"), data=data, allow_redirects=False, timeout=20)


def seats_left(servers, session):
    return servers.sql("SELECT seats_left FROM tl.repair_sessions('', now(), %s)", (session,))[0][0]


def test_booking_a_workshop_goes_the_repair_cafes_one_path(servers):
    ids = every_kind(servers)
    workshop = ids["atelier"]
    s, soup, data = booking_form(servers, f"/tierslieux/agenda/{workshop}/reserver")
    # A seat at a workshop asks for no object.
    assert not soup.find(id="objet") and not soup.find(id="probleme")
    assert "Réserver une place" in soup.find("h1").get_text()
    assert soup.find("nav", class_="tl-breadcrumb").find("a").get_text() == "Agenda"
    before = seats_left(servers, workshop)
    r = book(servers, s, {**data, "nom": ""})
    assert r.status_code == 422 and "votre nom" in BeautifulSoup(r.text, "html.parser").find(id="erreur-nom").get_text()
    r = book(servers, s, {**data, "contact": "x" * 201})
    assert r.status_code == 422 and BeautifulSoup(r.text, "html.parser").find(id="erreur-contact")
    assert seats_left(servers, workshop) == before
    r = book(servers, s, data)
    assert r.status_code == 303 and "/reparation/reservation?jeton=" in r.headers["Location"]
    assert seats_left(servers, workshop) == before - 1
    assert servers.sql("SELECT b.object, b.problem, b.visitor_name FROM tl.repair_booking b "
                       "JOIN tl.repair_slot l ON l.id = b.slot_id WHERE l.session_id = %s", (workshop,)) == [
        (None, "", "Basile Ferrand")]
    page = requests.get(r.headers["Location"], timeout=10)
    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 200 and "Votre réservation — Atelier couture d'essai" in soup.find("h1").get_text()
    assert "Objet" not in soup.find("dl").get_text() and soup.find("a", href=re.compile(rf"/agenda/{workshop}$"))
    # The public page never shows who booked.
    assert "Basile" not in servers.get(f"/tierslieux/agenda/{workshop}").text
    # Cancelled from the private page, as at the repair café.
    cancel = soup.find("form", action=re.compile(r"/reservation/annuler$"))
    r = requests.post(servers.url("/tierslieux/reparation/reservation/annuler"), allow_redirects=False, timeout=10,
                      data={i["name"]: i["value"] for i in cancel.find_all("input")})
    assert r.status_code == 303 and seats_left(servers, workshop) == before
    # The repair café's form still asks for the object.
    s, soup, data = booking_form(servers, f"/tierslieux/reparation/{ids['reparation']}/reserver")
    assert soup.find(id="objet")
    r = book(servers, s, {**data, "objet": ""})
    assert r.status_code == 422 and "objet" in BeautifulSoup(r.text, "html.parser").find(id="erreur-objet").get_text()


def test_the_calendar_feed_has_every_kind_and_the_repair_feed_only_repairs(servers):
    ids = every_kind(servers)
    r = servers.get("/tierslieux/agenda.ics", params={"lieu": PLACE})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")
    assert 'filename="agenda.ics"' in r.headers["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(r.content)
    events = {int(str(ev["UID"]).split("-")[1].split("@")[0]): ev for ev in cal.walk("VEVENT")}
    assert set(events) == set(ids.values())
    workshop = events[ids["atelier"]]
    assert str(workshop["SUMMARY"]) == "Atelier couture d'essai"
    assert "Thème : couture" in str(workshop["DESCRIPTION"]) and "Animé par Mireille" in str(workshop["DESCRIPTION"])
    assert str(workshop["URL"]).endswith(f"/agenda/{ids['atelier']}")
    assert str(events[ids["reparation"]]["URL"]).endswith(f"/reparation/{ids['reparation']}")
    assert workshop["DTSTART"].dt.hour == 10 and workshop["DTSTART"].params["TZID"] == "Europe/Paris"
    one = icalendar.Calendar.from_ical(servers.get("/tierslieux/agenda.ics", params={"lieu": PLACE,
                                                                                     "type": "troc_graines"}).content)
    assert [str(ev["SUMMARY"]) for ev in one.walk("VEVENT")] == ["Troc de graines d'essai"]
    assert servers.get("/tierslieux/agenda.ics", params={"type": "concert"}).status_code == 400
    # The repair café's feed: its sessions only, as before.
    repair = icalendar.Calendar.from_ical(servers.get("/tierslieux/reparation.ics", params={"lieu": PLACE}).content)
    assert [str(ev["SUMMARY"]) for ev in repair.walk("VEVENT")] == ["Réparons au lieu des événements"]
    # The whole network's feed has the demo's workshops and swaps.
    summaries = {str(ev["SUMMARY"]) for ev in icalendar.Calendar.from_ical(
        servers.get("/tierslieux/agenda.ics").content).walk("VEVENT")}
    assert {"Troc de graines de printemps", "Portes ouvertes de Lakour", "Kaz réparé Lakour"} <= summaries


def referent(servers, user="referente.fabrique"):
    from test_desk_access import login
    s, _ = login(servers, user)
    return s


def other_referent(servers):
    """A référent of the test's own place only, logged in."""
    from test_desk_access import login
    own_place(servers)
    servers.sql("INSERT INTO tl.account (login, display_name, password_hash) VALUES ('referent.evenements', "
                "'Référent des événements', public.crypt('Essai-evenements-2026', public.gen_salt('bf', 4))) "
                "ON CONFLICT DO NOTHING")
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, 'referent' "
                "FROM tl.account a, tl.place p WHERE a.login = 'referent.evenements' AND p.slug = %s "
                "ON CONFLICT DO NOTHING", (PLACE,))
    s, _ = login(servers, "referent.evenements", "Essai-evenements-2026")
    return s


def test_a_referent_creates_a_workshop_and_every_field_is_checked(servers):
    import datetime
    s = referent(servers)
    page = BeautifulSoup(s.get(servers.url("/tierslieux/gestion/reparation"), params={"lieu": FABRIQUE},
                               timeout=10).text, "html.parser")
    token = page.find("input", attrs={"name": "jeton"})["value"]
    day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    base = {"jeton": token, "lieu": FABRIQUE, "type": "atelier", "theme": "réparation de chaussures",
            "anime_par": "Paul, cordonnier", "titre": "", "description": "Chaussures et sacs en cuir.", "jour": day,
            "debut": "14:00", "fin": "16:00", "repetition": "non", "nombre": "", "duree_creneau": "60",
            "capacite": "5"}
    before = servers.sql("SELECT count(*) FROM tl.repair_session")[0][0]
    for change, field, words in (({"theme": ""}, "theme", "thème de l'atelier"),
                                 ({"theme": "t" * 61}, "theme", "60"),
                                 ({"anime_par": "a" * 101}, "anime_par", "100"),
                                 ({"type": "concert"}, "type", "type d'événement")):
        r = s.post(servers.url("/tierslieux/gestion/reparation"), data={**base, **change}, allow_redirects=False,
                   timeout=10)
        assert r.status_code == 422, change
        assert words in BeautifulSoup(r.text, "html.parser").find(id="erreur-" + field).get_text(), change
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data=[*base.items(), ("type", "atelier")])
    assert r.status_code == 400 and "envoyé deux fois" in r.text
    assert servers.sql("SELECT count(*) FROM tl.repair_session")[0][0] == before
    # The skills ticked by mistake are a repair café's: a workshop keeps none.
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data=[*base.items(), ("competence", "velo")])
    assert r.status_code == 303
    assert servers.sql("SELECT kind, theme, leader, title, skills, (SELECT count(*) FROM tl.repair_slot l "
                       "WHERE l.session_id = s.id) FROM tl.repair_session s ORDER BY id DESC LIMIT 1") == [
        ("atelier", "réparation de chaussures", "Paul, cordonnier", "Atelier réparation de chaussures", [], 2)]
    assert "Atelier réparation de chaussures" in servers.get("/tierslieux/agenda", params={"lieu": FABRIQUE}).text
    # A seed swap: no theme kept, its kind's name for a title.
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data={**base, "type": "troc_graines"})
    assert r.status_code == 303
    assert servers.sql("SELECT kind, theme, title FROM tl.repair_session ORDER BY id DESC LIMIT 1") == [
        ("troc_graines", None, "Troc de graines")]
    # Left at its first choice, a repair café, as before kinds.
    r = s.post(servers.url("/tierslieux/gestion/reparation"), allow_redirects=False, timeout=10,
               data={**base, "type": "", "theme": ""})
    assert r.status_code == 303
    assert servers.sql("SELECT kind, theme, title FROM tl.repair_session ORDER BY id DESC LIMIT 1") == [
        ("reparation", None, "Repair café")]
    # A référent of another place may not create one here.
    other = other_referent(servers)
    t = BeautifulSoup(other.get(servers.url("/tierslieux/gestion/reparation"), timeout=10).text,
                      "html.parser").find("input", attrs={"name": "jeton"})["value"]
    before = servers.sql("SELECT count(*) FROM tl.repair_session")[0][0]
    r = other.post(servers.url("/tierslieux/gestion/reparation"), data={**base, "jeton": t}, allow_redirects=False,
                   timeout=10)
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.repair_session")[0][0] == before


def test_repairs_are_logged_only_at_a_repair_cafe(servers):
    ids = every_kind(servers)
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, 'referent' "
                "FROM tl.account a, tl.place p WHERE a.login = 'referente.fabrique' AND p.slug = %s", (PLACE,))
    with pytest.raises(Exception, match="qu'à un café réparation"):
        servers.sql("SELECT tl.log_repair('referente.fabrique', %s, NULL, 'Lampe', 'lampe', NULL, NULL, '', "
                    "'repare', NULL, NULL, NULL, NULL)", (ids["atelier"],))
    assert servers.sql("SELECT count(*) FROM tl.repair_record WHERE session_id = %s", (ids["atelier"],)) == [(0,)]
    # The desk's day of repairs lists only repair cafés.
    desk = referent(servers)
    text = desk.get(servers.url("/tierslieux/guichet/reparation"), timeout=10).text
    assert "Atelier couture d'essai" not in text
