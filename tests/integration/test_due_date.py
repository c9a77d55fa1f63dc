"""The due date of a loan is the database's rule, in one place: the loan
length later, on a day the place opens — its hours (stored as rows when a
référent saves them, read by the module's parser only), its closures and,
when it says "PH off", public holidays. tl.check_out and the renewals take
no date; psql cannot lend until a closed day."""
import datetime

from bs4 import BeautifulSoup

from test_admin import page, post
from test_desk_access import login
from test_reminders import date_fr

PLACES = ("mediatheque-jules-verne", "la-fabrique", "tiers-lieu-lakour")
# Easter Sunday, as published (the calendar of the years these tests use).
EASTER = {2026: datetime.date(2026, 4, 5), 2027: datetime.date(2027, 3, 28), 2028: datetime.date(2028, 4, 16),
          2029: datetime.date(2029, 4, 1), 2030: datetime.date(2030, 4, 21), 2031: datetime.date(2031, 4, 13)}
NATIONAL = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def holidays(year, time_zone):
    easter = EASTER[year]
    days = {datetime.date(year, m, d) for m, d in NATIONAL}
    days |= {easter + datetime.timedelta(days=n) for n in (1, 39, 50)}   # Monday, Ascension, Whit Monday
    if time_zone == "Indian/Reunion":
        days.add(datetime.date(year, 12, 20))                          # abolition of slavery, La Réunion
    return days


def rows(servers, slug):
    return servers.sql("SELECT o.weekday, o.opens, o.closes FROM tl.place_opening o JOIN tl.place p ON p.id = o.place_id "
                       "WHERE p.slug = %s ORDER BY 1, 2", (slug,))


def place_form(servers, s, slug):
    _, soup = page(servers, s, "/gestion/lieu", lieu=slug)
    form = soup.find("form", action=lambda a: a and a.endswith("/gestion/lieu"))
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("type") != "checkbox"}
    data.update({i["name"]: i.get("value", "1") for i in form.find_all("input")
                 if i.get("type") == "checkbox" and i.has_attr("checked")})
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    return data


def save_hours(servers, s, slug, hours):
    data = place_form(servers, s, slug)
    data["horaires"] = hours
    return post(servers, s, "/gestion/lieu", data)


def calendar(servers, slug):
    """What the oracle needs of a place: its open weekdays (every day
    without rows), its closures, whether it closes on public holidays, its
    time zone."""
    open_days = {w for w, _, _ in rows(servers, slug)} or set(range(1, 8))
    closures = servers.sql("SELECT c.starts_on, c.ends_on FROM tl.place_closure c JOIN tl.place p ON p.id = c.place_id "
                           "WHERE p.slug = %s", (slug,))
    ph, tz = servers.sql("SELECT closed_on_public_holidays, time_zone FROM tl.place WHERE slug = %s", (slug,))[0]
    return open_days, closures, ph, tz


def expected_due(place, start, loan_days):
    """The oracle, in Python: the first day from start + loan_days when the
    place opens, no closure covers it, and no public holiday when it closes
    then; the plain day when none comes within a year and a week."""
    open_days, closures, ph, tz = place
    day = start + datetime.timedelta(days=loan_days)
    for _ in range(373):
        if (day.isoweekday() in open_days and not any(a <= day <= b for a, b in closures)
                and not (ph and day in holidays(day.year, tz))):
            return day
        day += datetime.timedelta(days=1)
    return start + datetime.timedelta(days=loan_days)


def test_the_demo_rows_are_what_the_parser_reads_in_the_demo_hours(servers):
    """demo.sql writes the rows beside the text; saving each place's text
    again through the back office (the module's parser) finds them again."""
    s, _ = login(servers, "admin.reseau")
    for slug in PLACES:
        before = rows(servers, slug)
        assert before, slug
        data = place_form(servers, s, slug)
        r = post(servers, s, "/gestion/lieu", data)
        assert r.status_code == 303, (slug, r.text[:300])
        assert rows(servers, slug) == before, slug
        assert servers.sql("SELECT closed_on_public_holidays FROM tl.place WHERE slug = %s", (slug,)) == [(True,)]


