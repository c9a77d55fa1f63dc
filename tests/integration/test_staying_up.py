"""The server stays up: a stalled database costs each request a bounded time,
slow clients do not freeze the site, a database outage is a French 503 on
every kind of route (login and role checks included), and every form our
pages render is read whole, one field or byte more gets a French 413.

The timings are printed (run with -s to see them):
    /usr/bin/python3 -m pytest tests/integration/test_staying_up.py -q -p no:cacheprovider -s
"""
import os
import re
import signal
import socket
import statistics
import threading
import time

import requests
from bs4 import BeautifulSoup

from conftest import ROOT, cluster, wait_for
from test_account import member_login
from test_desk_access import login

UNAVAILABLE = "Service momentanément indisponible"

# Pages that read the database, public and behind the desk's login.
PUBLIC_DB_PAGES = ["/tierslieux/", "/tierslieux/outils", "/tierslieux/outils?q=perceuse", "/tierslieux/graines",
                   "/tierslieux/lieux", "/tierslieux/reparation", "/tierslieux/ressourcerie",
                   "/mairie/partage/outils"]
DESK_DB_PAGES = ["/tierslieux/guichet", "/tierslieux/guichet/retards", "/tierslieux/guichet/ressourcerie/caisse"]


def french_503(r):
    if r.status_code != 503:
        return False
    soup = BeautifulSoup(r.text, "html.parser")
    return soup.h1 is not None and soup.h1.get_text() == UNAVAILABLE and "base de données" in soup.get_text()


# ---- the cluster, stopped and resumed as a whole --------------------------------

def cluster_pids(servers):
    """The postmaster and every process it started."""
    with open(os.path.join(os.path.realpath(servers.pg), "data", "postmaster.pid"), encoding="utf-8") as f:
        postmaster = int(f.readline())
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == postmaster:
                children.append(int(entry))
    return postmaster, children


def stall(servers):
    postmaster, _ = cluster_pids(servers)
    os.kill(postmaster, signal.SIGSTOP)     # first: it starts no backend while we stop the others
    for pid in cluster_pids(servers)[1]:
        os.kill(pid, signal.SIGSTOP)


def resume(servers):
    postmaster, children = cluster_pids(servers)
    for pid in children + [postmaster]:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def timed_get(session, url, timeout=30):
    start = time.monotonic()
    r = session.get(url, allow_redirects=False, timeout=timeout)
    return r, time.monotonic() - start


