"""ETags and the reuse of rendered pages hang on the data versions the
database bumps on every write, one per area of sql/logic: a page's version
is the sum of those of the areas it shows, so it is never older than the
last commit to what it shows, and a write elsewhere leaves it reusable."""
import os
import re
import sys
import time
from urllib.parse import quote

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "docs"))
from test_names import Sources  # noqa: E402  (the call graph of the pages' C code)

PUBLIC = re.compile(r'\{\s*M_GET,\s*"([^"]+)",\s*(\w+),\s*TL_ROUTE_PUBLIC\s*,\s*"([^"]*)"\s*\}')
# What the database keeps beside the rows it derives from (sql/schema/003),
# written by triggers in the statements that write these tracked tables.
KEPT_FROM = {"item_count": {"item", "booking", "maintenance"}, "repair_tally": {"repair_record", "repair_booking", "repair_slot", "repair_session"},
             "impact_tally": {"booking", "repair_record", "reuse_intake", "reuse_weighing", "reuse_sale",
                              "reuse_sale_line", "reuse_outflow", "place"},
             "repair_ords_row": {"repair_record", "place", "organisation", "repair_category"}}


def test_etag_and_304_without_rendering(servers):
    r = servers.get("/tierslieux/outils?q=perceuse")
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"] == "no-cache"
    again = servers.get("/tierslieux/outils?q=perceuse", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert servers.get("/tierslieux/outils?q=scie").headers["ETag"] != etag
    assert servers.get("/tierslieux/outils?q=perceuse", headers={"If-None-Match": '"autre"'}).status_code == 200


def test_every_write_is_seen_at_once(servers, db):
    before = servers.get("/tierslieux/outils/1")
    assert before.status_code == 200
    with db.cursor() as cur:
        cur.execute("SELECT title FROM tl.item WHERE id = 1")
        title = cur.fetchone()[0]
    try:
        for n in range(5):                     # write, read at once, several times
            new = f"Perceuse à percussion révisée n°{n}"
            with db.cursor() as cur:
                cur.execute("UPDATE tl.item SET title = %s WHERE id = 1", (new,))
            r = servers.get("/tierslieux/outils/1")
            assert new in r.text
            assert new in servers.get("/tierslieux/outils?q=percussion").text
        assert r.headers["ETag"] != before.headers["ETag"]
        assert servers.get("/tierslieux/outils/1", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.item SET title = %s WHERE id = 1", (title,))


def test_a_return_makes_an_item_available_at_once(servers, db):
    with db.cursor() as cur:
        cur.execute("SELECT b.id, b.item_id FROM tl.booking b WHERE b.kind = 'pret' AND b.returned_at IS NULL "
                    "ORDER BY b.id LIMIT 1")
        loan, item = cur.fetchone()
    assert "En prêt" in servers.get(f"/tierslieux/outils/{item}").text
    try:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET returned_at = now() WHERE id = %s", (loan,))
        assert "Disponible" in servers.get(f"/tierslieux/outils/{item}").text
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET returned_at = NULL WHERE id = %s", (loan,))
    assert "En prêt" in servers.get(f"/tierslieux/outils/{item}").text


def test_uncommitted_writes_are_not_shown(servers):
    conn = servers.db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE tl.item SET title = 'Brouillon non validé' WHERE id = 2")
            assert "Brouillon non validé" not in servers.get("/tierslieux/outils/2").text
        conn.rollback()
        assert "Brouillon non validé" not in servers.get("/tierslieux/outils/2").text
    finally:
        conn.close()


def public_routes():
    with open(os.path.join(ROOT, "mod_tierslieux", "pages", "tl_pages.c"), encoding="utf-8") as f:
        routes = PUBLIC.findall(f.read())
    assert len(routes) >= 10, "the route table was not read"
    return routes


def areas_read(servers, names):
    """The tables a page's queries reach (the tl.* names of its C code,
    through the views and functions they name, transitively), each with
    the area whose counters a write to it bumps."""
    tables = {n for (n,) in servers.sql("SELECT relname FROM pg_class WHERE relnamespace = 'tl'::regnamespace "
                                        "AND relkind IN ('r', 'p')")}
    bodies = {}
    for name, body in servers.sql("""
            SELECT relname, pg_get_viewdef(oid) FROM pg_class WHERE relnamespace = 'tl'::regnamespace AND relkind = 'v'
            UNION ALL SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'tl'::regnamespace"""):
        bodies[name] = bodies.get(name, "") + body
    area = {t: bytes(a).split(b"\0")[0].decode() for t, a in servers.sql("""
        SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE t.tgname = 'bump_data_version'""")}
    reached, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo += re.findall(r"\btl\.(\w+)", bodies.get(name, ""))
    read = {t for t in reached if t in tables}
    for kept, sources in KEPT_FROM.items():
        if kept in read:
            read |= sources
    return {t: area.get(t) for t in read if t not in KEPT_FROM and t != "data_version"}


def test_every_public_page_names_the_areas_of_what_it_reads(servers):
    """The class of bug a finer version invites: a page that shows a table
    whose area its route does not name would be reused after a write to
    it. Every public route names every area its queries reach, and every
    table they reach is tracked (or kept by triggers on tracked ones)."""
    sources = Sources()
    areas = {a for (a,) in servers.sql("SELECT DISTINCT area FROM tl.data_version")}
    problems = []
    for path, fn, shows in public_routes():
        named = set(shows.split())
        assert named <= areas, (path, named - areas)
        read = areas_read(servers, sources.reach(fn)[1])
        untracked = sorted(t for t, a in read.items() if a is None)
        missing = sorted({a for a in read.values() if a} - named)
        if untracked or missing:
            problems.append(f"{path} ({fn}): reads untracked {untracked}, areas not named {missing}")
    assert not problems, "\n".join(problems)
    # the check sees through views and kept counts: the catalogue reads
    # loans (through tl.item_availability), the home page too (tl.item_count)
    catalogue = areas_read(servers, sources.reach("tl_page_catalogue")[1])
    assert catalogue["booking"] == "lending" and catalogue["item"] == "places_catalogue"
    assert areas_read(servers, sources.reach("tl_page_home")[1])["booking"] == "lending"
    assert "member" not in areas_read(servers, sources.reach("tl_page_item")[1])


def etags(servers, paths):
    return {p: servers.get("/tierslieux" + p).headers["ETag"] for p in paths}


def test_a_write_changes_the_version_of_the_pages_that_show_it_and_no_other(servers, db):
    with db.cursor() as cur:
        cur.execute("SELECT b.id, b.item_id FROM tl.booking b WHERE b.kind = 'pret' AND b.returned_at IS NULL "
                    "ORDER BY b.id LIMIT 1")
        loan, item = cur.fetchone()
        cur.execute("SELECT id, description FROM tl.seed_variety ORDER BY id LIMIT 1")
        variety, description = cur.fetchone()
    showing_loans = ["/", "/lieux", "/outils?tri=disponibles", f"/outils/{item}", "/outils?q=perceuse&dispo=1"]
    not_showing = ["/graines", "/reparation", "/reparation.ics", "/ressourcerie", f"/outils/{item}/qr.svg"]
    before = etags(servers, showing_loans + not_showing)
    try:
        with db.cursor() as cur:    # a return as the desk writes it: the loan, and its member's last loan
            cur.execute("UPDATE tl.booking SET returned_at = now() WHERE id = %s", (loan,))
            cur.execute("UPDATE tl.member SET last_loan_at = last_loan_at "
                        "WHERE id = (SELECT member_id FROM tl.booking WHERE id = %s)", (loan,))
        after = etags(servers, showing_loans + not_showing)
        assert all(after[p] != before[p] for p in showing_loans), (before, after)
        assert all(after[p] == before[p] for p in not_showing), (before, after)
        assert "Disponible" in servers.get(f"/tierslieux/outils/{item}").text
        # the seed library's own write: its pages change, the catalogue's not
        seeds = etags(servers, ["/graines", "/outils"])
        with db.cursor() as cur:
            cur.execute("UPDATE tl.seed_variety SET description = description || ' ' WHERE id = %s", (variety,))
        again = etags(servers, ["/graines", "/outils"])
        assert again["/graines"] != seeds["/graines"] and again["/outils"] == seeds["/outils"]
        # a place's change shows on every page that names places
        with db.cursor() as cur:
            cur.execute("UPDATE tl.place SET description = description WHERE slug = 'la-fabrique'")
        last = etags(servers, showing_loans + not_showing)
        assert all(last[p] != after[p] for p in showing_loans + not_showing)
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET returned_at = NULL WHERE id = %s", (loan,))
            cur.execute("UPDATE tl.seed_variety SET description = %s WHERE id = %s", (description, variety))


def shown_items(html):
    return {int(i) for i in re.findall(r'/tierslieux/outils/(\d+)"', html)}


def test_a_loan_changes_the_catalogue_pages_that_show_its_item_and_no_other(servers, db):
    """Lending at item and place grain (tl.lending_version): a catalogue
    page chosen and sorted without the items' state, and an item's page,
    count lending through the buckets of the items they show; a place's
    page, and its catalogue filtered or sorted by availability, through the
    place's; a page of the whole network filtered or sorted by
    availability counts every loan."""
    with db.cursor() as cur:
        cur.execute("SELECT b.id, b.item_id, i.title, p.slug, (SELECT min(o.slug) FROM tl.place o "
                    "        WHERE o.id % 256 <> p.id % 256 AND EXISTS (SELECT 1 FROM tl.item_count n WHERE n.place_id = o.id)) "
                    "  FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id "
                    " WHERE b.kind = 'pret' AND b.returned_at IS NULL ORDER BY b.id LIMIT 1")
        loan, item, title, place, other = cur.fetchone()
    listing = "/outils?q=" + quote(title)
    assert item in shown_items(servers.get("/tierslieux" + listing).text)
    candidates = ["/outils", "/outils?page=2", "/outils?page=3", "/outils?tri=recent", "/outils?q=scie",
                  "/outils?q=tente", "/outils?q=perceuse", "/outils?lieu=la-fabrique", f"/outils/{item % 1024 + 1}",
                  f"/outils/{item + 1}", f"/outils?lieu={other}&dispo=1", f"/outils?lieu={other}&tri=disponibles",
                  f"/lieux/{other}"]
    before = {p: servers.get("/tierslieux" + p) for p in candidates}
    elsewhere = [p for p, r in before.items() if r.status_code == 200
                 and all(i % 1024 != item % 1024 for i in shown_items(r.text) | {int(p.split("/")[-1])
                                                                                 if p.startswith("/outils/") else -1})]
    assert len(elsewhere) >= 6 and f"/lieux/{other}" in elsewhere, elsewhere
    counting_every_loan = ["/outils?dispo=1", "/outils?tri=disponibles", listing + "&dispo=1"]
    at_its_place = [f"/lieux/{place}", f"/outils?lieu={place}&dispo=1", f"/outils?lieu={place}&tri=disponibles"]
    showing = [listing, f"/outils/{item}"] + counting_every_loan + at_its_place
    tags = etags(servers, showing)
    assert all(".i" in before[p].headers["ETag"] for p in elsewhere) and ".i" in tags[listing]
    assert all(".i" in tags[p] for p in at_its_place) and not any(".i" in tags[p] for p in counting_every_loan)
    try:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET returned_at = now() WHERE id = %s", (loan,))
        after = etags(servers, showing + elsewhere)
        assert all(after[p] != tags[p] for p in showing), (tags, after)
        assert all(after[p] == before[p].headers["ETag"] for p in elsewhere), (before, after)
        page = servers.get("/tierslieux" + listing).text
        card = page[page.index(f'/tierslieux/outils/{item}"'):]
        assert "Disponible" in card[:card.find("/tierslieux/outils/", 20) % len(card)]
        # the pages left as they were are what a fresh rendering gives, and
        # any process, even restarted, answers a browser's copy with a 304
        servers.restart_httpd()
        for p in elsewhere:
            fresh = servers.get("/tierslieux" + p)
            assert fresh.text == before[p].text and fresh.headers["ETag"] == before[p].headers["ETag"], p
        servers.restart_httpd()
        for p in elsewhere:
            r = servers.get("/tierslieux" + p, headers={"If-None-Match": before[p].headers["ETag"]})
            assert r.status_code == 304, p
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE tl.booking SET returned_at = NULL WHERE id = %s", (loan,))
    assert all(servers.get("/tierslieux" + p).headers["ETag"] != after[p] for p in showing)


def test_every_table_bumps_the_data_version(servers):
    untracked = servers.sql("""
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'tl' AND c.relkind = 'r'
           -- desk-only tables and the library cards of the members' logins, what the mail command writes all day (sql/logic/mail.sql),
           -- the back office's journal, the login sessions, an import's waiting rows (sql/logic: members_accounts, imports),
           -- counts kept by triggers in the statements that write the tracked rows they count (sql/schema/003)
           AND c.relname NOT IN ('data_version', 'member_access', 'member_card', 'waiting_list', 'mail_message', 'booking_reminder',
                                 'admin_log', 'web_session', 'import_repair_row', 'item_count', 'repair_tally', 'repair_ords_row',
                                 'impact_tally',
                                 -- the item counters beside the data version, bumped by lending's triggers
                                 'lending_version')
           AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'bump_data_version')""")
    assert untracked == []
    by_area = "SELECT area, sum(version) FROM tl.data_version GROUP BY area ORDER BY area"
    v1 = dict(servers.sql(by_area))
    servers.sql("UPDATE tl.place SET description = description WHERE slug = 'la-fabrique'")
    assert dict(servers.sql(by_area)) == dict(v1, places_catalogue=v1["places_catalogue"] + 1)


def test_etag_survives_a_restart_so_any_node_can_revalidate(servers):
    etag = servers.get("/tierslieux/lieux").headers["ETag"]
    servers.restart_httpd()
    assert servers.get("/tierslieux/lieux").headers["ETag"] == etag
    assert servers.get("/tierslieux/lieux", headers={"If-None-Match": etag}).status_code == 304


def test_concurrent_readers_never_see_a_page_older_than_the_last_commit(servers, db):
    """Readers hammer the item page while it is rewritten: every request
    sent after a commit returned shows that commit (the shared version query
    and the reuse of rendered pages never serve an older page)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    with db.cursor() as cur:
        cur.execute("SELECT title FROM tl.item WHERE id = 3")
        title = cur.fetchone()[0]
    stop = threading.Event()

    def background_load():
        with requests.Session() as s:
            while not stop.is_set():
                s.get(servers.url("/tierslieux/outils/3"), timeout=10)

    def read_after_commit(expected):
        with requests.Session() as s:
            return expected in s.get(servers.url("/tierslieux/outils/3"), timeout=10).text

    load = [threading.Thread(target=background_load) for _ in range(6)]
    for t in load:
        t.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            for n in range(25):
                new = f"Tondeuse révision {n}"
                with db.cursor() as cur:
                    cur.execute("UPDATE tl.item SET title = %s WHERE id = 3", (new,))
                assert all(pool.map(read_after_commit, [new] * 8)), n
    finally:
        stop.set()
        for t in load:
            t.join()
        with db.cursor() as cur:
            cur.execute("UPDATE tl.item SET title = %s WHERE id = 3", (title,))


def test_a_page_asked_for_at_once_after_a_write_is_rendered_once_per_process(servers):
    """After a write, the requests that arrive together for the same page
    wait for the one rendering it (tl_render_claim) and get its copy, where
    each used to render it again: at most once per httpd process (one in
    the demo's configuration). The places page is held up in the database
    (its table locked) while 32 requests arrive, so that they surely
    overlap."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import psycopg2
    import requests

    from conftest import wait_for

    extra = os.path.join(servers.web, "extra", "trace.conf")
    with open(extra, "w", encoding="utf-8") as f:
        f.write("LogLevel tierslieux:trace1\n")
    servers.restart_httpd()
    lock = servers.db()
    lock.autocommit = False
    watch = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port, user="postgres",
                             dbname="tierslieux")
    watch.autocommit = True
    try:
        for _ in range(8):
            servers.get("/tierslieux/lieux")
        servers.sql("UPDATE tl.place SET description = description WHERE slug = 'la-fabrique'")
        before = servers.log_size()
        with lock.cursor() as cur:
            cur.execute("LOCK TABLE tl.place IN ACCESS EXCLUSIVE MODE")
        together = threading.Barrier(32)

        def ask(_):
            together.wait()
            return requests.get(servers.url("/tierslieux/lieux"), timeout=10).status_code

        def waiting():         # as the superuser: others' waits are hidden from a plain role
            with watch.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND usename = 'tierslieux_web'")
                return cur.fetchone()[0]

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = pool.map(ask, range(32))
            assert wait_for(lambda: waiting() > 0, step=0.05)
            time.sleep(0.5)                 # the others arrive meanwhile
            held = waiting()
            lock.rollback()
            assert set(answers) == {200}
        rendered = [line for line in servers.log_since(before).splitlines()
                    if "TLX0304" in line and "page lieux rendered" in line]
        with open(os.path.join(ROOT, "conf", "demo", "httpd.conf.in"), encoding="utf-8") as f:
            processes = int(re.search(r"^ServerLimit (\d+)$", f.read(), re.M).group(1))
        assert 1 <= held <= processes and 1 <= len(rendered) <= processes, (held, rendered, processes)
    finally:
        lock.close()
        watch.close()
        os.remove(extra)
        servers.restart_httpd()
