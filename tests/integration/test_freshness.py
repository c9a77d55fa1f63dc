"""ETags and the reuse of rendered pages hang on the data version the
database bumps on every write: a page is never older than the last commit."""
import time


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


def test_every_table_bumps_the_data_version(servers):
    untracked = servers.sql("""
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'tl' AND c.relkind = 'r'
           -- desk-only tables, what the mail command writes all day (sql/logic/mail.sql),
           -- the back office's journal, the login sessions, an import's waiting rows (sql/logic: members_accounts, imports),
           -- counts kept by triggers in the statements that write the tracked rows they count (sql/schema/003)
           AND c.relname NOT IN ('data_version', 'member_access', 'waiting_list', 'mail_message', 'booking_reminder',
                                 'admin_log', 'web_session', 'import_repair_row', 'item_count', 'repair_tally')
           AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'bump_data_version')""")
    assert untracked == []
    v1 = servers.sql("SELECT sum(version) FROM tl.data_version")[0][0]
    servers.sql("UPDATE tl.place SET description = description WHERE slug = 'la-fabrique'")
    assert servers.sql("SELECT sum(version) FROM tl.data_version")[0][0] == v1 + 1


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