def test_a_stalled_database_costs_each_request_a_bounded_time(servers, expect_log):
    """PostgreSQL stopped (SIGSTOP: it accepts connections but never answers):
    150 requests to pages that read it answer a French 503 within 5 s, a
    static file answers within 1 s meanwhile, and once it runs again every
    page works, with no pooled connection left in an unknown state."""
    # Calls that ran out of time, connections that could not be made
    # (mod_dbd says so in its own words), what could not be read.
    expect_log += ["TLX0201", "TLX0204", "TLX0205", "TLX0207", "TLX0208", "[dbd:"]
    desk, _ = login(servers, "admin.reseau")
    for path in PUBLIC_DB_PAGES:
        assert servers.get(path).status_code == 200, path
    for path in DESK_DB_PAGES:
        assert desk.get(servers.url(path), allow_redirects=False, timeout=10).status_code == 200, path
    cookies = desk.cookies.get_dict()

    n = 150
    paths = [(PUBLIC_DB_PAGES + DESK_DB_PAGES)[i % (len(PUBLIC_DB_PAGES) + len(DESK_DB_PAGES))] for i in range(n)]
    barrier = threading.Barrier(n + 1)
    results = [None] * n
    static = []

    def ask(i):
        s = requests.Session()
        if paths[i] in DESK_DB_PAGES:
            s.cookies.update(cookies)
        barrier.wait()
        try:
            results[i] = timed_get(s, servers.url(paths[i]))
        except requests.RequestException as e:
            results[i] = (e, None)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    stall(servers)
    try:
        barrier.wait()
        time.sleep(0.3)                     # every request is in, waiting on the database
        s = requests.Session()
        while any(t.is_alive() for t in threads):
            for path in ("/index.html", "/tierslieux/static/tierslieux.css?v=1"):
                r, took = timed_get(s, servers.url(path), timeout=10)
                assert r.status_code == 200, path
                static.append(took)
            time.sleep(0.1)
        for t in threads:
            t.join()
    finally:
        resume(servers)

    failed = [(paths[i], res) for i, res in enumerate(results) if res[1] is None or not french_503(res[0])]
    assert not failed, failed[:5]
    times = sorted(took for _, took in results)
    print(f"\nstalled database, {n} requests: 503 median {statistics.median(times):.2f} s, "
          f"max {times[-1]:.2f} s; static file during the stall: median {statistics.median(static) * 1000:.0f} ms, "
          f"max {max(static) * 1000:.0f} ms over {len(static)} requests")
    assert times[-1] < 5.0
    assert static and max(static) < 1.0

    # Back: every process, every pooled connection serves again (the ones
    # that ran out of time were dropped, not handed out half-read).
    assert wait_for(lambda: servers.get("/tierslieux/outils").status_code == 200)
    time.sleep(1)
    after = [None] * 200

    def again(i):
        s = requests.Session()
        path = paths[i % n]
        if path in DESK_DB_PAGES:
            s.cookies.update(cookies)
        after[i] = s.get(servers.url(path), allow_redirects=False, timeout=10).status_code

    for batch in range(0, 200, 50):
        ts = [threading.Thread(target=again, args=(i,)) for i in range(batch, batch + 50)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert after == [200] * 200, sorted(set(after))


def test_slow_clients_do_not_freeze_the_site(servers):
    """120 connections sending their headers a byte every few seconds: the
    site still answers a GET within 1 s, and slow clients are cut by
    mod_reqtimeout, not kept for ever."""
    slow = []
    for _ in range(120):
        c = socket.create_connection(("127.0.0.1", servers.port), timeout=5)
        c.sendall(b"GET /tierslieux/outils HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(c)
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            for c in slow:
                try:
                    c.send(b"X")
                except OSError:
                    pass
            stop.wait(3)

    feeder = threading.Thread(target=trickle)
    feeder.start()
    times = []
    try:
        time.sleep(1)
        s = requests.Session()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for path in ("/tierslieux/outils", "/index.html"):
                r, took = timed_get(s, servers.url(path), timeout=10)
                assert r.status_code == 200
                times.append(took)
            time.sleep(0.5)
        # They were really held open all along (mod_reqtimeout allows 20 s).
        open_ones = 0
        for c in slow:
            c.setblocking(False)
            try:
                open_ones += c.recv(1) != b""
            except BlockingIOError:
                open_ones += 1
            except OSError:
                pass
        assert open_ones >= 110
    finally:
        stop.set()
        feeder.join()
    print(f"\n120 slow clients: GET median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {len(times)} requests")
    assert max(times) < 1.0
    # And they are cut after mod_reqtimeout's header time (20 to 40 s).
    for c in slow:
        c.setblocking(True)
        c.settimeout(45)
    start = time.monotonic()
    for c in slow:
        try:
            while c.recv(4096):
                pass
        except OSError:
            pass
        c.close()
    assert time.monotonic() - start < 45


# ---- a database outage, every kind of route --------------------------------------

ROUTE = re.compile(r'\{\s*(M_GET|M_POST),\s*"([^"]+)",\s*\w+,\s*(TL_ROUTE_\w+)\s*(?:,\s*"[^"]*"\s*)?\}')
# Pages that need no database: the stylesheet and scripts, the login forms,
# the form where a person types the code that withdraws their testimony (its
# POST needs it), the page a refused role is sent to, and the error document
# of an outage (asked directly, it is no page).
NO_DATABASE = {"/static/*": 200, "/connexion": 200, "/compte/connexion": 200, "/acces-refuse": 403,
               "/indisponible": 404, "/temoignages/retrait": 200}


# Pages reached with a parameter they check before reading the database.
SECRET = "x" * 43
QUERY = {"/reparation/reservation": f"?jeton={SECRET}", "/compte/mot-de-passe": f"?jeton={SECRET}"}


def routes():
    with open(os.path.join(ROOT, "mod_tierslieux", "pages", "tl_pages.c"), encoding="utf-8") as f:
        return ROUTE.findall(f.read())


def test_a_database_outage_is_a_french_503_on_every_route_kind(servers, expect_log):
    """PostgreSQL stopped: every GET route (public, desk and back office
    logged in by their cookies, Mon compte), every POST route with its
    session, the desk's and the members' login forms, answer the French
    503 page, never a 500; started again, everything works."""
    expect_log += ["TLX0201", "TLX0203", "TLX0204", "TLX0205", "[dbd:",
                   "TLX0501"]              # stand-in tokens, refused before any database call
    desk, _ = login(servers, "admin.reseau")
    member, _ = member_login(servers)
    assert desk.get(servers.url("/tierslieux/guichet"), timeout=10).status_code == 200
    assert member.get(servers.url("/tierslieux/compte"), timeout=10).status_code == 200

    def session_for(path):
        if path.startswith(("/guichet", "/gestion")):
            return desk
        if path.startswith("/compte") and not path.startswith(("/compte/connexion", "/compte/mot-de-passe")):
            return member
        return requests.Session()

    session_id = servers.sql("SELECT id FROM tl.repair_session WHERE starts_at > now() AND cancelled_at IS NULL "
                             "AND moved_to IS NULL ORDER BY starts_at LIMIT 1")[0][0]
    page = BeautifulSoup(servers.get(f"/tierslieux/reparation/{session_id}/reserver").text, "html.parser")
    form = page.find("form", attrs={"action": re.compile(r"/reparation/reserver$")})
    booking = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    booking["creneau"] = form.find("select", attrs={"name": "creneau"}).find("option", value=True)["value"]
    booking.update({"objet": "Grille-pain", "probleme": "Ne chauffe plus", "nom": "Camille", "contact":
                    "camille@example.org"})

    cluster("pg-stop", servers.pg)
    try:
        seen, wrong = {}, []
        for method, route, kind in routes():
            path = "/static/tierslieux.css" if route == "/static/*" else route.replace("*", "1")
            path += QUERY.get(route, "")
            s = session_for(path)
            if method == "M_GET":
                r = s.get(servers.url("/tierslieux" + path), allow_redirects=False, timeout=10)
            else:
                r = s.post(servers.url("/tierslieux" + path), data={"jeton": "x"}, allow_redirects=False,
                           timeout=10)
            seen[(method, route)] = r.status_code
            if route in NO_DATABASE and method == "M_GET":
                if r.status_code != NO_DATABASE[route]:
                    wrong.append((method, route, r.status_code))
                continue
            if method == "M_POST" and kind == "TL_ROUTE_PRIVATE" and s not in (desk, member):
                # Without a login to check (a session is checked in the
                # database: sql/logic/members_accounts.sql), the stand-in token is refused first,
                # as it would be with the database up (French 403).
                if not (r.status_code == 403 and "jeton" in r.text):
                    wrong.append((method, route, r.status_code))
                continue
            if not french_503(r) or r.headers.get("Retry-After") != "30":
                wrong.append((method, route, r.status_code))
        assert not wrong, wrong
        # A visitor's booking, its form read before the outage: the page
        # itself meets the outage.
        r = requests.post(servers.url("/tierslieux/reparation/reserver"), data=booking, allow_redirects=False,
                          timeout=10)
        assert french_503(r), (r.status_code, r.text[:300])
        # Logging in needs the database (no password cached for these: no
        # other test of this file logs in as them).
        r = requests.post(servers.url("/tierslieux/connexion/verifier"), allow_redirects=False, timeout=10,
                          data={"httpd_username": "benevole.mediatheque", "httpd_password": "Grelinette-2026",
                                "httpd_location": "/tierslieux/guichet"})
        assert french_503(r), (r.status_code, r.text[:300])
        r = member_login(servers, "A-000187", "pas-le-bon-mot-de-passe")[1]
        assert french_503(r), (r.status_code, r.text[:300])
        # A page including a widget (mod_include) still answers, the widget
        # replaced by the French message.
        r = servers.get("/exemple-inclusion.shtml")
        assert r.status_code == 200 and UNAVAILABLE in r.text
        kinds = {kind for _, _, kind in routes()}
        assert kinds == {"TL_ROUTE_PUBLIC", "TL_ROUTE_PRIVATE", "TL_ROUTE_ASSET"}
        assert len(seen) == len(routes())
    finally:
        cluster("pg-start", servers.pg)
    # Back: public pages, the desk by its cookie, a new login, Mon compte.
    assert wait_for(lambda: servers.get("/tierslieux/outils").status_code == 200)
    for _ in range(5):
        assert servers.get("/tierslieux/outils/1").status_code in (200, 404)
        assert desk.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200
        assert member.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10).status_code == 200
    s, r = login(servers, "referente.fabrique")
    assert r.status_code in (302, 303)
    assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200


# ---- forms at their largest -------------------------------------------------------

def till_lines():
    with open(os.path.join(ROOT, "mod_tierslieux", "pages", "page_desk_reuse_till.c"), encoding="utf-8") as f:
        return int(re.search(r"#define TL_TILL_MAX_LINES (\d+)", f.read()).group(1))


def test_a_sale_of_as_many_lines_as_the_till_offers_goes_through(servers):
    """The till offers up to 30 lines: a 30-line sale is recorded whole; a
    form with one field more than the largest the till renders is a French
    413 that records nothing."""
    lines = till_lines()
    s, _ = login(servers, "referente.fabrique")
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/caisse"),
                               params={"lieu": "la-fabrique", "lignes": str(lines)}, timeout=10).text, "html.parser")
    form = page.find("form", attrs={"action": re.compile(r"/guichet/ressourcerie/caisse$"), "method": "post"})
    names = {i["name"] for i in form.find_all(["input", "select"]) if i.get("name")}
    assert {f"article_{lines}", f"montant_{lines}"} <= names and f"article_{lines + 1}" not in names
    data = {"jeton": form.find("input", attrs={"name": "jeton"})["value"], "lieu": "la-fabrique",
            "paiement": "especes"}
    for n in range(1, lines + 1):
        data.update({f"article_{n}": "t", f"poids_{n}": "0,5", f"montant_{n}": "1"})
    before = servers.sql("SELECT count(*) FROM tl.reuse_sale")[0][0]
    r = s.post(servers.url("/tierslieux/guichet/ressourcerie/caisse"), data=data, allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text[:500]
    sale = int(r.headers["Location"].split("n=")[1])
    assert servers.sql("SELECT count(*) FROM tl.reuse_sale_line WHERE sale_id = %s", (sale,)) == [(lines,)]

    data["jeton"] = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/caisse"),
                                        params={"lieu": "la-fabrique"}, timeout=10).text,
                                  "html.parser").find("input", attrs={"name": "jeton"})["value"]
    data["encore"] = "1"                    # one more than the page can send
    r = s.post(servers.url("/tierslieux/guichet/ressourcerie/caisse"), data=data, allow_redirects=False, timeout=30)
    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 413 and soup.h1.get_text() == "Formulaire trop volumineux"
    assert "trop de champs" in soup.get_text()
    assert servers.sql("SELECT count(*) FROM tl.reuse_sale")[0][0] == before + 1


