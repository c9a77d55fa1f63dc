"""A place's events: the repair café's sessions are one kind among
workshops, seed swaps and open days, each with slots booked through the
repair café's one booking path, an agenda of every kind filtered by kind
and place, an iCalendar feed of every kind, schema.org Event on each
event's page, and the repair café's own pages and feed as they were."""
import json
import re

import icalendar
import itertools
import pytest
import requests
from bs4 import BeautifulSoup

FABRIQUE = "la-fabrique"
PLACE = "lieu-des-evenements"


PLACES = itertools.count(1)


def own_place(servers, slug=PLACE):
    """A place of the test's own, so its agenda holds only the test's events."""
    servers.sql("INSERT INTO tl.place (slug, name, kind, organisation_id, street_address, postal_code, locality, "
                "opening_hours, time_zone) SELECT %s, 'Lieu des événements', 'tiers_lieu', organisation_id, "
                "street_address, postal_code, locality, opening_hours, time_zone FROM tl.place WHERE slug = %s "
                "ON CONFLICT DO NOTHING", (slug, FABRIQUE))
    return slug


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
    """One event of each kind at a place of the test's own: (place, ids)."""
    place = own_place(servers, f"{PLACE}-{next(PLACES)}")
    return place, {
        "reparation": event(servers, "reparation", "Réparons au lieu des événements", place, days=5),
        "atelier": event(servers, "atelier", "Atelier couture d'essai", place, theme="couture", leader="Mireille",
                         days=6),
        "troc_graines": event(servers, "troc_graines", "Troc de graines d'essai", place, days=7),
        "portes_ouvertes": event(servers, "portes_ouvertes", "Portes ouvertes d'essai", place, days=8),
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
    place, ids = every_kind(servers)
    listed, soup = cards(servers, lieu=place)
    assert listed == [str(ids[k]) for k in ("reparation", "atelier", "troc_graines", "portes_ouvertes")]
    text = " ".join(soup.get_text(" ").split())
    for words in ("Café réparation", "Atelier · couture", "Animé par Mireille", "Troc de graines", "Portes ouvertes",
                  "4 place(s) libre(s) sur 4"):
        assert words in text, words
    # Every page's main menu leads to the agenda.
    menu = BeautifulSoup(servers.get("/tierslieux/outils").text, "html.parser").find("nav", class_="tl-nav")
    assert [a.get_text() for a in menu.find_all("a") if a["href"].endswith("/agenda")] == ["Agenda"]
    # The repair café links to its own page, the others to the agenda's.
    links = [c.find("a")["href"] for c in soup.select("li.tl-card")]
    assert links[0].endswith(f"/reparation/{ids['reparation']}") and links[1].endswith(f"/agenda/{ids['atelier']}")
    for kind, session in ids.items():
        assert cards(servers, lieu=place, type=kind)[0] == [str(session)], kind
    # The network's agenda: the demo's events of every kind, and the test's.
    everything = servers.get("/tierslieux/agenda").text
    for title in ("Atelier couture : repriser", "Troc de graines de printemps", "Portes ouvertes de Lakour",
                  "Repair café de La Fabrique", "Atelier couture d'essai"):
        assert title in everything, title
    only_swaps, _ = cards(servers, type="troc_graines")
    assert str(ids["troc_graines"]) in only_swaps and str(ids["atelier"]) not in only_swaps
    # The filter form says what is chosen.
    _, soup = cards(servers, lieu=place, type="atelier")
    assert soup.find("select", id="type").find("option", selected=True)["value"] == "atelier"
    assert soup.find("select", id="lieu").find("option", selected=True)["value"] == place
    # A kind or a place that is none: a French 400.
    for params, words in (({"type": "concert"}, "n'accepte pas cette valeur"),
                          ({"lieu": "Pas un lieu"}, "n'est pas une valeur connue")):
        r = servers.get("/tierslieux/agenda", params=params)
        assert r.status_code == 400 and words in r.text, params
    # The repair café's agenda stays the repair café's.
    repair = servers.get("/tierslieux/reparation", params={"lieu": place}).text
    assert "Réparons au lieu des événements" in repair and "Atelier couture d'essai" not in repair


def test_an_event_page_has_its_slots_and_schema_org_event(servers):
    place, ids = every_kind(servers)
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
    assert data["organizer"]["url"].endswith(f"/tierslieux/lieux/{place}")
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
    frag = servers.get("/tierslieux/agenda", params={"fragment": "1", "lieu": place}).text
    assert "<html" not in frag and "Troc de graines d'essai" in frag
    # No such event: 404; not a number: 400.
    assert servers.get("/tierslieux/agenda/999999").status_code == 404
    assert servers.get("/tierslieux/agenda/abc").status_code == 400


def test_each_kind_keeps_its_address_and_old_addresses_redirect(servers):
    place, ids = every_kind(servers)
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
    place, ids = every_kind(servers)
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
    place, ids = every_kind(servers)
    r = servers.get("/tierslieux/agenda.ics", params={"lieu": place})
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
    one = icalendar.Calendar.from_ical(servers.get("/tierslieux/agenda.ics", params={"lieu": place,
                                                                                     "type": "troc_graines"}).content)
    assert [str(ev["SUMMARY"]) for ev in one.walk("VEVENT")] == ["Troc de graines d'essai"]
    assert servers.get("/tierslieux/agenda.ics", params={"type": "concert"}).status_code == 400
    # The repair café's feed: its sessions only, as before.
    repair = icalendar.Calendar.from_ical(servers.get("/tierslieux/reparation.ics", params={"lieu": place}).content)
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
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), change
        if field != "type":         # the form shown again keeps the kind chosen
            assert soup.find("select", id="type").find("option", selected=True)["value"] == "atelier", change
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
    place, ids = every_kind(servers)
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, 'referent' "
                "FROM tl.account a, tl.place p WHERE a.login = 'referente.fabrique' AND p.slug = %s", (place,))
    with pytest.raises(Exception, match="qu'à un café réparation"):
        servers.sql("SELECT tl.log_repair('referente.fabrique', %s, NULL, 'Lampe', 'lampe', NULL, NULL, '', "
                    "'repare', NULL, NULL, NULL, NULL)", (ids["atelier"],))
    assert servers.sql("SELECT count(*) FROM tl.repair_record WHERE session_id = %s", (ids["atelier"],)) == [(0,)]
    # The desk's day of repairs lists only repair cafés.
    desk = referent(servers)
    text = desk.get(servers.url("/tierslieux/guichet/reparation"), timeout=10).text
    assert "Atelier couture d'essai" not in text
    # The back office's page of a workshop has no repairers to call; a repair café's has.
    for kind, shown in (("atelier", False), ("reparation", True)):
        text = desk.get(servers.url("/tierslieux/gestion/reparation/seance"), params={"seance": ids[kind]},
                        timeout=10).text
        assert ("Réparateurs attendus" in text) is shown, kind


