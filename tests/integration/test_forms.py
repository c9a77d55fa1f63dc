"""Every POST route of the router's table, sent by its own rendered form
with each field left out in turn and each single-valued field sent twice:
never a crash of the worker, never a 5xx; a 4xx with a French message
(RefusalCheck in conftest.py checks that nothing changed) unless the form
itself says the field may be left out (a checkbox, a field without
`required`); no CSRF token is a 403. Which fields are required and which may
repeat is read from the form, never from a list kept here."""
import os
import re
from datetime import date, timedelta

import requests
from bs4 import BeautifulSoup

from conftest import ROOT
from test_account import DEMO, desk_link, link_of, member_login, new_member, renewable_loan
from test_desk_access import login
from test_repair import book, form as repair_form, open_session, today_session
from test_events import event, own_place
from test_reuse import start, weigh
from test_reuse_stock import put_on_sale, sell

BASE = "/tierslieux"
POST_ROUTE = re.compile(r'\{\s*M_POST,\s*"([^"]+)",\s*\w+,\s*TL_ROUTE_\w+\s*\}')
CRASH = re.compile(r"exit signal|Segmentation fault|child pid \d+ exit", re.I)
# A French sentence: at least two of its small words.
FRENCH = re.compile(r"\b(le|la|les|de|du|des|un|une|ce|cette|est|pas|n'a|rien|pour|au|aux|à|été|vous)\b", re.I)


def post_routes():
    with open(os.path.join(ROOT, "mod_tierslieux", "pages", "tl_pages.c"), encoding="utf-8") as f:
        routes = POST_ROUTE.findall(f.read())
    assert len(routes) >= 40, "the route table was not read"
    return routes


# ---- where each form is rendered -------------------------------------------------
# Most forms are on a GET page any role-holder opens. Some are rendered only in
# a state, and are reached here by making that state, each for the reason said:

def member_state(servers, s):
    """The demo member (A-000123) with one of each thing her file and her
    account show a form for: a loan she may renew (prolonger), a reservation
    to come (annuler), a place on a waiting list (attente), a deposit not yet
    given back (caution)."""
    renewable_loan(servers, s)
    member = "(SELECT id FROM tl.member WHERE member_number = 'A-000123')"
    free = servers.sql("""
        SELECT i.id FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
          JOIN tl.place p ON p.id = i.place_id
         WHERE p.slug = 'mediatheque-jules-verne' AND a.state = 'disponible' AND i.retired_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                            AND b.ends_at > now())
         ORDER BY i.id DESC LIMIT 2""")
    servers.sql(f"INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at) VALUES "
                f"('reservation', %s, {member}, now() + interval '40 days', now() + interval '47 days')", (free[0][0],))
    servers.sql(f"INSERT INTO tl.waiting_list (item_id, member_id) VALUES (%s, {member})", (free[1][0],))
    servers.sql(f"INSERT INTO tl.member_deposit (member_id, amount, kind) VALUES ({member}, 20, 'especes')")
    return servers.sql("SELECT code FROM tl.item WHERE id = %s", (free[1][0],))[0][0]


def token(soup):
    return soup.find("input", attrs={"name": "jeton"})["value"]


