"""Integration tests: a real PostgreSQL cluster and a real httpd loading the
freshly built module, both started by script/cluster in an ignored folder.

Every test file starts from the demo data as loaded, with an httpd of its
own (the `fresh_demo` fixture): nothing one file writes or reconfigures is
seen by another. Within a file, every test sets up what it needs; CI runs
the suite a second time in reverse order (TL_TEST_ORDER=reverse), a year
ahead, to prove that no test relies on what an earlier one left or on the
day it runs.

Every test fails when the httpd error log gains a warning or an error it did
not announce with the `expect_log` fixture (by tag: TLX…, AH…)."""
import os
import re
import shutil
import socket
import subprocess
import threading
import time

import psycopg2
import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN = os.environ.get("TL_PYTEST_RUN") or os.path.join(ROOT, ".run", "pytest")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster(*args, check=True):
    return subprocess.run([os.path.join(ROOT, "script", "cluster"), *args], check=check,
                          capture_output=True, text=True)


class Servers:
    def __init__(self):
        self.pg = os.path.join(RUN, "pg")
        self.web = os.path.join(RUN, "httpd")
        self.pg_port = free_port()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.error_log = os.path.join(self.web, "logs", "error.log")

    def url(self, path):
        return self.base + path

    def get(self, path, **kw):
        kw.setdefault("timeout", 10)
        kw.setdefault("allow_redirects", False)
        return requests.get(self.url(path), **kw)

    def raw_get(self, path):
        """GET with the path sent byte for byte (requests would repair a
        broken % escape before sending it)."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def reset(self):
        """The demo database as it was loaded, and an httpd started afresh
        on it (its connection pools and rendered pages know only it)."""
        self.stop_httpd()
        conn = psycopg2.connect(host=os.path.realpath(self.pg), port=self.pg_port, user="postgres",
                                dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS tierslieux WITH (FORCE)")
                cur.execute("CREATE DATABASE tierslieux TEMPLATE tierslieux_demo OWNER tierslieux "
                            "STRATEGY FILE_COPY")
        finally:
            conn.close()
        self.start_httpd()

    def db(self):
        """A connection as the owner role, over the cluster's private socket."""
        conn = psycopg2.connect(host=os.path.realpath(self.pg), port=self.pg_port,
                                user="tierslieux", dbname="tierslieux")
        conn.autocommit = True
        return conn

    def sql(self, query, params=None):
        with self.db() as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def start_httpd(self):
        cluster("httpd-conf", self.web, str(self.port), self.pg)
        cluster("httpd-start", self.web)

    def stop_httpd(self):
        cluster("httpd-stop", self.web)

    def restart_httpd(self):
        self.stop_httpd()
        self.start_httpd()

    def log_size(self):
        try:
            return os.path.getsize(self.error_log)
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.error_log, encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            return f.read()


# ---- a refused request changes nothing ---------------------------------------
# Every POST the tests send to our httpd that is refused (4xx) must leave the
# database as it was. The check wraps requests itself, so it holds for every
# refusal of every test, written now or later. A request that overlaps
# another (the concurrency tests) is not checked alone, since the others'
# writes would show: those tests count what was written themselves.

# Tables a refused request may change, and why.
MAY_CHANGE_ON_REFUSAL = {
    # A refused form at the desk shows the member's file again, with the
    # message: that reading is journaled, as every reading of a file is.
    "member_access",
}
# Rows a refused request is meant to write, left out of the fingerprint: a
# refusal over someone's account is journaled (sql/logic/members_accounts.sql), and nothing else.
WRITTEN_BY_REFUSAL = {
    "admin_log": "action NOT LIKE 'refus.%'",
}