# ---- workshops members propose ---------------------------------------------------

MEMBERS = itertools.count(1)


def member(servers):
    """A member of the test's own, logged in to Mon compte (five proposals may wait per member)."""
    from test_account import member_login, new_member
    number = f"T-PROPOSE-{next(MEMBERS)}"
    new_member(servers, number, "Atelier-en-2026")
    s, r = member_login(servers, number, "Atelier-en-2026")
    assert r.status_code == 302
    return s


def proposal_form(servers, s):
    r = s.get(servers.url("/tierslieux/compte/atelier"), allow_redirects=False, timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    return {"jeton": soup.find("input", attrs={"name": "jeton"})["value"], "lieu": FABRIQUE,
            "titre": "Réparer ses vêtements à la main", "theme": "couture",
            "description": "Points de couture, reprises\r\net boutons.", "dates": "un samedi matin de mars",
            "participants": "6", "prenom": "1"}


def propose(servers, s, data):
    return s.post(servers.url("/tierslieux/compte/atelier"), data=data, allow_redirects=False, timeout=10)


def latest_proposal(servers):
    return servers.sql("SELECT id, state, show_first_name, participants, description FROM tl.event_proposal "
                       "ORDER BY id DESC LIMIT 1")[0]


def answer_form(servers, s, proposal):
    r = s.get(servers.url("/tierslieux/gestion/ateliers/proposition"), params={"n": proposal}, allow_redirects=False,
              timeout=10)
    assert r.status_code == 200, r.status_code
    soup = BeautifulSoup(r.text, "html.parser")
    return soup, soup.find("input", attrs={"name": "jeton"})["value"]


def answer(servers, s, data):
    return s.post(servers.url("/tierslieux/gestion/ateliers/proposition"), data=data, allow_redirects=False,
                  timeout=10)


def test_a_member_proposes_a_workshop_and_every_field_is_checked(servers, expect_log):
    expect_log.append("TLX0501")          # the form sent with a wrong token
    s = member(servers)
    data = proposal_form(servers, s)
    before = servers.sql("SELECT count(*) FROM tl.event_proposal")[0][0]
    for change, field, words in (({"titre": ""}, "titre", "titre de l'atelier"),
                                 ({"titre": "t" * 101}, "titre", "100"),
                                 ({"theme": ""}, "theme", "thème"),
                                 ({"theme": "t" * 61}, "theme", "60"),
                                 ({"dates": ""}, "dates", "jours ou les moments"),
                                 ({"dates": "d" * 301}, "dates", "300"),
                                 ({"description": "d" * 2001}, "description", "2000"),
                                 ({"participants": "0"}, "participants", "de 1 à 100"),
                                 ({"participants": "beaucoup"}, "participants", "participants"),
                                 ({"participants": ""}, "participants", "combien de personnes"),
                                 ({"lieu": "Pas un lieu"}, "lieu", "lieu de la liste"),
                                 ({"lieu": "lieu-inconnu"}, "lieu", "lieu de la liste")):
        r = propose(servers, s, {**data, **change})
        assert r.status_code == 422, change
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), (change, soup.find(id="erreur-" + field))
        assert soup.find(id=field)["aria-invalid"] == "true"
    r = s.post(servers.url("/tierslieux/compte/atelier"), allow_redirects=False, timeout=10,
               data=[*data.items(), ("titre", "Autre titre")])
    assert r.status_code == 400 and "envoyé deux fois" in r.text
    r = propose(servers, s, {**data, "prenom": "oui"})
    assert r.status_code == 400
    r = propose(servers, s, {**data, "jeton": "faux"})
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.event_proposal")[0][0] == before
    # Sent: Mon compte says it waits.
    r = propose(servers, s, data)
    assert r.status_code == 303 and r.headers["Location"].endswith("/compte?fait=atelier")
    _, state, shown, people, description = latest_proposal(servers)
    assert (state, shown, people, description) == ("proposee", True, 6, "Points de couture, reprises\r\net boutons.")
    text = BeautifulSoup(s.get(servers.url("/tierslieux/compte?fait=atelier"), timeout=10).text,
                         "html.parser").get_text(" ")
    assert "Votre proposition d'atelier est envoyée" in text and "en attente de réponse" in text
    # Without the checkbox, the first name is not to be shown.
    r = propose(servers, s, {k: v for k, v in data.items() if k != "prenom"})
    assert r.status_code == 303 and latest_proposal(servers)[2] is False
    # Five waiting at once at most.
    for _ in range(3):
        assert propose(servers, s, data).status_code == 303
    r = propose(servers, s, data)
    assert r.status_code == 422 and "attendent déjà une réponse" in r.text
    # Someone not logged in as a member is sent to the login page.
    assert servers.get("/tierslieux/compte/atelier").status_code in (302, 401)