def pages(servers):
    """(session, response) for every page the forms are read from."""
    out = []
    anonymous = requests.Session()
    get = lambda s, path, **params: out.append((s, s.get(servers.url(BASE + path), params=params, timeout=10)))

    # A visitor: a session's booking form, and the private page of a booking
    # (reached only by the secret link the booking gives).
    session = open_session(servers)
    get(anonymous, f"/reparation/{session}/reserver")
    v, data = repair_form(servers, session)
    r = book(servers, v, data)
    assert r.status_code == 303
    out.append((anonymous, anonymous.get(r.headers["Location"], timeout=10)))
    # The same form for a seat at a workshop: no object asked.
    own_place(servers)
    get(anonymous, f"/agenda/{event(servers, 'atelier', 'Atelier des formulaires', theme='couture')}/reserver")

    # A person withdrawing their testimony with its code.
    get(anonymous, "/temoignages/retrait")

    # A member choosing a password: the page behind a one-time link.
    new_member(servers, "T-FORMS")
    link = link_of(desk_link(servers, "T-FORMS")[1])
    out.append((anonymous, anonymous.get(link, timeout=10)))

    # The demo member in her account, with a loan, a reservation, a wait, a deposit.
    member, r = member_login(servers)
    assert r.status_code == 302
    waited = member_state(servers, member)
    get(member, "/compte")
    get(member, "/compte/reserver", objet=waited)
    get(member, "/compte/reserver", objet=servers.sql("SELECT min(code) FROM tl.item WHERE retired_at IS NULL")[0][0])
    get(member, "/compte/donnees")
    # The demo's offers to help (sql/demo/benevolat.sql) show their
    # withdrawal in the account, and wait in La Fabrique's back office.
    get(member, "/compte/aider")
    get(member, "/compte/atelier")
    # A notice, written from the account on an item's page.
    get(member, "/compte/notice", objet=servers.sql("SELECT min(code) FROM tl.item WHERE retired_at IS NULL")[0][0])

    # An administrator of every place holds every desk and back office.
    admin, _ = login(servers, "admin.reseau")
    item = servers.sql("SELECT code FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                       "WHERE p.slug = 'la-fabrique' AND i.retired_at IS NULL ORDER BY i.id LIMIT 1")[0][0]
    for path, params in (("/guichet/pret", {}), ("/guichet/retour", {}), ("/guichet/graines", {}),
                         ("/guichet/graines", {"lieu": "la-fabrique"}), ("/guichet/adherents", {}),
                         ("/guichet/adherent", {}), ("/guichet/objet", {"numero": item}),
                         ("/guichet/ressourcerie", {}), ("/guichet/ressourcerie/caisse", {"lieu": "la-fabrique"}),
                         ("/guichet/ressourcerie/sorties", {"lieu": "la-fabrique"}),
                         ("/gestion/objet", {}), ("/gestion/objet", {"numero": item}),
                         ("/gestion/objet/documents", {"numero": item}),
                         ("/gestion/lieu", {"lieu": "la-fabrique"}), ("/gestion/categories", {}),
                         ("/gestion/equipe", {"lieu": "la-fabrique"}), ("/gestion/graines", {"lieu": "la-fabrique"}),
                         ("/gestion/reparation", {"lieu": "la-fabrique"}),
                         ("/gestion/reparation/seance", {"seance": session}),
                         ("/gestion/ressourcerie", {"lieu": "la-fabrique"}),
                         ("/gestion/ressourcerie/filieres", {"lieu": "la-fabrique"}),
                         ("/gestion/import", {"lieu": "la-fabrique"}),
                         ("/gestion/benevolat", {"lieu": "la-fabrique"}),
                         ("/gestion/propositions", {"lieu": "la-fabrique"}),
                         ("/guichet/temoignages", {"lieu": "la-fabrique"}),
                         # The demo's testimonies there: public ones and a private one.
                         ("/gestion/temoignages", {"lieu": "la-fabrique"}),
                         ("/gestion/ateliers/proposition",
                          {"n": servers.sql("SELECT min(id) FROM tl.event_proposal WHERE state = 'proposee'")[0][0]})):
        get(admin, path, **params)
    # The charter's form shows to a volunteer whose role came from an
    # accepted offer, until they accept it.
    servers.sql("INSERT INTO tl.account (login, display_name, password_hash) VALUES ('charte.formulaire', "
                "'Charte Formulaire', public.crypt('Charte-2026', public.gen_salt('bf', 10)))")
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role, charter_pending) SELECT a.id, p.id, "
                "'benevole', true FROM tl.account a, tl.place p WHERE a.login = 'charte.formulaire' "
                "AND p.slug = 'la-fabrique'")
    newcomer, _ = login(servers, "charte.formulaire", "Charte-2026")
    get(newcomer, "/guichet/charte", lieu="la-fabrique")
    # A volunteer's page shows a shift's withdrawal once they signed up to
    # it, and its sign-up on another shift with room.
    servers.sql("SELECT tl.shift_sign_up('admin.reseau', s.id) FROM tl.volunteer_shift s JOIN tl.place p "
                "ON p.id = s.place_id WHERE p.slug = 'la-fabrique' AND s.starts_at > now() AND s.cancelled_at IS NULL "
                "AND s.needed > (SELECT count(*) FROM tl.volunteer_signup u WHERE u.shift_id = s.id "
                "AND u.withdrawn_at IS NULL) ORDER BY s.starts_at LIMIT 1")
    servers.sql("INSERT INTO tl.volunteer_shift (place_id, activity, starts_at, ends_at, needed) SELECT id, 'tri', "
                "now() + interval '5 days', now() + interval '5 days 2 hours', 3 FROM tl.place WHERE slug = 'la-fabrique'")
    get(admin, "/guichet/benevolat", lieu="la-fabrique")
    # The repair log is a form of the day a session takes place.
    get(admin, "/guichet/reparation", seance=today_session(servers))
    # The confirmation of a loan follows its check (POST /guichet/pret/verifier).
    soup = BeautifulSoup(admin.get(servers.url(BASE + "/guichet/pret"), timeout=10).text, "html.parser")
    lendable = servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
          JOIN tl.place p ON p.id = i.place_id
         WHERE p.slug = 'mediatheque-jules-verne' AND a.state = 'disponible' AND i.retired_at IS NULL
           AND (i.safety_check_days IS NULL OR i.last_safety_check + i.safety_check_days >= current_date)
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                            AND b.ends_at > now())
         ORDER BY i.code LIMIT 1""")[0][0]
    out.append((admin, admin.post(servers.url(BASE + "/guichet/pret/verifier"), timeout=10,
                                  data={"jeton": token(soup), "adherent": DEMO[0], "objet": lendable})))
    # A kit's list of components to tick follows its number at the return
    # (POST /guichet/retour), once the kit is lent; its editor is on the
    # back office's page of the kit.
    get(admin, "/gestion/objet", numero="OT-0006")
    servers.sql("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on) SELECT 'pret', i.id, "
                "(SELECT id FROM tl.member WHERE member_number = 'A-000204'), now(), current_date + 7 "
                "FROM tl.item i WHERE i.code = 'OT-0006'")
    soup = BeautifulSoup(admin.get(servers.url(BASE + "/guichet/retour"), timeout=10).text, "html.parser")
    out.append((admin, admin.post(servers.url(BASE + "/guichet/retour"), timeout=10,
                                  data={"jeton": token(soup), "objet": "OT-0006"})))
    # The transfers' buttons show once an item must travel: one to send
    # (La Fabrique's desk), one on its way (the médiathèque's).
    travelling = servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = 'la-fabrique' AND a.state = 'disponible' AND i.retired_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.item_movement m WHERE m.item_id = i.id)
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                            AND b.ends_at > now() - interval '1 day')
         ORDER BY i.code DESC LIMIT 2""")
    for n, (code,) in enumerate(travelling):
        servers.sql("SELECT tl.reserve_at('admin.reseau', %s, %s, current_date + 50, current_date + 52, "
                    "'mediatheque-jules-verne')", (DEMO[0], code))
        if n:
            servers.sql("SELECT tl.send_item('admin.reseau', m.id) FROM tl.item_movement m JOIN tl.item i "
                        "ON i.id = m.item_id WHERE i.code = %s", (code,))
    get(admin, "/guichet/transit", lieu="la-fabrique")
    get(admin, "/guichet/transit", lieu="mediatheque-jules-verne")
    # A photo's form (describe, reorder, remove) shows once an item has one.
    servers.sql("INSERT INTO tl.photo (item_id, alt, position, width, height) SELECT i.id, 'Vue de face', 1, 640, "
                "480 FROM tl.item i WHERE i.code = 'FC-0002'")
    get(admin, "/gestion/objet", numero="FC-0002")
    # A seed variety's photos show on its form in the grainothèque's back office.
    variety = servers.sql("SELECT min(id) FROM tl.seed_variety")[0][0]
    servers.sql("INSERT INTO tl.photo (seed_variety_id, alt, position, width, height) VALUES (%s, 'Gousses', 1, "
                "640, 480)", (variety,))
    get(admin, "/gestion/graines", lieu="la-fabrique", variete=str(variety))
    # A member's file is the answer to POST /guichet/adherent (numbers never travel in URLs).
    soup = BeautifulSoup(admin.get(servers.url(BASE + "/guichet/adherent"), timeout=10).text, "html.parser")
    out.append((admin, admin.post(servers.url(BASE + "/guichet/adherent"), timeout=10,
                                  data={"jeton": token(soup), "numero": DEMO[0]})))
    # The weighing and sorting forms belong to an intake once it is started.
    intake, _ = start(servers, admin)
    get(admin, "/guichet/ressourcerie/arrivage", n=intake)
    # A stock item's actions depend on its state: one on sale, one reserved.
    on_sale, _ = put_on_sale(servers, admin)
    reserved, _ = put_on_sale(servers, admin, titre="Lampe")
    servers.sql("UPDATE tl.reuse_item SET status = 'reserve' WHERE code = %s", (reserved,))
    # A stock item's photo forms (describe, reorder, remove) show once it has one.
    servers.sql("INSERT INTO tl.photo (reuse_item_id, alt, position, width, height) SELECT i.id, 'Vue de face', 1, "
                "640, 480 FROM tl.reuse_item i WHERE i.code = %s", (on_sale,))
    get(admin, "/guichet/ressourcerie/objet", n=on_sale)
    get(admin, "/guichet/ressourcerie/objet", n=reserved)
    # A receipt (and its cancelling form) exists once a sale is made.
    sold, _ = put_on_sale(servers, admin, titre="Tabouret")
    r = sell(servers, admin, lines=[(sold, "", "")])
    assert r.status_code == 303, r.text[:300]
    out.append((admin, admin.get(r.headers["Location"], timeout=10)))
    # The import's confirmation follows the preview of a file.
    soup = BeautifulSoup(admin.get(servers.url(BASE + "/gestion/import"), params={"lieu": "la-fabrique"},
                                   timeout=10).text, "html.parser")
    out.append((admin, admin.post(servers.url(BASE + "/gestion/import"), timeout=10,
                                  data={"jeton": token(soup), "lieu": "la-fabrique", "quoi": "objets"},
                                  files={"fichier": CSV})))
    for s, r in out:
        assert r.status_code == 200, (r.url, r.status_code, r.text[:300])
    return out


