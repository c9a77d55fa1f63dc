"""Volunteer shifts (sql/logic/volunteering.sql, pages/page_volunteering.c):
référents publish and cancel shifts, volunteers of the place sign up and
withdraw from /guichet/benevolat, the desk sees who is expected today, and
the hours are counted for the group only — by month, place and activity,
valued at the place's hourly value in a CSV for the accounts. A volunteer
sees only their own hours; erasure and retention detach the sign-ups from
the person while the group's totals stay. Every test makes its own shifts
relative to now, so it holds on any day and in any order."""
import csv
import datetime
import io
import random
from decimal import ROUND_HALF_UP, Decimal

from bs4 import BeautifulSoup

from test_desk_access import login

BASE = "/tierslieux"
MEDIATHEQUE = "mediatheque-jules-verne"
FABRIQUE = "la-fabrique"


def token(s, servers, path, **params):
    r = s.get(servers.url(BASE + path), params=params, timeout=10)
    assert r.status_code == 200, r.text[:300]
    return BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "jeton"})["value"]


def new_shift(servers, place, starts="now() + interval '3 days'", hours=3, needed=2, activity="guichet"):
    """A shift of its own, relative to now."""
    return servers.sql(f"""
        INSERT INTO tl.volunteer_shift (place_id, activity, starts_at, ends_at, needed)
        SELECT id, %s, {starts}, {starts} + make_interval(hours => %s), %s FROM tl.place WHERE slug = %s
        RETURNING id""", (activity, hours, needed, place))[0][0]


def account_id(servers, login_name):
    return servers.sql("SELECT id FROM tl.account WHERE login = %s", (login_name,))[0][0]


def new_volunteer(servers, login_name, name, place, role="benevole"):
    servers.sql("INSERT INTO tl.account (login, display_name) VALUES (%s, %s)", (login_name, name))
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, %s "
                "FROM tl.account a, tl.place p WHERE a.login = %s AND p.slug = %s", (role, login_name, place))
    return account_id(servers, login_name)


def post(s, servers, path, data):
    return s.post(servers.url(BASE + path), data=data, allow_redirects=False, timeout=10)


def live_signups(servers, shift):
    return servers.sql("SELECT count(*) FROM tl.volunteer_signup WHERE shift_id = %s AND withdrawn_at IS NULL",
                       (shift,))[0][0]