def test_hours_saved_in_the_back_office_become_rows(servers):
    s, _ = login(servers, "referente.fabrique")
    slug = "la-fabrique"
    original = place_form(servers, s, slug)
    try:
        r = save_hours(servers, s, slug, "Mo-Fr 09:00-12:00,14:00-18:15; Sa 10:00-12:00")
        assert r.status_code == 303
        assert rows(servers, slug) == [(d, 540, 720) if k == 0 else (d, 840, 1095)
                                       for d in range(1, 6) for k in (0, 1)] + [(6, 600, 720)]
        assert servers.sql("SELECT closed_on_public_holidays FROM tl.place WHERE slug = %s", (slug,)) == [(False,)]
        r = save_hours(servers, s, slug, "24/7")
        assert r.status_code == 303 and rows(servers, slug) == [(d, 0, 1440) for d in range(1, 8)]
        r = save_hours(servers, s, slug, "")
        assert r.status_code == 303 and rows(servers, slug) == []
        # Unreadable hours: refused under the field, the rows as they were.
        save_hours(servers, s, slug, "We 14:00-19:00; PH off")
        kept = rows(servers, slug)
        assert kept == [(3, 840, 1140)]
        for bad in ("Lu 10:00-12:00", "Mo 25:00-26:00", "Mo 10:00"):
            r = save_hours(servers, s, slug, bad)
            soup = BeautifulSoup(r.text, "html.parser")
            assert r.status_code == 422 and "ne se lisent pas" in soup.find(id="erreur-horaires").get_text(), bad
            assert rows(servers, slug) == kept
    finally:
        r = post(servers, s, "/gestion/lieu", original)
        assert r.status_code == 303


def test_the_database_refuses_rows_no_parser_would_write(servers, db):
    place = servers.sql("SELECT id FROM tl.place WHERE slug = 'la-fabrique'")[0][0]
    for weekday, opens, closes in ((0, 600, 700), (8, 600, 700), (1, 700, 600), (1, 600, 1441), (3, 600, 1000)):
        with db.cursor() as cur:
            try:
                cur.execute("INSERT INTO tl.place_opening VALUES (%s, %s, %s, %s)", (place, weekday, opens, closes))
                raise AssertionError(f"accepted {weekday} {opens}-{closes}")
            except Exception as e:                  # noqa: BLE001 — psycopg2's error carries the constraint
                db.rollback()
                assert e.diag.constraint_name in ("place_opening_weekday", "place_opening_span",
                                                  "place_opening_no_overlap"), e


def test_due_dates_skip_closed_days_closures_and_public_holidays(servers, db):
    """tl.due_date against the Python oracle, from every day of two years,
    at each demo place (closed weekdays, an overseas time zone), with
    closures across the new year."""
    for slug in PLACES:
        item, loan_days = servers.sql(
            "SELECT i.id, coalesce(i.loan_days, c.loan_days) FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
            "JOIN tl.place p ON p.id = i.place_id WHERE p.slug = %s ORDER BY i.id LIMIT 1", (slug,))[0]
        with db.cursor() as cur:
            cur.execute("INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason) "
                        "SELECT id, '2027-12-24', '2028-01-02', 'Fêtes' FROM tl.place WHERE slug = %s", (slug,))
            cur.execute("INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason) "
                        "SELECT id, '2028-01-05', '2028-01-05', 'Inventaire' FROM tl.place WHERE slug = %s", (slug,))
        db.commit()
        try:
            start = datetime.date(2027, 1, 1)
            got = dict(servers.sql("SELECT d::date, tl.due_date(%s, d::date) FROM generate_series(%s::date, %s::date, "
                                   "interval '1 day') AS d", (item, start, datetime.date(2028, 12, 31))))
            assert len(got) == 731
            place = calendar(servers, slug)
            for day, due in got.items():
                assert due == expected_due(place, day, loan_days), (slug, day)
            # The cases that matter, named: Christmas week and the inventory are skipped...
            assert all(not (datetime.date(2027, 12, 24) <= due <= datetime.date(2028, 1, 2))
                       and due != datetime.date(2028, 1, 5) for due in got.values())
            # ...and so is every public holiday at these places ("PH off").
            assert place[2] and not any(due in holidays(due.year, place[3]) for due in got.values())
        finally:
            with db.cursor() as cur:
                cur.execute("DELETE FROM tl.place_closure")
            db.commit()