# ---- a form as a browser sends it ------------------------------------------------

def sample(servers, field):
    """A value for a required field the page shows empty, as a person would type it."""
    name, kind = field.get("name"), (field.get("type") or "text").lower()
    today = servers.sql("SELECT current_date")[0][0]
    if kind == "date":
        return (today + timedelta(days=30 if name != "au" else 37)).isoformat()
    if kind == "time":
        return "14:00"
    if kind == "number":
        return field.get("min") or "1"
    if kind == "email":
        return "essai@example.org"
    if kind == "tel":
        return "06 00 00 00 00"
    if kind == "password":
        return "Essai-du-formulaire-2026"
    if name in ("numero", "adherent"):
        return DEMO[0]
    if field.get("inputmode") == "decimal":
        return "2"
    return "Essai"


def fields(servers, form):
    """The fields the form sends, in order: (name, value, may_omit), and the
    names a browser may send several times (a group of checkboxes)."""
    out, counts = [], {}
    for el in form.find_all(["input", "select", "textarea"]):
        if el.get("name"):
            counts[el["name"]] = counts.get(el["name"], 0) + 1
    seen_radio = set()
    for el in form.find_all(["input", "select", "textarea", "button"]):
        name = el.get("name")
        if not name or el.has_attr("disabled"):
            continue
        required = el.has_attr("required")
        if el.name == "button":
            # A named submit button: sent when it is the one pressed (the first, here).
            if name not in [f[0] for f in out]:
                out.append((name, el.get("value", ""), True))
            continue
        if el.name == "select":
            options = [o for o in el.find_all("option") if not o.has_attr("disabled")]
            chosen = [o for o in options if o.has_attr("selected")]
            value = (chosen or [o for o in options if o.get("value", o.get_text())] if required else chosen or options)
            value = value[0].get("value", value[0].get_text()) if value else ""
            out.append((name, value, not required and any(o.get("value", o.get_text()) == "" for o in options)))
            continue
        if el.name == "textarea":
            value = el.get_text() or (sample(servers, el) if required else "")
            out.append((name, value, not required))
            continue
        kind = (el.get("type") or "text").lower()
        if kind in ("submit", "reset", "image"):
            continue
        if kind == "checkbox":
            if el.has_attr("checked") or required:
                out.append((name, el.get("value", "on"), not required))
            continue
        if kind == "radio":
            # One of the group is chosen; the group may be left out unless required.
            if name in seen_radio:
                continue
            group = form.find_all("input", attrs={"type": "radio", "name": name})
            chosen = [g for g in group if g.has_attr("checked")] or group
            seen_radio.add(name)
            out.append((name, chosen[0].get("value", "on"), not any(g.has_attr("required") for g in group)))
            continue
        if kind == "file":
            out.append((name, None, not required))
            continue
        value = el.get("value", "")
        if kind == "hidden":
            out.append((name, value, value == ""))
        else:
            out.append((name, value or (sample(servers, el) if required else ""), not required))
    multi = {n for n, c in counts.items() if c > 1
             and all(e.get("type") == "checkbox" for e in form.find_all("input", attrs={"name": n}))}
    return out, multi