def test_a_charter_as_long_as_the_form_allows_is_saved(servers):
    """A place's charter of 20,000 characters (its maxlength), each three
    bytes in UTF-8, is saved; one character more is a French 413."""
    s, _ = login(servers, "referente.fabrique")

    def form():
        page = BeautifulSoup(s.get(servers.url("/tierslieux/gestion/lieu"), params={"lieu": "la-fabrique"},
                                   timeout=10).text, "html.parser")
        f = page.find("form", attrs={"action": re.compile(r"/gestion/lieu$")})
        assert f is not None, page.get_text()[:600]
        data = {}
        for field in f.find_all(["input", "textarea", "select"]):
            name = field.get("name")
            if not name or field.get("type") == "submit":
                continue
            if field.name == "textarea":
                data[name] = field.get_text()
            elif field.name == "select":
                chosen = field.find("option", selected=True) or field.find("option")
                data[name] = chosen.get("value", chosen.get_text())
            elif field.get("type") == "checkbox":
                if field.has_attr("checked"):
                    data[name] = field.get("value", "on")
            else:
                data[name] = field.get("value", "")
        return f, data

    f, data = form()
    limit = int(f.find("textarea", attrs={"name": "charte"})["maxlength"])
    data["charte"] = "€" * limit
    r = s.post(servers.url("/tierslieux/gestion/lieu"), data=data, allow_redirects=False, timeout=30)
    assert r.status_code == 303, BeautifulSoup(r.text, "html.parser").get_text()[:500]
    assert servers.sql("SELECT length(charter), octet_length(charter) FROM tl.place WHERE slug = 'la-fabrique'") == [
        (limit, 3 * limit)]
    f, data = form()
    data["charte"] = "€" * (limit + 1)
    r = s.post(servers.url("/tierslieux/gestion/lieu"), data=data, allow_redirects=False, timeout=30)
    assert r.status_code == 413 and "« charte » est trop long" in BeautifulSoup(r.text, "html.parser").get_text()