class RefusalCheck:
    def __init__(self, servers):
        self.servers = servers
        self.lock = threading.Lock()
        self.active = {}
        self.allowed = set()          # per test: the `refusal_may_change` fixture
        self.query = None

    def digest(self):
        """A fingerprint of every table of the schema: {table: (rows, sum of row hashes)}."""
        if self.query is None:
            tables = [t for (t,) in self.servers.sql(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'tl' AND c.relkind IN ('r', 'p') ORDER BY 1")]
            self.query = " UNION ALL ".join(
                f"SELECT '{t}', count(*), coalesce(sum(hashtext(x::text)::bigint), 0) FROM tl.{t} x"
                + (f" WHERE {WRITTEN_BY_REFUSAL[t]}" if t in WRITTEN_BY_REFUSAL else "") for t in tables)
        try:
            return {t: (n, h) for t, n, h in self.servers.sql(self.query)}
        except psycopg2.Error:
            return None                # the database is down on purpose: nothing to compare

    def request(self, original, session, method, url, *args, **kwargs):
        if method.upper() != "POST" or not str(url).startswith(self.servers.base):
            return original(session, method, url, *args, **kwargs)
        me = object()
        with self.lock:
            for other in self.active:
                self.active[other] = True
            self.active[me] = bool(self.active)
        before = None if self.active[me] else self.digest()
        try:
            response = original(session, method, url, *args, **kwargs)
        finally:
            with self.lock:
                overlapped = self.active.pop(me)
        if 400 <= response.status_code < 500 and before is not None and not overlapped:
            after = self.digest()
            if after is not None:
                changed = sorted(t for t in before.keys() | after.keys()
                                 if before.get(t) != after.get(t)
                                 and t not in MAY_CHANGE_ON_REFUSAL and t not in self.allowed)
                assert not changed, (f"POST {url} was refused ({response.status_code}) "
                                     f"but changed tl.{', tl.'.join(changed)}")
        return response


@pytest.fixture
def refusal_may_change(servers):
    """Tables a test's refused request may change (with a comment saying why)."""
    return servers.refusals.allowed


@pytest.fixture(scope="session")
def servers():
    shutil.rmtree(RUN, ignore_errors=True)
    os.makedirs(RUN)
    s = Servers()
    os.environ["TL_PG_FSYNC"] = "off"
    cluster("pg-init", s.pg, str(s.pg_port))
    cluster("pg-demo", s.pg)
    # The demo as loaded, kept as a template that each test file starts from.
    cluster("psql", s.pg, "postgres", "-q", "-c", "CREATE DATABASE tierslieux_demo TEMPLATE tierslieux")
    s.refusals = RefusalCheck(s)
    original = requests.Session.request
    requests.Session.request = lambda session, method, url, *a, **kw: s.refusals.request(
        original, session, method, url, *a, **kw)
    yield s
    requests.Session.request = original
    s.stop_httpd()
    cluster("pg-stop", s.pg, check=False)


# What the database keeps beside the rows it derives from (sql/schema/003),
# stated again here from the rows themselves: each query lists what
# disagrees. Checked after every test file, whatever its writes were.
KEPT = {
    "tl.item_count": """
        (SELECT place_id, category_id, items, available FROM tl.item_count
         EXCEPT SELECT i.place_id, i.category_id, count(*), count(*) FILTER (WHERE a.state = 'disponible')
                  FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
                 WHERE i.retired_at IS NULL GROUP BY 1, 2)
        UNION ALL
        (SELECT i.place_id, i.category_id, count(*), count(*) FILTER (WHERE a.state = 'disponible')
           FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
          WHERE i.retired_at IS NULL GROUP BY 1, 2
         EXCEPT SELECT place_id, category_id, items, available FROM tl.item_count)""",
    "tl.item_unavailable": """
        (SELECT item_id, state, due_on FROM tl.item_unavailable
         EXCEPT SELECT item_id, state, due_on FROM tl.item_availability WHERE state <> 'disponible')
        UNION ALL
        (SELECT item_id, state, due_on FROM tl.item_availability WHERE state <> 'disponible'
         EXCEPT SELECT item_id, state, due_on FROM tl.item_unavailable)""",
    "tl.repair_record impact": """
        SELECT r.id FROM tl.repair_record r CROSS JOIN LATERAL tl.repair_impact(r) i
         WHERE (r.waste_kg, r.co2_kg) IS DISTINCT FROM (i.waste_kg, i.co2_kg)""",
    "tl.repair_tally": """
        WITH records AS (
            SELECT place_id, session_id, count(*) AS brought, count(*) FILTER (WHERE status = 'repare') AS fixed,
                   coalesce(sum(waste_kg), 0) AS waste_kg, coalesce(sum(co2_kg), 0) AS co2_kg,
                   count(*) FILTER (WHERE booking_id IS NULL) AS walk_ins
              FROM tl.repair_record GROUP BY 1, 2
        ), booked AS (
            SELECT s.place_id, s.id AS session_id, count(*) AS booked
              FROM tl.repair_booking b JOIN tl.repair_slot sl ON sl.id = b.slot_id
              JOIN tl.repair_session s ON s.id = sl.session_id
             WHERE b.cancelled_at IS NULL GROUP BY 1, 2
        ), expected AS (
            SELECT coalesce(r.place_id, b.place_id) AS place_id, coalesce(r.session_id, b.session_id) AS session_id,
                   coalesce(r.brought, 0) AS brought, coalesce(r.fixed, 0) AS fixed,
                   coalesce(r.waste_kg, 0) AS waste_kg, coalesce(r.co2_kg, 0) AS co2_kg,
                   coalesce(r.walk_ins, 0) AS walk_ins, coalesce(b.booked, 0) AS booked
              FROM records r FULL JOIN booked b ON b.place_id = r.place_id AND b.session_id = r.session_id
        )
        (SELECT place_id, session_id, brought, fixed, waste_kg, co2_kg, walk_ins, booked FROM tl.repair_tally
         EXCEPT TABLE expected)
        UNION ALL
        (TABLE expected
         EXCEPT SELECT place_id, session_id, brought, fixed, waste_kg, co2_kg, walk_ins, booked FROM tl.repair_tally)""",
    "tl.repair_ords_row": """
        (TABLE tl.repair_ords_row EXCEPT TABLE tl.repair_ords_source)
        UNION ALL
        (TABLE tl.repair_ords_source EXCEPT TABLE tl.repair_ords_row)""",
    # each person's earliest loan of a year carries the marks, no other loan
    "tl.booking borrowers' marks": """
        WITH counted AS (
            SELECT b.id, b.member_id, b.loan_place_id, b.starts_at,
                   extract(year FROM b.starts_at AT TIME ZONE p.time_zone) AS y
              FROM tl.booking b JOIN tl.place p ON p.id = b.loan_place_id
             WHERE b.kind = 'pret' AND b.cancelled_at IS NULL AND b.member_id IS NOT NULL)
        SELECT b.id FROM tl.booking b
          LEFT JOIN (SELECT DISTINCT ON (member_id, loan_place_id, y) id FROM counted
                      ORDER BY member_id, loan_place_id, y, starts_at, id) h ON h.id = b.id
          LEFT JOIN (SELECT DISTINCT ON (member_id, y) id FROM counted ORDER BY member_id, y, starts_at, id) n
                 ON n.id = b.id
         WHERE (b.first_here, b.first_network) IS DISTINCT FROM (h.id IS NOT NULL, n.id IS NOT NULL)
            OR (b.kind = 'pret') <> (b.loan_place_id IS NOT NULL)""",
    # a place's loans, borrowers, repairs and kilograms of each month of each year
    "tl.impact_tally": """
        WITH loans AS (
            SELECT b.loan_place_id AS place_id, b.starts_at AT TIME ZONE p.time_zone AS at, b.first_here,
                   b.first_network
              FROM tl.booking b JOIN tl.place p ON p.id = b.loan_place_id
             WHERE b.kind = 'pret' AND b.cancelled_at IS NULL
        ), flows AS (
            SELECT i.place_id, i.at AT TIME ZONE p.time_zone AS at, 'kg_entres' AS figure, w.net_kg AS kg
              FROM tl.reuse_intake i JOIN tl.place p ON p.id = i.place_id
              JOIN tl.reuse_weighing_current w ON w.intake_id = i.id
            UNION ALL
            SELECT s.place_id, s.day, 'kg_vendus', l.weight_kg
              FROM tl.reuse_sale_kept s JOIN tl.reuse_sale_line l ON l.sale_id = s.id
            UNION ALL
            SELECT o.place_id, o.counted_at AT TIME ZONE p.time_zone, 'kg_donnes', o.net_kg
              FROM tl.reuse_outflow_current o JOIN tl.place p ON p.id = o.place_id
             WHERE o.destination = 'don_reemploi'
        ), expected AS (
            SELECT place_id, extract(year FROM at)::integer AS year, extract(month FROM at)::integer AS month,
                   f.figure, f.value
              FROM (SELECT place_id, date_trunc('month', at) AS at, count(*) AS loans,
                           count(*) FILTER (WHERE first_here) AS here, count(*) FILTER (WHERE first_network) AS network
                      FROM loans GROUP BY 1, 2) l,
                   LATERAL (VALUES ('prets', l.loans), ('emprunteurs', l.here), ('emprunteurs_reseau', l.network))
                           AS f(figure, value)
            UNION ALL
            SELECT place_id, extract(year FROM d)::integer, extract(month FROM d)::integer, f.figure, f.value
              FROM (SELECT place_id, date_trunc('month', event_date) AS d, count(*) AS brought,
                           count(*) FILTER (WHERE status = 'repare') AS fixed,
                           count(*) FILTER (WHERE status = 'reparable') AS repairable,
                           count(*) FILTER (WHERE status = 'fin_de_vie') AS end_of_life,
                           count(*) FILTER (WHERE status = 'inconnu') AS unknown,
                           coalesce(sum(waste_kg), 0) AS waste, coalesce(sum(co2_kg), 0) AS co2
                      FROM tl.repair_record GROUP BY 1, 2) r,
                   LATERAL (VALUES ('objets', r.brought), ('repares', r.fixed), ('reparables', r.repairable),
                                   ('fin_de_vie', r.end_of_life), ('inconnu', r.unknown), ('dechets_kg', r.waste),
                                   ('co2_kg', r.co2)) AS f(figure, value)
            UNION ALL
            SELECT place_id, extract(year FROM at)::integer, extract(month FROM at)::integer, figure, sum(kg)
              FROM flows GROUP BY 1, 2, 3, 4
        )
        (SELECT place_id, year, month, figure, value FROM expected WHERE value <> 0
         EXCEPT SELECT place_id, year, month, figure, value FROM tl.impact_tally)
        UNION ALL
        (SELECT place_id, year, month, figure, value FROM tl.impact_tally
         EXCEPT SELECT place_id, year, month, figure, value FROM expected WHERE value <> 0)""",
    "tl.seed_lot.packets": """
        SELECT l.id FROM tl.seed_lot l
         WHERE l.packets <> (SELECT coalesce(sum(CASE m.kind WHEN 'depot' THEN m.packets ELSE -m.packets END), 0)
                               FROM tl.seed_movement m WHERE m.lot_id = l.id)""",
}


def kept_disagreements(servers):
    """What the database keeps and its rows disagree on, by what it keeps."""
    found = {}
    for name, query in KEPT.items():
        rows = servers.sql(query)
        if rows:
            found[name] = rows[:5]
    return found


@pytest.fixture(scope="module", autouse=True)
def fresh_demo(servers):
    servers.reset()
    yield
    assert kept_disagreements(servers) == {}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TL_TEST_ORDER") == "reverse":
        items.reverse()


# Lines httpd writes at notice level and below are not problems; anything
# at warn or above must be expected by the test that causes it.
LOG_LEVEL = re.compile(r"^\[[^\]]+\] \[[^:\]]+:(warn|error|crit|alert|emerg)\]")


@pytest.fixture
def expect_log():
    expected = []
    return expected


@pytest.fixture(autouse=True)
def clean_error_log(request, servers, expect_log):
    servers.refusals.allowed.clear()
    start = servers.log_size()
    yield
    unexpected = []
    for line in servers.log_since(start).splitlines():
        if LOG_LEVEL.match(line) and not any(tag in line for tag in expect_log):
            unexpected.append(line)
    assert not unexpected, "unexpected lines in the error log:\n" + "\n".join(unexpected)


@pytest.fixture
def db(servers):
    conn = servers.db()
    yield conn
    conn.close()


def wait_for(predicate, timeout=15.0, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