def test_a_referent_approves_a_proposal_it_is_published_and_bookable(servers):
    s = member(servers)
    assert propose(servers, s, proposal_form(servers, s)).status_code == 303
    proposal = latest_proposal(servers)[0]
    ref = referent(servers)
    listing = BeautifulSoup(ref.get(servers.url("/tierslieux/gestion/ateliers"), params={"lieu": FABRIQUE},
                                    timeout=10).text, "html.parser")
    assert listing.find("a", href=re.compile(rf"proposition\?n={proposal}$"))
    assert "Redonner vie aux jouets en bois" in listing.get_text()          # the demo's, waiting
    soup, token = answer_form(servers, ref, proposal)
    given = servers.sql("SELECT m.given_name, m.family_name FROM tl.event_proposal e JOIN tl.member m "
                        "ON m.id = e.member_id WHERE e.id = %s", (proposal,))[0]
    assert f"{given[0]} {given[1]}" in soup.get_text()                    # the référents know who proposed
    import datetime
    day = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
    base = {"jeton": token, "proposition": str(proposal), "action": "accepter", "jour": day, "debut": "10:00",
            "fin": "12:00", "duree_creneau": "", "message": "Merci, à bientôt !"}
    for change, field, words in (({"jour": ""}, "jour", "jour de l'atelier"),
                                 ({"jour": "2020-01-01"}, "jour", "aujourd'hui ou plus tard"),
                                 ({"fin": "09:00"}, "fin", "finit après"),
                                 ({"duree_creneau": "5"}, "duree_creneau", "de 10 à 240"),
                                 ({"debut": "midi"}, "debut", "")):
        r = answer(servers, ref, {**base, **change})
        assert r.status_code == 422, change
        assert words in BeautifulSoup(r.text, "html.parser").find(id="erreur-" + field).get_text(), change
    assert answer(servers, ref, {**base, "action": "publier"}).status_code == 400
    assert answer(servers, ref, {**base, "proposition": "999999"}).status_code == 404
    # A référent of another place: 403, nothing changed.
    other = other_referent(servers)
    assert other.get(servers.url("/tierslieux/gestion/ateliers/proposition"), params={"n": proposal},
                     allow_redirects=False, timeout=10).status_code == 403
    _, other_token = answer_form(servers, other, event_proposal_of(servers, other_place=True))
    assert answer(servers, other, {**base, "jeton": other_token}).status_code == 403
    assert latest_proposal(servers)[1] == "proposee"
    # Approved: a workshop with one slot for the six people, led by the first name.
    r = answer(servers, ref, base)
    assert r.status_code == 303 and "fait=acceptation" in r.headers["Location"]
    session = servers.sql("SELECT session_id FROM tl.event_proposal WHERE id = %s", (proposal,))[0][0]
    assert servers.sql("SELECT kind, theme, leader, title FROM tl.repair_session WHERE id = %s", (session,)) == [
        ("atelier", "couture", given[0], "Réparer ses vêtements à la main")]
    assert servers.sql("SELECT count(*), sum(capacity) FROM tl.repair_slot WHERE session_id = %s", (session,)) == [
        (1, 6)]
    page = servers.get(f"/tierslieux/agenda/{session}").text
    assert f"Animé par" in page and given[0] in page and given[1] not in page
    # Answered once only.
    assert answer(servers, ref, base).status_code == 409
    # The member sees it in Mon compte, with the link to book.
    text = BeautifulSoup(s.get(servers.url("/tierslieux/compte"), timeout=10).text, "html.parser")
    assert "acceptée, publiée" in text.get_text() and text.find("a", href=re.compile(rf"/agenda/{session}$"))
    # Bookable through the one path.
    v, _, data = booking_form(servers, f"/tierslieux/agenda/{session}/reserver")
    assert book(servers, v, data).status_code == 303
    assert seats_left(servers, session) == 5