def hours_csv(s, servers, place):
    r = s.get(servers.url(BASE + "/gestion/benevolat/heures.csv"), params={"lieu": place}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "contributions-volontaires" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["mois", "lieu", "activité", "heures", "bénévoles", "valeur horaire (€)", "valorisation (€)"]
    return rows[1:]


def number(text):
    return Decimal(text.replace(",", "."))


def cents(x):
    """Rounded as PostgreSQL's round() does: half away from zero."""
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_referent_publishes_and_cancels_a_shift(servers):
    ref, _ = login(servers, "referente.fabrique")
    jeton = token(ref, servers, "/gestion/benevolat", lieu=FABRIQUE)
    day = servers.sql("SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 10)::text")[0][0]
    r = post(ref, servers, "/gestion/benevolat", {"jeton": jeton, "lieu": FABRIQUE, "activite": "tri", "jour": day,
                                                  "debut": "09:00", "fin": "12:30", "personnes": "3",
                                                  "note": "Grand tri d'hiver"})
    assert r.status_code == 303 and "fait=creation" in r.headers["Location"], r.text[:300]
    shift = servers.sql("SELECT s.id, s.needed, s.ends_at - s.starts_at, s.note FROM tl.volunteer_shift s "
                        "WHERE s.note = 'Grand tri d''hiver'")
    assert [row[1:] for row in shift] == [(3, datetime.timedelta(hours=3, minutes=30),
                                           "Grand tri d'hiver")]
    page = ref.get(servers.url(BASE + "/gestion/benevolat"), params={"lieu": FABRIQUE}, timeout=10).text
    assert "Grand tri d'hiver" in page
    # A shift ending before it starts, and one in the past: French 422s under their fields.
    for data, field in (({"debut": "12:00", "fin": "09:00", "jour": day}, "erreur-fin"),
                        ({"debut": "09:00", "fin": "10:00",
                          "jour": servers.sql("SELECT (current_date - 2)::text")[0][0]}, "erreur-jour"),
                        ({"debut": "09:00", "fin": "10:00", "jour": day, "personnes": "0"}, "erreur-personnes")):
        r = post(ref, servers, "/gestion/benevolat", {"jeton": jeton, "lieu": FABRIQUE, "activite": "tri",
                                                      "personnes": "2", "note": "", **data})
        assert r.status_code == 422, (data, r.status_code)
        assert BeautifulSoup(r.text, "html.parser").find(id=field).get_text().strip()
    # Cancelled: it counts no hours and takes no sign-up.
    r = post(ref, servers, "/gestion/benevolat/annuler", {"jeton": jeton, "lieu": FABRIQUE, "creneau": shift[0][0]})
    assert r.status_code == 303
    assert servers.sql("SELECT cancelled_at IS NOT NULL FROM tl.volunteer_shift WHERE id = %s",
                       (shift[0][0],)) == [(True,)]


def test_a_volunteer_of_another_place_is_refused(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    fabrique = new_shift(servers, FABRIQUE)
    desk, _ = login(servers, "benevole.mediatheque")
    jeton = token(desk, servers, "/guichet/benevolat")
    # Signing up at a place where they hold no role: the French 403, nothing written.
    r = post(desk, servers, "/guichet/benevolat/inscription", {"jeton": jeton, "lieu": FABRIQUE, "creneau": fabrique})
    assert r.status_code == 403 and "Rien n'a été changé" in r.text
    assert live_signups(servers, fabrique) == 0
    # The back office is the référents'.
    r = post(desk, servers, "/gestion/benevolat", {"jeton": jeton, "lieu": MEDIATHEQUE, "activite": "tri"})
    assert r.status_code == 403
    # A référente of another place neither publishes nor cancels there.
    ref, _ = login(servers, "referente.fabrique")
    jeton = token(ref, servers, "/gestion/benevolat", lieu=FABRIQUE)
    mediatheque = new_shift(servers, MEDIATHEQUE)
    day = servers.sql("SELECT (current_date + 10)::text")[0][0]
    before = servers.sql("SELECT count(*) FROM tl.volunteer_shift")
    r = post(ref, servers, "/gestion/benevolat", {"jeton": jeton, "lieu": MEDIATHEQUE, "activite": "tri", "jour": day,
                                                  "debut": "09:00", "fin": "12:00", "personnes": "2", "note": ""})
    assert r.status_code == 403
    r = post(ref, servers, "/gestion/benevolat/annuler", {"jeton": jeton, "lieu": FABRIQUE, "creneau": mediatheque})
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.volunteer_shift") == before
    assert servers.sql("SELECT cancelled_at FROM tl.volunteer_shift WHERE id = %s", (mediatheque,)) == [(None,)]
    # Another place's page of the desk is refused too.
    assert desk.get(servers.url(BASE + "/guichet/benevolat"), params={"lieu": FABRIQUE},
                    timeout=10).status_code == 403


def test_sign_up_then_withdraw(servers):
    shift = new_shift(servers, MEDIATHEQUE, needed=3)
    desk, _ = login(servers, "benevole.mediatheque")
    jeton = token(desk, servers, "/guichet/benevolat")
    r = post(desk, servers, "/guichet/benevolat/inscription", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 303 and "fait=inscription" in r.headers["Location"]
    assert live_signups(servers, shift) == 1
    page = BeautifulSoup(desk.get(r.headers["Location"], timeout=10).text, "html.parser")
    withdraw = [f for f in page.find_all("form", action=lambda a: a and a.endswith("/guichet/benevolat/retrait"))
                if f.find("input", attrs={"name": "creneau"})["value"] == str(shift)]
    assert len(withdraw) == 1
    # Twice: refused, in French.
    r = post(desk, servers, "/guichet/benevolat/inscription", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 422 and "déjà inscrit" in r.text
    r = post(desk, servers, "/guichet/benevolat/retrait", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 303 and "fait=retrait" in r.headers["Location"]
    assert live_signups(servers, shift) == 0
    r = post(desk, servers, "/guichet/benevolat/retrait", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 422 and "pas inscrit" in r.text


def test_a_full_shift_refuses_more_sign_ups(servers):
    shift = new_shift(servers, MEDIATHEQUE, needed=1)
    servers.sql("SELECT tl.shift_sign_up('admin.reseau', %s)", (shift,))
    desk, _ = login(servers, "benevole.mediatheque")
    jeton = token(desk, servers, "/guichet/benevolat")
    r = post(desk, servers, "/guichet/benevolat/inscription", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 422
    assert "Ce créneau est complet" in BeautifulSoup(r.text, "html.parser").find(id="erreur-creneau").get_text()
    assert live_signups(servers, shift) == 1


def test_two_volunteers_taking_the_last_seat_at_once(servers):
    """The shift's row is locked: of eight sign-ups sent together to a shift
    of three, exactly three are written."""
    import threading
    shift = new_shift(servers, MEDIATHEQUE, needed=3)
    people = [new_volunteer(servers, f"course.{n}", f"Coureur {n}", MEDIATHEQUE) for n in range(8)]
    barrier = threading.Barrier(len(people))
    results = []

    def go(n):
        barrier.wait()
        try:
            servers.sql("SELECT tl.shift_sign_up(%s, %s)", (f"course.{n}", shift))
            results.append("ok")
        except Exception as e:       # psycopg2's error for the refusal
            results.append(str(e).split("\n")[0])

    threads = [threading.Thread(target=go, args=(n,)) for n in range(len(people))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 3 and all("complet" in x for x in results if x != "ok"), results
    assert live_signups(servers, shift) == 3


def test_withdrawing_from_a_started_shift_is_refused(servers):
    shift = new_shift(servers, MEDIATHEQUE, starts="now() - interval '10 minutes'")
    servers.sql("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at) VALUES (%s, %s, "
                "now() - interval '1 day')", (shift, account_id(servers, "benevole.mediatheque")))
    desk, _ = login(servers, "benevole.mediatheque")
    jeton = token(desk, servers, "/guichet/benevolat")
    r = post(desk, servers, "/guichet/benevolat/retrait", {"jeton": jeton, "lieu": MEDIATHEQUE, "creneau": shift})
    assert r.status_code == 422 and "a commencé" in r.text
    assert live_signups(servers, shift) == 1
    # Nor may anyone sign up once it started.
    admin, _ = login(servers, "admin.reseau")
    r = post(admin, servers, "/guichet/benevolat/inscription",
             {"jeton": token(admin, servers, "/guichet/benevolat", lieu=MEDIATHEQUE), "lieu": MEDIATHEQUE,
              "creneau": shift})
    assert r.status_code == 422 and "a commencé" in r.text


def test_the_desk_sees_who_is_expected_today(servers):
    """A shift halfway between the place's midnight and now is today
    whatever the hour; its volunteer's name shows to the place's team only."""
    name = "Bérengère Attendue-Aujourd'hui"
    who = new_volunteer(servers, "benevole.attendue", name, MEDIATHEQUE)
    today = new_shift(servers, MEDIATHEQUE, activity="accueil", hours=1,
                      starts="(now() - ((now() AT TIME ZONE 'Europe/Paris') - "
                             "(now() AT TIME ZONE 'Europe/Paris')::date::timestamp) / 2)")
    servers.sql("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at) VALUES (%s, %s, "
                "now() - interval '2 days')", (today, who))
    desk, _ = login(servers, "benevole.mediatheque")
    page = BeautifulSoup(desk.get(servers.url(BASE + "/guichet/benevolat"), timeout=10).text, "html.parser")
    expected = page.find(id="aujourdhui").find_parent("section").get_text()
    assert name in expected and "Accueil" in expected
    # Not at another place's desk, nor in the list of shifts to come.
    ref, _ = login(servers, "referente.fabrique")
    other = ref.get(servers.url(BASE + "/guichet/benevolat"), params={"lieu": FABRIQUE}, timeout=10)
    assert other.status_code == 200 and name not in other.text
    assert name not in page.find(id="a-venir").find_parent("section").get_text()
    # The desk's home links to it.
    assert "/guichet/benevolat" in desk.get(servers.url(BASE + "/guichet"), timeout=10).text


def test_today_is_the_places_day_from_midnight_to_midnight(servers):
    """A shift in the first minute of the place's day is today, one in the
    first minute of the next day is not, at any hour (the day once began at
    the place's 2 a.m. in winter, the database's midnight in UTC, so this
    failed from midnight to 2 a.m. only)."""
    first = "Gaspard Premiere-Minute"
    next_day = "Honorine Lendemain"
    midnight = "((now() AT TIME ZONE 'Europe/Paris')::date{} + time '00:01') AT TIME ZONE 'Europe/Paris'"
    for name, login_name, starts in ((first, "benevole.minuit", midnight.format("")),
                                     (next_day, "benevole.lendemain", midnight.format(" + 1"))):
        who = new_volunteer(servers, login_name, name, MEDIATHEQUE)
        shift = new_shift(servers, MEDIATHEQUE, activity="accueil", hours=1, starts=starts)
        servers.sql("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at) VALUES (%s, %s, "
                    "now() - interval '2 days')", (shift, who))
    desk, _ = login(servers, "benevole.mediatheque")
    page = BeautifulSoup(desk.get(servers.url(BASE + "/guichet/benevolat"), timeout=10).text, "html.parser")
    expected = page.find(id="aujourdhui").find_parent("section").get_text()
    assert first in expected
    assert next_day not in expected


def make_history(servers, place, rng, tag):
    """Past shifts of generated sizes with their sign-ups (some withdrawn,
    some with their own minutes, one cancelled shift), at the place, by
    volunteers of their own: what the totals must add up."""
    people = [new_volunteer(servers, f"hist.{tag}.{n}", f"Historique {n}", place) for n in range(5)]
    for n in range(12):
        days = rng.randint(2, 120)
        shift = new_shift(servers, place, starts=f"now() - interval '{days} days'", hours=rng.randint(1, 5),
                          needed=5, activity=rng.choice(["guichet", "tri", "caisse", "repair_cafe"]))
        if n == 0:
            servers.sql("UPDATE tl.volunteer_shift SET cancelled_at = starts_at - interval '1 day' WHERE id = %s",
                        (shift,))
        for who in rng.sample(people, rng.randint(1, len(people))):
            servers.sql("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at, withdrawn_at, "
                        "minutes_given) SELECT %s, %s, starts_at - interval '5 days', "
                        "CASE WHEN %s THEN starts_at - interval '2 days' END, %s FROM tl.volunteer_shift "
                        "WHERE id = %s", (shift, who, rng.random() < 0.2,
                                          rng.choice([None, None, 45, 90]), shift))
    return people


def expected_totals(servers, place):
    """Hours by month and activity straight from the records."""
    return {(m, a): (h, n) for m, a, h, n in servers.sql("""
        SELECT to_char(s.starts_at AT TIME ZONE p.time_zone, 'YYYY-MM'), a.label,
               sum(coalesce(u.minutes_given, extract(epoch FROM s.ends_at - s.starts_at) / 60)) / 60.0,
               count(DISTINCT coalesce(u.account_id::text, 'k' || u.tally_key, 'n' || u.id))
          FROM tl.volunteer_shift s JOIN tl.place p ON p.id = s.place_id
          JOIN tl.volunteer_activity a ON a.code = s.activity
          JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
         WHERE p.slug = %s AND s.cancelled_at IS NULL AND s.ends_at <= now()
         GROUP BY 1, 2""", (place,))}


def test_totals_are_the_sum_of_the_records_and_the_valuation_is_hours_times_value(servers):
    rng = random.Random(17)
    make_history(servers, FABRIQUE, rng, "totaux")
    ref, _ = login(servers, "referente.fabrique")
    jeton = token(ref, servers, "/gestion/benevolat", lieu=FABRIQUE)
    r = post(ref, servers, "/gestion/benevolat/valeur", {"jeton": jeton, "lieu": FABRIQUE, "valeur": "13,50"})
    assert r.status_code == 303
    rows = hours_csv(ref, servers, FABRIQUE)
    want = expected_totals(servers, FABRIQUE)
    assert len(rows) == len(want)
    for month, place, activity, hours, people, value, valuation in rows:
        h, n = want[(month, activity)]
        assert place == "La Fabrique"
        assert number(hours) == cents(h)
        assert people == (str(n) if n >= 3 else "moins de 3")
        assert number(value) == Decimal("13.50")
        assert number(valuation) == cents(number(hours) * Decimal("13.50"))
    # The page shows the same, with no person's name.
    page = ref.get(servers.url(BASE + "/gestion/benevolat/heures"), params={"lieu": FABRIQUE}, timeout=10)
    assert page.status_code == 200 and "Historique" not in page.text and "Nadia" not in page.text
    assert "moins de 3" in page.text or all(int(p) >= 3 for *_, p, _, _ in rows)
    # A value out of range: under its field.
    r = post(ref, servers, "/gestion/benevolat/valeur", {"jeton": jeton, "lieu": FABRIQUE, "valeur": "abc"})
    assert r.status_code == 422
    assert BeautifulSoup(r.text, "html.parser").find(id="erreur-valeur").get_text().strip()


def test_a_volunteer_sees_only_their_own_hours(servers):
    rng = random.Random(4)
    people = make_history(servers, MEDIATHEQUE, rng, "miennes")
    login_name = servers.sql("SELECT login FROM tl.account WHERE id = %s", (people[0],))[0][0]
    servers.sql("UPDATE tl.account SET password_hash = (SELECT password_hash FROM tl.account "
                "WHERE login = 'benevole.mediatheque') WHERE id = %s", (people[0],))
    me, r = login(servers, login_name, "Grelinette-2026")
    assert r.status_code == 302
    page = BeautifulSoup(me.get(servers.url(BASE + "/guichet/benevolat"), timeout=10).text, "html.parser")
    table = page.find(id="mes-heures").find_parent("section").find("table")
    shown = sum(number(tr.find_all("td")[-1].get_text()) for tr in table.tbody.find_all("tr"))
    mine = servers.sql("""
        SELECT coalesce(sum(round(coalesce(u.minutes_given, extract(epoch FROM s.ends_at - s.starts_at)::integer / 60)
                                  / 60.0, 2)), 0)
          FROM tl.volunteer_signup u JOIN tl.volunteer_shift s ON s.id = u.shift_id
         WHERE u.account_id = %s AND u.withdrawn_at IS NULL AND s.cancelled_at IS NULL AND s.ends_at <= now()""",
                       (people[0],))[0][0]
    assert shown == mine and mine > 0
    # Nobody else's name or hours on the page.
    for other in ("Historique 1", "Historique 2", "Louis"):
        assert other not in page.get_text()


def test_erasure_and_retention_detach_while_totals_stay(servers):
    rng = random.Random(31)
    people = make_history(servers, FABRIQUE, rng, "effacement")
    ref, _ = login(servers, "referente.fabrique")
    before = hours_csv(ref, servers, FABRIQUE)
    assert servers.sql("SELECT tl.forget_volunteers(%s)", (people[:2],))[0][0] > 0
    assert servers.sql("SELECT count(*) FROM tl.volunteer_signup WHERE account_id = ANY(%s)",
                       (people[:2],)) == [(0,)]
    assert hours_csv(ref, servers, FABRIQUE) == before
    assert servers.sql("SELECT count(*) FROM tl.my_volunteer_hours(%s)",
                       (servers.sql("SELECT login FROM tl.account WHERE id = %s", (people[0],))[0][0],)) == [(0,)]
    # The retention command, with a clock past the delay: every past sign-up detached, totals the same.
    n = servers.sql("SELECT tl.apply_volunteer_retention(now() + make_interval(months => volunteer_months + 5)) "
                    "FROM tl.retention")[0][0]
    assert n > 0
    assert servers.sql("SELECT count(*) FROM tl.volunteer_signup u JOIN tl.volunteer_shift s ON s.id = u.shift_id "
                       "WHERE u.account_id IS NOT NULL AND s.ends_at < now()") == [(0,)]
    # Before its delay, a month's sign-ups stay with their volunteers.
    assert servers.sql("SELECT tl.apply_volunteer_retention(now())") == [(0,)]
    assert hours_csv(ref, servers, FABRIQUE) == before


def test_a_referent_notes_the_time_actually_given(servers):
    shift = new_shift(servers, FABRIQUE, starts="now() - interval '4 hours'", hours=3, activity="tri")
    who = new_volunteer(servers, "benevole.partie", "Venue Une-Heure", FABRIQUE)
    signup = servers.sql("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at) VALUES (%s, %s, "
                         "now() - interval '2 days') RETURNING id", (shift, who))[0][0]
    ref, _ = login(servers, "referente.fabrique")
    page = BeautifulSoup(ref.get(servers.url(BASE + "/gestion/benevolat"), params={"lieu": FABRIQUE},
                                 timeout=10).text, "html.parser")
    field = page.find(id=f"minutes-{signup}")
    assert field["value"] == "180"
    jeton = page.find("input", attrs={"name": "jeton"})["value"]
    r = post(ref, servers, "/gestion/benevolat/duree", {"jeton": jeton, "lieu": FABRIQUE, "inscription": signup,
                                                       "minutes": "60"})
    assert r.status_code == 303 and "fait=duree" in r.headers["Location"]
    assert servers.sql("SELECT minutes_given FROM tl.volunteer_signup WHERE id = %s", (signup,)) == [(60,)]
    r = post(ref, servers, "/gestion/benevolat/duree", {"jeton": jeton, "lieu": FABRIQUE, "inscription": signup,
                                                       "minutes": "5000"})
    assert r.status_code == 422
    assert BeautifulSoup(r.text, "html.parser").find(id="erreur-minutes").get_text().strip()
    # Not before the shift starts.
    later = new_shift(servers, FABRIQUE)
    servers.sql("SELECT tl.shift_sign_up('referente.fabrique', %s)", (later,))
    early = servers.sql("SELECT id FROM tl.volunteer_signup WHERE shift_id = %s", (later,))[0][0]
    r = post(ref, servers, "/gestion/benevolat/duree", {"jeton": jeton, "lieu": FABRIQUE, "inscription": early,
                                                       "minutes": "30"})
    assert r.status_code == 422 and "une fois le créneau commencé" in r.text
