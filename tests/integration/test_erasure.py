"""Erasure that erases (sql/logic/members_accounts.sql). A member with a name, e-mail and phone of
their own uses everything that can keep them — imported from a CSV, a
password link and a session, their file read at the desk, a loan with its
reminder and a note at its return, a reservation, a waiting list, seeds
deposited with their name as grower, repair café bookings with their name
and contact — then is erased at the desk, by themselves or by the retention
command; a full data dump of the database then holds none of their name,
e-mail, phone (as typed, digits only, +33) or member number, and the
counts of loans, seeds and repairs are what they were.

A second test lists every text column of the tl schema and fails on one
nobody has said how erasure treats, so a column added later is reasoned
about before it can keep a person."""
import datetime
import os
import re
import subprocess
import unicodedata

import pytest
import requests
from bs4 import BeautifulSoup

from test_desk_access import login
from test_import import confirm, send

MEDIATHEQUE = "mediatheque-jules-verne"
FABRIQUE = "la-fabrique"
PASSWORD = "Semoir-de-l-Effacement-2026"

# Each way of erasing has its person, whom nothing in the demo resembles.
PEOPLE = {
    "guichet": dict(given="Ysaline", family="Quarteron-Belzunce", email="ysaline.qb@exemple.org",
                    phone="06 71 82 93 01", number="EFF-0001"),
    "soi-meme": dict(given="Théodrine", family="Kerbriand-Zoller", email="theodrine.kz@exemple.org",
                     phone="07 61 52 43 02", number="EFF-0002"),
    "conservation": dict(given="Eulalie", family="Vandermeersch-Ouaki", email="eulalie.vo@exemple.org",
                         phone="06 44 83 72 03", number="EFF-0003"),
}


def form_token(s, servers, path, **params):
    soup = BeautifulSoup(s.get(servers.url(path), params=params, timeout=10).text, "html.parser")
    return soup.find("input", attrs={"name": "jeton"})["value"]


def digits(phone):
    return re.sub(r"\D", "", phone)


def international(phone):
    """"06 71 82 93 01" as "+33 6 71 82 93 01"."""
    d = digits(phone)[1:]
    return "+33 " + d[0] + " " + " ".join(d[i:i + 2] for i in range(1, len(d), 2))


