"""The overdue list of a place, as a page and as CSV, for its volunteers only."""
import csv
import io

from bs4 import BeautifulSoup

from test_desk_access import login

PLACE = "mediatheque-jules-verne"


def make_one_late(db):
    with db.cursor() as cur:
        cur.execute("""
            SELECT b.id, b.due_on, b.starts_at, i.code, m.member_number, m.email FROM tl.booking b
              JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
              JOIN tl.member m ON m.id = b.member_id
             WHERE p.slug = %s AND b.kind = 'pret' AND b.returned_at IS NULL ORDER BY b.id LIMIT 1""", (PLACE,))
        row = cur.fetchone()
        cur.execute("UPDATE tl.booking SET starts_at = now() - interval '20 days', due_on = current_date - 4 "
                    "WHERE id = %s", (row[0],))
    return row


def restore(db, row):
    with db.cursor() as cur:
        cur.execute("UPDATE tl.booking SET due_on = %s, starts_at = %s WHERE id = %s", (row[1], row[2], row[0]))


def test_overdue_page_and_csv(servers, db):
    row = make_one_late(db)
    try:
        s, _ = login(servers, "benevole.mediatheque")
        page = s.get(servers.url("/tierslieux/guichet/retards"), timeout=10)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
        cells = [td.get_text(" ", strip=True) for td in BeautifulSoup(page.text, "html.parser").select("tbody td")]
        assert f"({row[3]})" in cells[0] and cells[2] == "4 jours" and row[4] in cells[3] and row[5] in cells[4]
        r = s.get(servers.url("/tierslieux/guichet/retards.csv"), params={"lieu": PLACE}, timeout=10)
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert r.headers["Content-Disposition"] == f'attachment; filename="retards-{PLACE}.csv"'
        assert r.content.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
        assert lines[0][:4] == ["Objet", "Titre", "À rendre le", "Jours de retard"]
        assert [l[0] for l in lines[1:]] == [row[3]] and lines[1][3] == "4" and lines[1][4] == row[4]
        # another place's list is not the volunteer's to read: they get their own
        other = s.get(servers.url("/tierslieux/guichet/retards.csv"), params={"lieu": "la-fabrique"}, timeout=10)
        assert "retards-mediatheque-jules-verne.csv" in other.headers["Content-Disposition"]
    finally:
        restore(db, row)


def test_residents_do_not_see_the_overdue_list(servers, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "habitant")
    assert s.get(servers.url("/tierslieux/guichet/retards.csv"), allow_redirects=False, timeout=10).status_code == 403
    assert servers.get("/tierslieux/guichet/retards").status_code == 302