def event_proposal_of(servers, other_place=False):
    """A proposal waiting at the test's own place (for its référent)."""
    own_place(servers)
    return servers.sql("INSERT INTO tl.event_proposal (member_id, place_id, title, theme, dates, participants) "
                       "SELECT m.id, p.id, 'Atelier ailleurs', 'vélo', 'un lundi', 4 FROM tl.member m, tl.place p "
                       "WHERE m.member_number = 'A-000187' AND p.slug = %s RETURNING id", (PLACE,))[0][0]


def test_a_referent_declines_with_a_message_and_nothing_is_shown(servers, expect_log):
    expect_log.append("TLX0501")          # the form sent without its token
    expect_log.append("AH01631")          # httpd notes the bénévole's refused authorization
    s = member(servers)
    data = {**proposal_form(servers, s), "titre": "Atelier que le lieu refuse"}
    assert propose(servers, s, {k: v for k, v in data.items() if k != "prenom"}).status_code == 303
    proposal = latest_proposal(servers)[0]
    ref = referent(servers)
    _, token = answer_form(servers, ref, proposal)
    base = {"jeton": token, "proposition": str(proposal), "action": "refuser",
            "message": "La salle est prise tout le printemps ; reproposez-le à l'automne."}
    r = answer(servers, ref, {**base, "message": ""})
    assert r.status_code == 422 and "écrivez un mot" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-message").get_text()
    r = answer(servers, ref, {**base, "message": "m" * 1001})
    assert r.status_code == 422
    r = answer(servers, ref, {**base, "jeton": ""})
    assert r.status_code == 403
    assert latest_proposal(servers)[1] == "proposee"
    r = answer(servers, ref, base)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"proposition?n={proposal}&fait=refus")
    assert servers.sql("SELECT state, answer, session_id FROM tl.event_proposal WHERE id = %s", (proposal,)) == [
        ("refusee", base["message"], None)]
    text = BeautifulSoup(s.get(servers.url("/tierslieux/compte"), timeout=10).text, "html.parser").get_text(" ")
    assert "refusée" in text and "reproposez-le à l'automne" in text
    assert "Atelier que le lieu refuse" not in servers.get("/tierslieux/agenda").text
    # A bénévole may not answer.
    from test_desk_access import login
    volunteer, _ = login(servers, "benevole.mediatheque")
    assert volunteer.get(servers.url("/tierslieux/gestion/ateliers"), allow_redirects=False,
                         timeout=10).status_code == 403