def fold(text):
    """Lower case without accents, to find a name however it was written."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def needles(p):
    """Every form in which the database could hold the person."""
    d = digits(p["phone"])
    return {p["given"], p["family"], f"{p['given']} {p['family']}", p["email"], p["phone"], d,
            "+33" + d[1:], international(p["phone"]), p["number"]}


def dump(servers):
    return subprocess.run(["pg_dump", "-h", os.path.realpath(servers.pg), "-p", str(servers.pg_port),
                           "-U", "tierslieux", "-d", "tierslieux", "--data-only"],
                          capture_output=True, text=True, check=True).stdout


def impact(servers):
    """What the place counts and reports: loans and reservations, seed
    packets and lots, repair bookings and records."""
    return {
        "bookings": servers.sql("SELECT kind, count(*), count(returned_at), sum(due_on - starts_at::date) "
                                "FROM tl.booking GROUP BY kind ORDER BY kind"),
        "seeds": servers.sql("SELECT kind, count(*), sum(packets) FROM tl.seed_movement GROUP BY kind ORDER BY kind"),
        "stock": servers.sql("SELECT count(*), sum(packets) FROM tl.seed_lot_stock"),
        "repairs": servers.sql("SELECT count(*), count(booking_id), sum(weight_kg)::text, "
                               "string_agg(status, ',' ORDER BY id) FROM tl.repair_record"),
        "repair_bookings": servers.sql("SELECT count(*) FROM tl.repair_booking"),
    }


def live_a_life(servers, p):
    """The person uses every feature that can keep their name or contact,
    through the pages the desk, the back office and the resident use."""
    full = f"{p['given']} {p['family']}"
    # Imported from the place's members file; the file is sent again and
    # its preview left waiting (a référent who sent it twice).
    ref, _ = login(servers, "referente.fabrique")
    csv = ("numero;nom;prenom;courriel;telephone\r\n"
           f"{p['number']};{p['family']};{p['given']};{p['email']};{p['phone']}\r\n").encode("utf-8")
    r = send(servers, ref, "adherents", f"{full}.csv", csv)
    assert r.status_code == 200, r.text[:500]
    r = confirm(servers, ref, BeautifulSoup(r.text, "html.parser"))
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=1"), r.text[:500]
    number = p["number"]
    assert servers.sql("SELECT family_name, email, phone FROM tl.member WHERE member_number = %s",
                       (number,)) == [(p["family"], p["email"], p["phone"])]

    desk, _ = login(servers, "benevole.mediatheque")
    member_token = form_token(desk, servers, "/tierslieux/guichet/adherent")
    # Their file read at the desk (journaled), and a password link.
    r = desk.post(servers.url("/tierslieux/guichet/adherent"), data={"jeton": member_token, "numero": number},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 200 and full in r.text
    r = desk.post(servers.url("/tierslieux/guichet/adherent/lien"), data={"jeton": member_token, "numero": number},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 200
    link = BeautifulSoup(r.text, "html.parser").find(id="lien").get_text()
    page = BeautifulSoup(requests.get(link, timeout=10).text, "html.parser")
    hidden = {i["name"]: i.get("value", "") for i in page.select("form input[type=hidden]")}
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**hidden, "mot_de_passe": PASSWORD, "confirmation": PASSWORD})
    assert r.status_code == 303
    mine = requests.Session()
    r = mine.post(servers.url("/tierslieux/compte/connexion/verifier"), allow_redirects=False, timeout=10,
                  data={"httpd_username": number.lower(), "httpd_password": PASSWORD,
                        "httpd_location": "/tierslieux/compte"})
    assert r.status_code == 302
    assert mine.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10).status_code == 200

    # A loan, its reminder queued with a fixed clock (the day after the due
    # date), and its return with a note naming them.
    item = servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL AND i.safety_check_days IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'reservation'
                           AND b.cancelled_at IS NULL)
           -- not a kit, whose return is component by component (test_kits.py)
           AND NOT EXISTS (SELECT 1 FROM tl.item_component c WHERE c.item_id = i.id)
         ORDER BY i.code LIMIT 1""", (MEDIATHEQUE,))[0][0]
    lend = form_token(desk, servers, "/tierslieux/guichet/pret")
    r = desk.post(servers.url("/tierslieux/guichet/pret/confirmer"), data={"jeton": lend, "adherent": number,
                                                                           "objet": item},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 303, r.text[:500]
    clock = servers.sql("SELECT ((b.due_on + 1) + time '12:00') AT TIME ZONE p.time_zone FROM tl.booking b "
                        "JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id "
                        "JOIN tl.member m ON m.id = b.member_id WHERE m.member_number = %s AND b.kind = 'pret'",
                        (number,))[0][0]
    servers.sql("SELECT tl.queue_reminders(%s)", (clock,))
    assert servers.sql("SELECT count(*) FROM tl.mail_message x JOIN tl.member m ON m.id = x.member_id "
                       "WHERE m.member_number = %s AND x.recipient = %s AND x.body LIKE %s",
                       (number, p["email"], f"%{p['given']}%")) == [(1,)]
    back = form_token(desk, servers, "/tierslieux/guichet/retour")
    r = desk.post(servers.url("/tierslieux/guichet/retour"), allow_redirects=False, timeout=10,
                  data={"jeton": back, "objet": item, "etat": "",
                        "maintenance": f"Mandrin qui patine, signalé par {full} ({digits(p['phone'])})"})
    assert r.status_code == 303, r.text[:500]

    # A reservation and a place on a waiting list.
    start = servers.sql("SELECT current_date + 3")[0][0]
    reserved = servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.safety_check_days IS NULL AND i.code <> %s
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'reservation'
                           AND b.cancelled_at IS NULL)
         ORDER BY i.code DESC LIMIT 1""", (MEDIATHEQUE, item))[0][0]
    r = desk.post(servers.url("/tierslieux/guichet/adherent/reserver"), allow_redirects=False, timeout=10,
                  data={"jeton": member_token, "numero": number, "objet": reserved, "du": start.isoformat(),
                        "au": (start + datetime.timedelta(days=4)).isoformat()})
    assert r.status_code == 303, r.text[:500]
    out = servers.sql("""
        SELECT i.code FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
         WHERE b.kind = 'pret' AND b.returned_at IS NULL AND p.slug = %s ORDER BY i.code LIMIT 1""",
                      (MEDIATHEQUE,))[0][0]
    r = desk.post(servers.url("/tierslieux/guichet/adherent/attente"), allow_redirects=False, timeout=10,
                  data={"jeton": member_token, "numero": number, "objet": out})
    assert r.status_code == 303, r.text[:500]

    # Seeds brought back: their full name as grower, then only "Mme" and
    # their family name, both deposits linked to them.
    r = desk.get(servers.url("/tierslieux/guichet/graines"), params={"lieu": MEDIATHEQUE}, timeout=10)
    seeds = BeautifulSoup(r.text, "html.parser").find("form", action=lambda a: a and a.endswith("/depot"))
    seed_token = seeds.find("input", attrs={"name": "jeton"})["value"]
    year = servers.sql("SELECT extract(year FROM current_date)::integer - 1")[0][0]
    variety = servers.sql("SELECT min(id) FROM tl.seed_variety")[0][0]
    for grower in (full, f"Mme {p['family'].upper()}"):
        r = desk.post(servers.url("/tierslieux/guichet/graines/depot"), allow_redirects=False, timeout=10,
                      data={"jeton": seed_token, "lieu": MEDIATHEQUE, "variete": variety, "annee": str(year),
                            "sachets": "6", "producteur": grower, "adherent": number})
        assert r.status_code == 303, r.text[:500]

    # Repair café: two bookings as any visitor makes them (no account), one
    # with their e-mail, one with their phone in the +33 form; the first is
    # logged on the day, its problem giving their phone.
    session = servers.sql("""
        INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at, skills)
        SELECT id, 'Séance de l''effacement', now() - interval '1 hour', now() + interval '2 hours', ARRAY['electricite']
          FROM tl.place WHERE slug = %s RETURNING id""", (FABRIQUE,))[0][0]
    servers.sql("INSERT INTO tl.repair_slot (session_id, starts_at, capacity) "
                "SELECT %s, now() + interval '30 minutes', 5", (session,))
    bookings = []
    for name, contact, problem in ((full, p["email"], f"Ne s'allume plus, rappeler au {p['phone']}"),
                                   (f"{p['family']} {p['given']}", international(p["phone"]), "Fil dénudé")):
        visitor = requests.Session()
        page = BeautifulSoup(visitor.get(servers.url(f"/tierslieux/reparation/{session}/reserver"), timeout=10).text,
                             "html.parser")
        slot = page.find("select", attrs={"name": "creneau"}).find("option", disabled=False)["value"]
        r = visitor.post(servers.url("/tierslieux/reparation/reserver"), allow_redirects=False, timeout=10,
                         data={"jeton": page.find("input", attrs={"name": "jeton"})["value"], "seance": str(session),
                               "creneau": slot, "objet": "Lampe de chevet", "probleme": problem, "nom": name,
                               "contact": contact})
        assert r.status_code == 303, r.text[:500]
        bookings.append(servers.sql("SELECT max(id) FROM tl.repair_booking")[0][0])
    repairs = login(servers, "referente.fabrique")[0]
    r = repairs.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session, "reservation": bookings[0]},
                    timeout=10)
    log = BeautifulSoup(r.text, "html.parser").find("form", action=lambda a: a and a.endswith("/guichet/reparation"),
                                                    method="post")
    r = repairs.post(servers.url("/tierslieux/guichet/reparation"), allow_redirects=False, timeout=10,
                     data={"jeton": log.find("input", attrs={"name": "jeton"})["value"], "seance": session,
                           "reservation": bookings[0], "objet": "Lampe de chevet", "categorie": "lampe",
                           "marque": "", "age": "", "probleme": f"Ne s'allume plus, rappeler au {p['phone']}",
                           "resultat": "repare", "cause": "", "poids": "1,5", "minutes": "20", "reparateur": ""})
    assert r.status_code == 303, r.text[:500]

    # A notice of an item, written from their account and credited under
    # their own name, mentioning their phone (a commons: it stays, without them).
    notice_item = servers.sql("SELECT code FROM tl.item WHERE retired_at IS NULL ORDER BY code DESC LIMIT 1")[0][0]
    page = BeautifulSoup(mine.get(servers.url(f"/tierslieux/compte/notice?objet={notice_item}"), timeout=10).text,
                         "html.parser")
    form = {i["name"]: i.get("value", "") for i in page.select("form input[type=hidden]")}
    r = mine.post(servers.url("/tierslieux/compte/notice"), allow_redirects=False, timeout=10,
                  data={**form, "texte": f"Serrer le mandrin à la main. Questions : {p['phone']}.",
                        "resume": f"par {full}", "nom": full, "accord": "1"})
    assert r.status_code == 303, r.text[:500]

    # The members file sent again, left at its preview.
    r = send(servers, ref, "adherents", f"{full}.csv", csv)
    assert r.status_code == 200
    assert servers.sql("SELECT count(*) FROM tl.import_batch WHERE applied_at IS NULL AND rows::text LIKE %s",
                       (f"%{p['email']}%",)) == [(1,)]

    # Every place that keeps them does, before the erasure.
    text = dump(servers)
    for needle in (full, p["email"], p["phone"], international(p["phone"]), number):
        assert needle in text, needle
    return dict(desk=desk, token=member_token, mine=mine, bookings=bookings, reserved=reserved)


def erased_everywhere(servers, p, before, life):
    bookings = life["bookings"]
    number = p["number"]
    assert servers.sql("SELECT count(*) FROM tl.member WHERE member_number = %s", (number,)) == [(0,)]
    text = fold(dump(servers))
    left = sorted(n for n in needles(p) if fold(n) in text)
    assert not left, f"the dump still holds {left}"
    # Nothing counted was lost: loans, seeds, repairs.
    assert impact(servers) == before
    # The lots stay, without a grower; the bookings stay, without the person;
    # the record of the repair stays.
    assert servers.sql("SELECT count(*), count(grower) FROM tl.seed_lot l WHERE EXISTS (SELECT 1 FROM tl.seed_movement m "
                       "WHERE m.lot_id = l.id AND m.packets = 6 AND m.kind = 'depot')")[0][1] == 0
    assert servers.sql("SELECT count(*), count(visitor_name), count(contact) FROM tl.repair_booking WHERE id = ANY(%s)",
                       (bookings,)) == [(2, 0, 0)]
    assert servers.sql("SELECT status FROM tl.repair_record WHERE booking_id = %s", (bookings[0],)) == [("repare",)]
    # Their notice's version stays, credited to "un contributeur".
    assert servers.sql("SELECT count(*) > 0 FROM tl.notice_version WHERE author_member_id IS NULL "
                       "AND author_name IS NULL AND body LIKE 'Serrer le mandrin à la main.%%'") == [(True,)]


def test_erased_at_the_desk(servers):
    p = PEOPLE["guichet"]
    life = live_a_life(servers, p)
    before = impact(servers)
    r = life["desk"].post(servers.url("/tierslieux/guichet/adherent/effacer"), allow_redirects=False, timeout=10,
                          data={"jeton": life["token"], "numero": p["number"], "confirmation": "1"})
    assert r.status_code == 303, r.text[:500]
    # The reservation to come is cancelled rather than left to nobody.
    assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE i.code = %s "
                       "AND b.kind = 'reservation' AND b.cancelled_at IS NULL AND b.ends_at > now()",
                       (life["reserved"],)) == [(0,)]
    erased_everywhere(servers, p, before, life)


def test_erased_by_themselves(servers):
    p = PEOPLE["soi-meme"]
    life = live_a_life(servers, p)
    before = impact(servers)
    mine = life["mine"]
    page = BeautifulSoup(mine.get(servers.url("/tierslieux/compte/donnees"), timeout=10).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("/compte/effacer"))
    r = mine.post(servers.url("/tierslieux/compte/effacer"), allow_redirects=False, timeout=10,
                  data={"jeton": form.find("input", attrs={"name": "jeton"})["value"], "confirmation": "1"})
    assert r.status_code == 200, r.text[:500]
    erased_everywhere(servers, p, before, life)


def test_erased_by_the_retention_command(servers):
    """tl.apply_retention alone, with a clock thirteen months after the
    person last came: the other retention steps (messages, repair café
    bookings, seed takers) would hide what the erasure itself forgets."""
    p = PEOPLE["conservation"]
    life = live_a_life(servers, p)
    before = impact(servers)
    clock = servers.sql("SELECT greatest(created_at, last_loan_at) + interval '13 months' FROM tl.member "
                        "WHERE member_number = %s", (p["number"],))[0][0]
    deleted = servers.sql("SELECT members_deleted FROM tl.apply_retention(%s)", (clock,))[0][0]
    assert deleted >= 1
    erased_everywhere(servers, p, before, life)


# ---- every column, reasoned about --------------------------------------------------

# How tl.forget_members (sql/logic/members_accounts.sql) treats each text, jsonb or array column of
# the tl schema. A column missing here fails the test below: say how an
# erased member's name, e-mail, phone or number could reach it, and what
# erasure does about it.
FORGOTTEN = {
    # Free text about the person, found by their name, e-mail, phone or number.
    "seed_lot.grower": "emptied when it names the member (or their family, on a lot they brought seeds to)",
    "repair_booking.visitor_name": "emptied when the booking names the member (no account links it)",
    "repair_booking.contact": "emptied with the name",
    "repair_booking.object": "mentions replaced",
    "repair_booking.problem": "mentions replaced",
    "repair_record.object": "mentions replaced (ORDS open data)",
    "repair_record.problem": "mentions replaced (ORDS open data)",
    "import_batch.rows": "the member's row taken out of a preview waiting for confirmation",
    "import_batch.file_name": "mentions replaced",
    "admin_log.subject": "mentions replaced",
    "admin_log.detail": "mentions replaced",
    "maintenance.reason": "mentions replaced (typed at a return)",
    "notice_version.author_name": "emptied: the version stays, credited to « un contributeur »",
    "notice_version.body": "mentions replaced (a notice is a commons: it stays)",
    "notice_version.summary": "mentions replaced",
    "maintenance.work_done": "mentions replaced",
    "mail_message.recipient": "messages to the member deleted",
    "mail_message.subject": "messages to the member deleted",
    "mail_message.body": "messages to the member deleted",
    "mail_message.last_error": "messages to the member deleted (never holds an address, sql/logic/mail.sql)",
    # Workshops a member proposed (sql/logic/repair_cafe.sql).
    "event_proposal.title": "deleted with a proposal waiting or declined; an accepted one detached, mentions replaced",
    "event_proposal.theme": "the same", "event_proposal.description": "the same", "event_proposal.dates": "the same",
    "event_proposal.answer": "the same",
    "repair_session.leader": "emptied when it is the first name an erased member let their accepted proposal show",
    "repair_session.title": "the team's text; a workshop an erased member proposed has their mentions replaced",
    "repair_session.description": "the same",
    # Rows that are the member's, deleted with them.
    "member.member_number": "deleted", "member.family_name": "deleted", "member.given_name": "deleted", "member.search_name": "deleted",
    "member.email": "deleted", "member.phone": "deleted", "member.password_hash": "deleted",
    "member.site_login": "deleted",
    "member_deposit.kind": "deleted",
    "member_card.card_number": "deleted (the card of the médiathèque linked at the first login with it)",
    "password_link.token_sha256": "deleted",
    "web_session.login": "the member's sessions deleted (a desk session's login is an account's)",
    "web_session.kind": "deleted",
    "web_session.token_sha256": "deleted",
    # A member's offers to help at a place (sql/logic/volunteering.sql): theirs, deleted with them
    # (ON DELETE CASCADE from tl.member), their activities with them.
    "volunteer_offer.skills": "deleted", "volunteer_offer.availability": "deleted",
    "volunteer_offer.message": "deleted (the référent's word to the member)",
}
NOT_A_MEMBERS = {
    # Closed lists and codes: no free text.
    "account_role.role", "admin_log.action", "booking.kind", "booking.return_condition", "booking_reminder.kind",
    "impact_factor.key", "impact_factor_kind.key", "import_batch.kind", "item.condition", "item_condition.code",
    "mail_kind.code", "mail_message.kind", "mail_template.kind", "member_access.action", "organisation.kind",
    "place.kind", "place.time_zone", "repair_category.code", "repair_category_factor.category",
    "repair_record.category", "repair_record.status", "repair_skill.code", "repair_session.skills",
    "repair_session_repairer.skills", "reuse_category.code", "reuse_category.key", "reuse_eco_mapping.category",
    "reuse_eco_mapping.stream", "reuse_eco_stream.code", "reuse_item.category", "reuse_item.status",
    "reuse_item.destination", "reuse_item_event.status", "reuse_outflow.category", "reuse_outflow.destination",
    "reuse_sale.payment", "reuse_sale_line.category", "reuse_weighing.category", "seed_movement.kind",
    "collection.activity", "reuse_closing.by_payment", "repair_booking.token_sha256", "data_version.area",
    "item_movement.reason", "volunteer_activity.code", "volunteer_shift.activity",
    "volunteer_offer.status", "volunteer_offer_activity.activity",
    "story_activity.code", "story.activity", "story.withdrawal_by", "story.withdrawal_sha256",
    "event_kind.code", "repair_session.kind", "impact_tally.figure",
    # The team's accounts: people of their own, erased on their own.
    "account.login", "account.display_name", "account.password_hash",
    # What the team writes about the places, the catalogue and the sessions,
    # never about a member's use of them.
    "category.name", "category.slug", "collection.name", "impact_factor.source", "impact_factor_kind.label",
    "impact_factor_kind.method", "impact_factor_kind.unit", "item.barcode", "item.brand", "item.code",
    "item.description", "item.photo", "photo.alt", "photo_variant.format", "photo_variant.etag",
    # A photo of an item, encoded again from its pixels alone: no metadata of whoever took it.
    "photo_variant.bytes", "item.sort_title", "item.title", "item_component.name", "item_condition.label", "mail_kind.label",
    "mail_setting.sender_address", "mail_template.body", "mail_template.subject", "organisation.name",
    "organisation.slug", "organisation.website", "place.charter", "place.description", "place.email",
    # What the national « équipements » open data file needs (sql/schema/013): the authority, never a person.
    "place.authority_name", "place.authority_siret", "place.insee_code", "place.equipment_code",
    "place.equipment_type", "place.equipment_theme",
    "place.locality", "place.name", "place.opening_hours", "place.phone", "place.postal_code", "place.slug",
    "place.street_address", "place.website", "place_closure.reason", "repair_category.label",
    "repair_category.ords_name", "repair_category_factor.source", "repair_record.brand",
    "repair_record.ext_country", "repair_record.ext_group", "repair_record.ext_id",
    "repair_record.ext_partner_category", "repair_record.ext_product_category", "repair_record.ext_provider",
    "repair_session.cancel_reason", "repair_skill.label",
    "seed_species.common_name", "seed_species.family", "seed_species.latin_name", "seed_variety.description",
    "seed_variety.name", "seed_variety.sowing",
    # A place's events (sql/schema/014): their kind's label, a workshop's
    # theme, and who leads it as the référents write it for the public (a
    # first name or an association, given with the person's agreement).
    "event_kind.label", "repair_session.theme", "event_proposal.state",
    # Volunteer shifts: what the team writes about a shift. A sign-up holds no
    # text; its link to the volunteer's account goes with tl.forget_volunteers
    # (sql/logic/volunteering.sql) and the retention delay, the hours staying.
    "volunteer_activity.label", "volunteer_shift.note",
    # Testimonies (sql/logic/stories.sql): linked to no member or account by
    # design, signed with a first name alone or anonymous (the table refuses
    # a family name, an e-mail, a phone); the person withdraws theirs with
    # its code or by asking the place, which deletes the row, and the
    # retention command deletes it after tl.retention.story_months.
    "story.body", "story.first_name", "story_activity.label",
    # Manuals a référent adds to an item, and a notice's licence (a closed list).
    "item_manual.title", "item_manual.url", "item_manual.pdf", "item_manual.pdf_sha256", "notice.licence",
    # An ORDS import's rows waiting at their preview (sql/logic/imports.sql): a provider's
    # published repairs, never our members' (phones scrubbed on reading);
    # they go when the import is confirmed or left.
    "import_repair_row.age", "import_repair_row.brand", "import_repair_row.country", "import_repair_row.ext_id",
    "import_repair_row.grp", "import_repair_row.partner", "import_repair_row.problem", "import_repair_row.product",
    "import_repair_row.provider",
    # The ORDS export's rows, copies of repair_record's columns kept by its
    # triggers (sql/logic/imports.sql): rewritten when the erasure replaces a
    # record's mentions, which the dump's check above proves.
    "repair_ords_row.brand", "repair_ords_row.country", "repair_ords_row.data_provider", "repair_ords_row.event_day",
    "repair_ords_row.group_identifier", "repair_ords_row.ords_id", "repair_ords_row.partner_product_category",
    "repair_ords_row.problem", "repair_ords_row.product_age", "repair_ords_row.product_category",
    # The ressourcerie knows no members: weighed intakes, anonymous sales.
    "reuse_category.label", "reuse_container.name", "reuse_eco_stream.label", "reuse_eco_stream.organisations",
    "reuse_intake.commune", "reuse_intake.source", "reuse_item.code", "reuse_item.description", "reuse_item.title",
    "reuse_item_event.detail", "reuse_outflow.partner", "reuse_outflow.reason", "reuse_sale.reason",
    "reuse_sale_line.label", "reuse_weighing.reason",
}


def test_every_text_column_is_reasoned_about(servers):
    columns = {f"{t}.{c}" for t, c in servers.sql("""
        SELECT c.table_name, c.column_name FROM information_schema.columns c
          JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'tl' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea',
                               'USER-DEFINED')""")}
    assert not FORGOTTEN.keys() & NOT_A_MEMBERS
    unknown = sorted(columns - FORGOTTEN.keys() - NOT_A_MEMBERS)
    assert not unknown, f"columns nobody has said how erasure treats: {unknown}"
    assert not sorted((FORGOTTEN.keys() | NOT_A_MEMBERS) - columns), "columns listed here that no longer exist"
    # The one erasure names every table it forgets in, and every table that
    # points at a member.
    body = servers.sql("SELECT pg_get_functiondef('tl.forget_members(integer[])'::regprocedure)")[0][0]
    tables = {c.split(".")[0] for c in FORGOTTEN} | {t for (t,) in servers.sql(
        "SELECT conrelid::regclass::text FROM pg_constraint WHERE confrelid = 'tl.member'::regclass")}
    missing = sorted(t for t in tables if not re.search(rf"\btl\.{t.removeprefix('tl.')}\b", body))
    assert not missing, f"tl.forget_members leaves out {missing}"
    # The three ways in all go through it.
    for fn in ("tl.erase_member(text, text)", "tl.my_erase(text)", "tl.apply_retention(timestamptz)"):
        assert "tl.forget_members(" in servers.sql("SELECT pg_get_functiondef(%s::regprocedure)", (fn,))[0][0], fn