CSV = ("objets.csv", "titre;catégorie\nPerceuse d'essai;bricolage\n", "text/csv")


def send(servers, s, action, form, pairs):
    """POSTs pairs (a None value: the form's file) as the form's enctype says."""
    kw = {"allow_redirects": False, "timeout": 30}
    if (form.get("enctype") or "").lower() == "multipart/form-data":
        kw["files"] = [(n, CSV if v is None else (None, v)) for n, v in pairs]
    else:
        kw["data"] = [(n, v) for n, v in pairs if v is not None]
    try:
        return s.post(servers.url(BASE + action), **kw)
    except requests.ConnectionError:
        return None             # the worker died under the request


def french(r):
    soup = BeautifulSoup(r.text, "html.parser")
    if not soup.html or soup.html.get("lang") != "fr":
        return None
    said = " ".join(e.get_text(" ", strip=True)
                    for e in soup.select(".tl-error-message, .tl-form-error, [role=alert]"))
    return said if len(FRENCH.findall(said)) >= 2 else None


def test_every_post_route_refuses_a_missing_or_repeated_field_without_crashing(servers, expect_log):
    # A form without its token is refused, and the refusal is logged (no value in it).
    expect_log.append("TLX0501")
    start_log = servers.log_size()
    routes = post_routes()
    forms = {}
    for s, r in pages(servers):
        for f in BeautifulSoup(r.text, "html.parser").find_all("form"):
            if (f.get("method") or "get").lower() != "post":
                continue
            action = f.get("action", "")
            assert action.startswith(BASE), action
            forms.setdefault(action[len(BASE):], []).append((s, f))
    missing = [route for route in routes if route not in forms]
    assert not missing, f"POST routes with no form rendered here (add the page that renders it): {missing}"

    omitted = repeated = lines = 0
    problems = []
    for route in routes:
        done = set()
        for s, form in forms[route]:
            pairs, multi = fields(servers, form)
            shape = tuple((n, v if n != "jeton" and v and not v.isdigit() else "") for n, v, _ in pairs)
            if shape in done:
                continue                # the same form for another row of the page
            done.add(shape)
            base = [(n, v) for n, v, _ in pairs]
            # A text of several lines keeps its line breaks wherever a
            # textarea asks for one (never "a control character").
            areas = {t["name"] for t in form.find_all("textarea") if t.get("name")}
            if areas:
                lines += 1
                r = send(servers, s, route, form,
                         [(n, "Première ligne\r\nSeconde ligne" if n in areas else v) for n, v in base])
                refused = r is not None and [a for a in areas if BeautifulSoup(r.text, "html.parser").find(
                    id=f"erreur-{a}")]
                if r is None or r.status_code >= 500 or refused or "caractère de contrôle" in r.text:
                    problems.append(f"{route}: a line break in {sorted(areas)} refused "
                                    f"({r.status_code if r is not None else 'no answer'})")
            for name, _, may_omit in pairs:
                omitted += 1
                r = send(servers, s, route, form, [(n, v) for n, v in base if n != name])
                if r is None:
                    problems.append(f"{route} without {name}: no answer (the worker died)")
                elif r.status_code >= 500:
                    problems.append(f"{route} without {name}: {r.status_code}")
                elif 400 <= r.status_code < 500:
                    if not french(r):
                        problems.append(f"{route} without {name}: {r.status_code} with no French message")
                    if name == "jeton" and r.status_code != 403:
                        problems.append(f"{route} without its token: {r.status_code}, not 403")
                elif not may_omit:
                    problems.append(f"{route} without {name} (required by its form): {r.status_code}")
            for name, value, _ in pairs:
                if name in multi:
                    continue
                repeated += 1
                twice = []
                for n, v in base:
                    twice.append((n, v))
                    if n == name:
                        twice.append((n, None if v is None else v + "-autre"))
                r = send(servers, s, route, form, twice)
                if r is None:
                    problems.append(f"{route} with {name} twice: no answer (the worker died)")
                elif r.status_code != 400 or not french(r):
                    problems.append(f"{route} with {name} twice: {r.status_code}"
                                    f"{'' if french(r) else ' with no French message'}")
    crashes = [line for line in servers.log_since(start_log).splitlines() if CRASH.search(line)]
    print(f"\nPOST routes: {len(routes)}; forms tried: {sum(len(v) for v in forms.values())}; "
          f"submissions with a field left out: {omitted}; with a field repeated: {repeated}; "
          f"with lines in its textareas: {lines}; "
          f"worker crashes: {len(crashes)}")
    assert not crashes and not problems, "\n".join(problems + ["workers crashed:"] + crashes if crashes else problems)
    assert omitted > 200 and repeated > 150 and lines >= 8
