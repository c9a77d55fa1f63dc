"""Nothing of a person shows on a public page. Every public route of the
router (read from its table, so a new route is crawled the day it is added),
for every place, item, variety and session, with the links each page offers,
is searched for every member's and every visitor's name, number, e-mail and
telephone — the demo's, and a member and a visitor of this test's own with
a loan out, a returned loan, a reservation, seeds taken and an object at a
repair café, and no testimony a référent did not make public."""
import collections
import urllib.parse

from bs4 import BeautifulSoup

from test_freshness import public_routes as routes_shown
from test_repair import book, form, open_session
from test_events import book as book_event, booking_form, event, own_place


def public_routes():
    return [path for path, _, _ in routes_shown()]


def expand(servers, route):
    """Concrete addresses of a route: one per row for each `*`."""
    ids = {
        "/lieux/*": "SELECT slug FROM tl.place",
        "/outils/*": "SELECT id::text FROM tl.item",
        "/outils/*/qr.svg": "SELECT id::text FROM tl.item",
        "/graines/*": "SELECT id::text FROM tl.seed_variety",
        "/outils/*/notice": "SELECT item_id::text FROM tl.notice WHERE item_id IS NOT NULL",
        "/graines/*/notice": "SELECT variety_id::text FROM tl.notice WHERE variety_id IS NOT NULL",
        "/documents/*": "SELECT id::text FROM tl.item_manual WHERE pdf IS NOT NULL",
        "/reparation/*": "SELECT id::text FROM tl.repair_session WHERE kind = 'reparation'",
        "/agenda/*": "SELECT id::text FROM tl.repair_session WHERE kind <> 'reparation'",
    }
    if "*" not in route:
        return ["/tierslieux" + route]
    assert route in ids, f"public route {route} has no list of ids here: add one"
    return ["/tierslieux" + route.replace("*", v) for (v,) in servers.sql(ids[route])]


def personal_data(servers):
    """Every string that names or reaches a person."""
    secrets = set()
    for given, family, number, email, phone in servers.sql(
            "SELECT given_name, family_name, member_number, email, phone FROM tl.member"):
        secrets |= {f"{given} {family}", family, number}
        secrets |= {v for v in (email, phone) if v}
    for name, contact in servers.sql("SELECT visitor_name, contact FROM tl.repair_booking"):
        secrets |= {v for v in (name, contact) if v}
    # A testimony no référent made public: its text, and its beginning
    # (a page showing an excerpt would leak it too).
    for (body,) in servers.sql("SELECT body FROM tl.story WHERE public_since IS NULL"):
        secrets |= {body, body[:60]}
    return secrets


def the_tests_own_person(servers):
    number = "T-PRIVE"
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email, phone) VALUES "
                "(%s, 'Quillebeuf', 'Zéphyrine', 'zephyrine.quillebeuf@example.org', '06 55 44 33 22')", (number,))
    free = servers.sql("""
        SELECT i.id FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
         WHERE a.state = 'disponible' AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id
                                                      AND b.cancelled_at IS NULL AND b.ends_at > now())
         ORDER BY i.id LIMIT 3""")
    (on_loan,), (returned,), (reserved,) = free
    member = f"(SELECT id FROM tl.member WHERE member_number = '{number}')"
    servers.sql(f"INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on) "
                f"VALUES ('pret', %s, {member}, now() - interval '3 days', current_date + 10)", (on_loan,))
    servers.sql(f"INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, returned_at) "
                f"VALUES ('pret', %s, {member}, now() - interval '30 days', current_date - 20, "
                f"now() - interval '21 days')", (returned,))
    servers.sql(f"INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at) "
                f"VALUES ('reservation', %s, {member}, now() + interval '20 days', now() + interval '27 days')",
                (reserved,))
    servers.sql(f"INSERT INTO tl.seed_movement (lot_id, kind, packets, at, member_id) "
                f"SELECT lot_id, 'retrait', 1, now(), {member} FROM tl.seed_lot_stock WHERE packets > 1 LIMIT 1")
    session = open_session(servers)
    s, data = form(servers, session)
    r = book(servers, s, {**data, "nom": "Anatole Vireloup", "contact": "anatole.vireloup@example.org"})
    assert r.status_code == 303
    # A seat at a workshop, booked through the same form.
    own_place(servers)
    workshop = event(servers, "atelier", "Atelier de la confidentialité", theme="numérique")
    s, _, data = booking_form(servers, f"/tierslieux/agenda/{workshop}/reserver")
    r = book_event(servers, s, {**data, "nom": "Hortense Brizard", "contact": "hortense.brizard@example.org"})
    assert r.status_code == 303


def test_no_person_shows_on_any_public_page(servers):
    the_tests_own_person(servers)
    secrets = personal_data(servers)
    assert {"Zéphyrine Quillebeuf", "T-PRIVE", "Anatole Vireloup", "Hortense Brizard", "Claire Martin"} <= secrets
    assert any(s.startswith("J'ai meublé la chambre") for s in secrets)       # the demo's private testimony
    places = [slug for (slug,) in servers.sql("SELECT slug FROM tl.place")]
    queue = collections.deque(["/"])
    for route in public_routes():
        for path in expand(servers, route):
            queue.append(path)
            queue.append(path + ("&" if "?" in path else "?") + "fragment=1")
            queue.extend(f"{path}?lieu={slug}" for slug in places)
    seen, pages = set(), collections.Counter()
    while queue and len(seen) < 3000:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        r = servers.get(path)
        if r.status_code != 200:
            # 301: an event asked for at another kind's address.
            assert r.status_code in (301, 400, 404, 410), (path, r.status_code)
            continue
        text = r.content.decode("utf-8", "replace")
        leaked = [v for v in secrets if v in text]
        assert not leaked, f"{path} shows {leaked}"
        pages[urllib.parse.urlsplit(path).path.split("/")[2] if path.startswith("/tierslieux/") else "site"] += 1
        if "html" not in r.headers.get("Content-Type", ""):
            continue
        for a in BeautifulSoup(text, "html.parser").find_all("a", href=True):
            url = urllib.parse.urljoin(servers.base + path, a["href"])
            if url.startswith(servers.base + "/") and "/guichet" not in url and "/gestion" not in url \
                    and "/compte" not in url and "/connexion" not in url:
                queue.append(url[len(servers.base):].split("#")[0])
    # The crawl reached every public part of the site.
    assert {"outils", "lieux", "graines", "reparation", "agenda", "ressourcerie", "site"} <= set(pages), pages
    assert len(seen) > 200