def test_erasing_the_proposer_deletes_or_detaches_their_proposals(servers):
    given, family = "Philomène", "Tournesac"
    member_id = servers.sql("INSERT INTO tl.member (member_number, family_name, given_name) "
                            "VALUES ('T-ATELIER', %s, %s) RETURNING id", (family, given))[0][0]
    ref = referent(servers)
    # One waiting, one accepted (first name shown), one declined.
    waiting, accepted, declined = [servers.sql(
        "INSERT INTO tl.event_proposal (member_id, place_id, title, theme, dates, participants, show_first_name) "
        "SELECT %s, id, %s, 'graines', 'un samedi', 5, true FROM tl.place WHERE slug = %s RETURNING id",
        (member_id, title, FABRIQUE))[0][0]
        for title in ("Atelier qui attend", f"Semences avec {given} {family}", "Atelier refusé")]
    import datetime
    day = (datetime.date.today() + datetime.timedelta(days=25)).isoformat()
    _, token = answer_form(servers, ref, accepted)
    assert answer(servers, ref, {"jeton": token, "proposition": str(accepted), "action": "accepter", "jour": day,
                                 "debut": "14:00", "fin": "16:00", "duree_creneau": "60",
                                 "message": ""}).status_code == 303
    _, token = answer_form(servers, ref, declined)
    assert answer(servers, ref, {"jeton": token, "proposition": str(declined), "action": "refuser",
                                 "message": "Pas cette fois."}).status_code == 303
    session = servers.sql("SELECT session_id FROM tl.event_proposal WHERE id = %s", (accepted,))[0][0]
    assert servers.sql("SELECT leader FROM tl.repair_session WHERE id = %s", (session,)) == [(given,)]
    assert given in servers.get(f"/tierslieux/agenda/{session}").text
    servers.sql("SELECT tl.forget_members(ARRAY[%s])", (member_id,))
    assert servers.sql("SELECT id FROM tl.event_proposal WHERE id IN (%s, %s, %s) ORDER BY id",
                       (waiting, accepted, declined)) == [(accepted,)]
    assert servers.sql("SELECT member_id, title FROM tl.event_proposal WHERE id = %s", (accepted,)) == [
        (None, "Semences avec [effacé]")]
    # The workshop stays, without the first name.
    assert servers.sql("SELECT leader, kind, title FROM tl.repair_session WHERE id = %s", (session,)) == [
        (None, "atelier", "Semences avec [effacé]")]
    assert given not in servers.get(f"/tierslieux/agenda/{session}").text