def largest(field):
    """The most a person can type or choose in field: maxlength characters
    of three bytes each, or a long value for what has no maxlength."""
    if field.name == "select":
        return max((o.get("value", "") for o in field.find_all("option")), key=len, default="")
    if field.get("type") in ("checkbox", "radio", "hidden", "submit"):
        return field.get("value") or "x" * 200
    if field.get("maxlength"):
        return "€" * int(field["maxlength"])
    return "x" * 200                        # a date, a number: short whatever is typed


def test_every_form_of_every_template_is_read_at_its_largest(servers, expect_log):
    """Each POST form of every template, filled to its maxlengths with
    three-byte characters, its repeated rows (data-tl-each) at their
    largest, is read whole: the answer is the token's refusal (403, the
    token is a stand-in), never a 413. Forms are sent by a session with
    every role (the back office, the desk) or a member's."""
    expect_log += ["TLX0501"]               # the stand-in token, refused
    desk, _ = login(servers, "admin.reseau")
    member, _ = member_login(servers)
    tried = 0
    for path in sorted(os.listdir(os.path.join(ROOT, "templates", "fr"))):
        if not path.endswith(".html"):
            continue
        with open(os.path.join(ROOT, "templates", "fr", path), encoding="utf-8") as f:
            soup = BeautifulSoup(f.read(), "html.parser")
        for form in soup.find_all("form", attrs={"method": "post"}):
            action = form["action"].replace("{{base}}", "/tierslieux")
            if action.endswith(("/verifier", "/deconnexion")) or form.get("enctype") == "multipart/form-data":
                continue                    # httpd's login handlers; the import (its own 8 MB limit)
            pairs = []
            radios = set()
            for field in form.find_all(["input", "textarea", "select", "button"]):
                name = field.get("name")
                one_of = field.get("type") == "radio" or field.name == "button" or field.get("type") == "submit"
                if not name or (one_of and name in radios):
                    continue                # radio buttons, or submit buttons, of one name send one value
                if one_of:
                    radios.add(name)
                row = field.find_parent(attrs={"data-tl-each": True})
                repeat = 1
                if row is not None and form in row.find_parents("form") and "{{n}}" in name:
                    repeat = till_lines()   # the till's lines: name_{{n}}
                elif row is not None and form in row.find_parents("form"):
                    # One field per choice (skills, categories): 40, more
                    # than the network has (the demo: a dozen).
                    repeat = 40
                for n in range(1, repeat + 1):
                    pairs.append((name.replace("{{n}}", str(n)).replace("{{category}}", f"c{n}"),
                                  "tok" if name == "jeton" else largest(field)))
            s = desk if action.startswith(("/tierslieux/guichet", "/tierslieux/gestion")) else (
                member if action.startswith("/tierslieux/compte/") and "mot-de-passe" not in action
                else requests.Session())
            r = s.post(servers.url(action), data=pairs, allow_redirects=False, timeout=30)
            text = BeautifulSoup(r.text, "html.parser").get_text()
            assert r.status_code == 403 and "jeton" in text, (path, action, r.status_code, text[:300])
            tried += 1
    assert tried >= 60
