"""The overdue list of a place, as a page and as CSV, for its volunteers only."""
import csv
import io

from bs4 import BeautifulSoup

from test_desk_access import login

PLACE = "mediatheque-jules-verne"


def make_one_late(servers):
    """A loan of the test's own at the place, due four days ago, to a
    member of its own: (item code, member number, e-mail)."""
    from test_desk_lending import free_item
    code = free_item(servers)
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                "VALUES ('T-RETARD', 'Tardif', 'Théo', 'theo.tardif@example.org')")
    servers.sql("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on) "
                "SELECT 'pret', i.id, m.id, now() - interval '20 days', "
                "       (now() AT TIME ZONE p.time_zone)::date - 4 "
                "  FROM tl.item i JOIN tl.place p ON p.id = i.place_id, tl.member m "
                " WHERE i.code = %s AND m.member_number = 'T-RETARD'", (code,))
    return code, "T-RETARD", "theo.tardif@example.org"


def overdue_at(servers, place):
    """The place's overdue loans, read straight from the bookings."""
    return servers.sql("""
        SELECT i.code FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
         WHERE p.slug = %s AND b.kind = 'pret' AND b.returned_at IS NULL
           AND b.due_on < (now() AT TIME ZONE p.time_zone)::date
         ORDER BY b.due_on, i.code""", (place,))


def test_overdue_page_and_csv(servers):
    code, number, email = make_one_late(servers)
    late = overdue_at(servers, PLACE)
    assert (code,) in late
    s, _ = login(servers, "benevole.mediatheque")
    page = s.get(servers.url("/tierslieux/guichet/retards"), timeout=10)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in BeautifulSoup(page.text, "html.parser").select("tbody tr")]
    assert len(rows) == len(late)
    ours = [r for r in rows if f"({code})" in r[0]]
    assert len(ours) == 1 and ours[0][2] == "4 jours" and number in ours[0][3] and email in ours[0][4]
    r = s.get(servers.url("/tierslieux/guichet/retards.csv"), params={"lieu": PLACE}, timeout=10)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == f'attachment; filename="retards-{PLACE}.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:4] == ["Objet", "Titre", "À rendre le", "Jours de retard"]
    assert sorted(l[0] for l in lines[1:]) == sorted(c for (c,) in late)
    ours = [l for l in lines[1:] if l[0] == code]
    assert ours[0][3] == "4" and ours[0][4] == number
    # another place's list is not the volunteer's to read: they get their own
    other = s.get(servers.url("/tierslieux/guichet/retards.csv"), params={"lieu": "la-fabrique"}, timeout=10)
    assert "retards-mediatheque-jules-verne.csv" in other.headers["Content-Disposition"]


def test_residents_do_not_see_the_overdue_list(servers, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "habitant")
    assert s.get(servers.url("/tierslieux/guichet/retards.csv"), allow_redirects=False, timeout=10).status_code == 403
    assert servers.get("/tierslieux/guichet/retards").status_code == 302