def test_a_place_closed_for_good_keeps_the_computed_day(servers, db):
    place, item, loan_days = servers.sql(
        "SELECT p.id, i.id, coalesce(i.loan_days, c.loan_days) FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
        "JOIN tl.place p ON p.id = i.place_id WHERE p.slug = 'la-fabrique' ORDER BY i.id LIMIT 1")[0]
    with db.cursor() as cur:
        for year in (2030, 2031):
            cur.execute("INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason) "
                        "VALUES (%s, %s, %s, 'Fermé pour travaux')",
                        (place, datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    db.commit()
    try:
        start = datetime.date(2030, 3, 2)
        assert servers.sql("SELECT tl.due_date(%s, %s)", (item, start)) == [
            (start + datetime.timedelta(days=loan_days),)]
    finally:
        with db.cursor() as cur:
            cur.execute("DELETE FROM tl.place_closure")
        db.commit()


def test_check_out_and_renewals_take_no_date(servers):
    """No function a desk or a member can call lends or renews to a date
    the caller chose: psql cannot lend until a closed day."""
    signatures = dict(servers.sql(
        "SELECT proname, pg_get_function_identity_arguments(oid) FROM pg_proc "
        "WHERE pronamespace = 'tl'::regnamespace AND proname IN ('check_out', 'renew', 'my_renew', 'extend_loan')"))
    assert signatures == {"check_out": "p_login text, p_member text, p_item text, p_override boolean",
                          "renew": "p_login text, p_booking bigint", "my_renew": "p_user text, p_booking bigint",
                          "extend_loan": "p_booking tl.booking"}


def test_psql_lends_and_renews_to_an_open_day_only(servers, db):
    """A loan by psql, from a Saturday the place closes on Sunday to Tuesday:
    whatever the day the test runs, a closure covers every day the due date
    could otherwise fall on but one, and the loan and its renewal land on
    open days outside the closures."""
    slug = "mediatheque-jules-verne"
    item, loan_days, today = servers.sql(
        "SELECT i.code, coalesce(i.loan_days, c.loan_days), (now() AT TIME ZONE p.time_zone)::date "
        "FROM tl.item i JOIN tl.category c ON c.id = i.category_id JOIN tl.item_availability a ON a.item_id = i.id "
        "JOIN tl.place p ON p.id = i.place_id WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL "
        "AND i.safety_check_days IS NULL AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id "
        "AND b.cancelled_at IS NULL AND b.ends_at > now()) "
        # not a kit: tl.check_in refuses it (its return is component by component, test_kits.py)
        "AND NOT EXISTS (SELECT 1 FROM tl.item_component k WHERE k.item_id = i.id) ORDER BY i.code LIMIT 1",
        (slug,))[0]
    member = servers.sql("SELECT tl.register_member('benevole.mediatheque', %s, 'Date', 'Dora', "
                         "'dora.date@exemple.fr', '', NULL, true)", (slug,))[0][0]
    plain = today + datetime.timedelta(days=loan_days)
    with db.cursor() as cur:
        # Closed from the plain due date for nine days.
        cur.execute("INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason) "
                    "SELECT id, %s, %s, 'Inventaire' FROM tl.place WHERE slug = %s",
                    (plain, plain + datetime.timedelta(days=8), slug))
    db.commit()
    try:
        due = servers.sql("SELECT tl.check_out('benevole.mediatheque', %s, %s, false)", (member, item))[0][0]
        assert due == expected_due(calendar(servers, slug), today, loan_days)
        assert due > plain + datetime.timedelta(days=8) and due.isoweekday() in {w for w, _, _ in rows(servers, slug)}
        booking, stored = servers.sql("SELECT b.id, b.due_on FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                                      "WHERE i.code = %s AND b.returned_at IS NULL AND b.kind = 'pret'", (item,))[0]
        assert stored == due
        renewed = servers.sql("SELECT tl.renew('benevole.mediatheque', %s)", (booking,))[0][0]
        assert renewed == expected_due(calendar(servers, slug), max(due, today), loan_days)
        assert servers.sql("SELECT due_on FROM tl.booking WHERE id = %s", (booking,)) == [(renewed,)]
    finally:
        servers.sql("SELECT tl.check_in('benevole.mediatheque', %s, 'bon', NULL)", (item,))
        with db.cursor() as cur:
            cur.execute("DELETE FROM tl.place_closure")
        db.commit()


def test_the_desk_shows_and_lends_to_the_databases_due_date(servers, db):
    """The preview shows tl.due_date's day; the loan stores it; the page after
    the loan says it in French, formatted by the module as the database does."""
    slug = "mediatheque-jules-verne"
    s, _ = login(servers, "benevole.mediatheque")
    item, item_id = servers.sql(
        "SELECT i.code, i.id FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id "
        "JOIN tl.place p ON p.id = i.place_id WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL "
        "AND i.safety_check_days IS NULL AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id "
        "AND b.cancelled_at IS NULL AND b.ends_at > now()) ORDER BY i.code DESC LIMIT 1", (slug,))[0]
    member = servers.sql("SELECT tl.register_member('benevole.mediatheque', %s, 'Guichet', 'Gaspard', "
                         "'gaspard.guichet@exemple.fr', '', NULL, true)", (slug,))[0][0]
    expected = servers.sql("SELECT tl.due_date(%s, tl.place_today(place_id)) FROM tl.item WHERE id = %s",
                           (item_id, item_id))[0][0]
    _, soup = page(servers, s, "/guichet/pret")
    token = soup.find("input", attrs={"name": "jeton"})["value"]
    r = post(servers, s, "/guichet/pret/verifier", {"jeton": token, "adherent": member, "objet": item})
    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 200, r.text[:500]
    shown = soup.find("time")
    assert shown["datetime"] == expected.isoformat() and shown.get_text() == date_fr(expected)
    try:
        r = post(servers, s, "/guichet/pret/confirmer", {"jeton": token, "adherent": member, "objet": item})
        assert r.status_code == 303 and r.headers["Location"].endswith(f"retour={expected.isoformat()}")
        assert servers.sql("SELECT due_on FROM tl.booking WHERE item_id = %s AND kind = 'pret' AND returned_at IS NULL",
                           (item_id,)) == [(expected,)]
        r = s.get(r.headers["Location"] if r.headers["Location"].startswith("http")
                  else servers.url(r.headers["Location"]), timeout=10)
        assert f"à rendre le {date_fr(expected)}" in BeautifulSoup(r.text, "html.parser").get_text()
    finally:
        servers.sql("SELECT tl.check_in('benevole.mediatheque', %s, 'bon', NULL)", (item,))


def test_the_modules_french_dates_are_the_databases(servers):
    """The done page formats a date the URL carries without asking the
    database: every day of a leap year and a common one reads as tl.date_fr
    writes it."""
    s, _ = login(servers, "benevole.mediatheque")
    days = servers.sql("SELECT d::date, tl.date_fr(d::date) FROM generate_series('2027-01-01'::date, "
                       "'2028-12-31'::date, interval '1 day') AS d")
    assert len(days) == 731
    for day, text in days[::7] + days[:40] + days[-40:]:
        r = s.get(servers.url("/tierslieux/guichet/pret"), params={"fait": "OT-0001", "retour": day.isoformat()},
                  timeout=10)
        assert f"à rendre le {text}." in BeautifulSoup(r.text, "html.parser").get_text(), day


def test_messages_tell_the_hours_from_the_rows(servers):
    got = dict(servers.sql("SELECT slug, tl.hours_fr(id) FROM tl.place"))
    assert got["mediatheque-jules-verne"] == ("mardi, jeudi, vendredi : 14 h – 18 h 30\n"
                                              "mercredi : 10 h – 12 h 30, 14 h – 18 h 30\n"
                                              "samedi : 10 h – 17 h\nfermé les jours fériés")
    assert got["tiers-lieu-lakour"] == ("du mardi au vendredi : 8 h 30 – 12 h, 13 h 30 – 17 h\n"
                                        "samedi : 8 h 30 – 12 h\nfermé les jours fériés")
