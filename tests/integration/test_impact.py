"""Impact (sql/logic/impact.sql, pages/page_impact.c): the annual report of
a place or of the network in the back office (/gestion/bilan, printable, and
its CSV) and the public impact page (/impact). Over a year of generated
records — loans, seeds, repairs, a busy ressourcerie, volunteer shifts, all
in 2019, far from the demo's days — every figure must equal the sums
computed here from the records written; publicly a count below 3 reads
« moins de 3 »; no page nor file names a member or a volunteer."""
import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from psycopg2.extras import execute_values

from test_desk_access import login
from test_reuse_reports import YEAR, generate as generate_reuse, rate

REPORT = "/tierslieux/gestion/bilan"
PUBLIC = "/tierslieux/impact"
REUSE_REPORT = "/tierslieux/gestion/ressourcerie/bilan.csv"
FABRIQUE, MEDIATHEQUE = "la-fabrique", "mediatheque-jules-verne"
NBSP = "\u00a0"


def place_of(cur, slug):
    cur.execute("SELECT id, time_zone FROM tl.place WHERE slug = %s", (slug,))
    pid, tz = cur.fetchone()
    return pid, ZoneInfo(tz)


def generate_rest(servers):
    """Loans, seeds, repairs and shifts of YEAR at La Fabrique (many) and at
    the médiathèque (a few: its public counts are below 3), with what the
    report must say, summed here."""
    conn = servers.db()
    cur = conn.cursor()
    fab, fab_zone = place_of(cur, FABRIQUE)
    med, med_zone = place_of(cur, MEDIATHEQUE)
    cur.execute("SELECT id FROM tl.account WHERE login = 'referente.fabrique'")
    who = cur.fetchone()[0]
    cur.execute("SELECT id FROM tl.member ORDER BY id LIMIT 6")
    members = [m for (m,) in cur.fetchall()]
    # Nothing of the demo lies in that year: the sums below are the whole truth.
    cur.execute("SELECT (SELECT count(*) FROM tl.booking WHERE starts_at >= '2018-12-30' AND starts_at < '2020-01-02')"
                " + (SELECT count(*) FROM tl.seed_movement WHERE at >= '2018-12-30' AND at < '2020-01-02')"
                " + (SELECT count(*) FROM tl.repair_record WHERE event_date BETWEEN '2018-12-30' AND '2020-01-02')"
                " + (SELECT count(*) FROM tl.repair_session WHERE starts_at >= '2018-12-30' AND starts_at < '2020-01-02')"
                " + (SELECT count(*) FROM tl.volunteer_shift WHERE starts_at >= '2018-12-30' "
                "    AND starts_at < '2020-01-02')")
    assert cur.fetchone()[0] == 0
    e = {FABRIQUE: {}, MEDIATHEQUE: {}}
    for slug in e:
        e[slug].update(prets=0, mois_prets=[0] * 12, borrowers=set(), graines_donnees=0, graines_rapportees=0,
                       seances=0, participants=0, objets=0, mois_objets=[0] * 12, repares=0, reparables=0,
                       fin_de_vie=0, inconnu=0, hours=Decimal(0), mois_heures=[Decimal(0)] * 12, volunteers=set())

    # Loans: one after the other on each item (the exclusion constraint),
    # some already anonymised; two on the year's edges at La Fabrique.
    def items(pid, n):
        cur.execute("SELECT id FROM tl.item WHERE place_id = %s AND retired_at IS NULL ORDER BY id LIMIT %s", (pid, n))
        return [i for (i,) in cur.fetchall()]

    loans = []
    for k, item in enumerate(items(fab, 3)):
        start = datetime(YEAR, 1, 2, 10, tzinfo=fab_zone) + timedelta(days=k)
        for j in range(36):
            at = start + timedelta(days=10 * j)
            member = None if j % 5 == 0 else members[(j + k) % len(members)]
            loans.append((item, member, at, FABRIQUE, fab_zone))
    edge_item = items(fab, 4)[3]
    loans.append((edge_item, members[0], datetime(YEAR, 1, 1, 0, 5, tzinfo=fab_zone), FABRIQUE, fab_zone))      # in
    loans.append((edge_item, members[1], datetime(YEAR, 12, 31, 21, 0, tzinfo=fab_zone), FABRIQUE, fab_zone))  # in
    loans.append((edge_item, members[2], datetime(YEAR, 12, 31, 23, 30, tzinfo=timezone.utc), FABRIQUE,
                  fab_zone))                                                                              # next year
    med_item = items(med, 1)[0]
    loans.append((med_item, members[0], datetime(YEAR, 3, 3, 10, tzinfo=med_zone), MEDIATHEQUE, med_zone))
    loans.append((med_item, members[3], datetime(YEAR, 6, 3, 10, tzinfo=med_zone), MEDIATHEQUE, med_zone))
    execute_values(cur, "INSERT INTO tl.booking (item_id, member_id, kind, starts_at, ends_at, due_on, returned_at, "
                        "lent_by) VALUES %s",
                   [(i, m, "pret", at, at + timedelta(hours=2), (at + timedelta(days=1)).date(),
                     at + timedelta(hours=2), who) for i, m, at, _, _ in loans])
    for _, m, at, slug, zone in loans:
        local = at.astimezone(zone)
        if local.year == YEAR:
            e[slug]["prets"] += 1
            e[slug]["mois_prets"][local.month - 1] += 1
            if m is not None:
                e[slug]["borrowers"].add(m)

    # Seeds: deposits, then withdrawals the stock allows.
    cur.execute("SELECT l.id, p.slug FROM tl.seed_lot l JOIN tl.place p ON p.id = l.place_id "
                "WHERE p.slug IN (%s, %s) ORDER BY l.id", (FABRIQUE, MEDIATHEQUE))
    lots = cur.fetchall()
    assert lots
    moves = []
    for n, (lot, slug) in enumerate(lots[:6]):
        zone = fab_zone if slug == FABRIQUE else med_zone
        moves.append((lot, "depot", 20 + n, datetime(YEAR, 2, 1 + n, 11, tzinfo=zone), slug))
        moves.append((lot, "retrait", 3 + n, datetime(YEAR, 4, 1 + n, 11, tzinfo=zone), slug))
        moves.append((lot, "retrait", 1, datetime(YEAR, 9, 1 + n, 11, tzinfo=zone), slug))
    execute_values(cur, "INSERT INTO tl.seed_movement (lot_id, kind, packets, at, account_id) VALUES %s",
                   [(lot, kind, n, at, who) for lot, kind, n, at, _ in moves])
    for _, kind, n, _, slug in moves:
        e[slug]["graines_rapportees" if kind == "depot" else "graines_donnees"] += n

    # Repair café: two sessions held at La Fabrique, one cancelled; bookings
    # (one cancelled) and records with and without a booking; and imported
    # records without a session. Two records only at the médiathèque.
    sessions = {}
    for name, day, cancelled in (("s1", 6, False), ("s2", 8, False), ("x", 10, True)):
        at = datetime(YEAR, day, 12, 14, tzinfo=fab_zone)
        cur.execute("INSERT INTO tl.repair_session (place_id, starts_at, ends_at, cancelled_at, cancel_reason, "
                    "created_by) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (fab, at, at + timedelta(hours=3), at - timedelta(days=3) if cancelled else None,
                     "pluie" if cancelled else None, who))
        sid = cur.fetchone()[0]
        cur.execute("INSERT INTO tl.repair_slot (session_id, starts_at, capacity) VALUES (%s, %s, 10) RETURNING id",
                    (sid, at))
        sessions[name] = (sid, cur.fetchone()[0], at)
    e[FABRIQUE]["seances"] = 2
    bookings = []
    for name, n_kept, n_cancelled in (("s1", 3, 1), ("s2", 2, 0), ("x", 2, 0)):
        sid, slot, at = sessions[name]
        for k in range(n_kept + n_cancelled):
            cur.execute("INSERT INTO tl.repair_booking (slot_id, object, problem, cancelled_at) "
                        "VALUES (%s, 'Lampe', 'ne s''allume plus', %s) RETURNING id",
                        (slot, at if k >= n_kept else None))
            if k < n_kept:
                bookings.append((name, cur.fetchone()[0]))
    e[FABRIQUE]["participants"] = 3 + 2          # kept bookings of the held sessions
    statuses = ["repare", "reparable", "fin_de_vie", "repare", "inconnu", "repare"]
    categories = ["lampe", "bouilloire", "velo", "textile", "aspirateur"]
    records = []
    # At the sessions: the booked ones of s1, two walk-ins at s2 (they count as participants).
    for n, (name, booking) in enumerate([b for b in bookings if b[0] == "s1"]):
        records.append((sessions["s1"][0], fab, sessions["s1"][2].date(), booking, statuses[n], categories[n]))
    for n in range(2):
        records.append((sessions["s2"][0], fab, sessions["s2"][2].date(), None, statuses[n + 1], categories[n]))
    e[FABRIQUE]["participants"] += 2
    for n in range(40):
        records.append((None, fab, date(YEAR, 1 + n % 12, 1 + n % 28), None, statuses[n % 6], categories[n % 5]))
    records.append((None, fab, date(YEAR + 1, 1, 1), None, "repare", "lampe"))               # next year
    records.append((None, med, date(YEAR, 5, 5), None, "repare", "velo"))
    records.append((None, med, date(YEAR, 5, 6), None, "repare", "textile"))
    # (an imported record has the id its file gave it, and no session)
    rows = execute_values(cur, "INSERT INTO tl.repair_record (session_id, place_id, event_date, booking_id, ext_id, "
                               "object, category, status, barrier, recorded_by) VALUES %s "
                               "RETURNING id, waste_kg, co2_kg",
                          [(s, p, d, b, None if s else f"impact-test-{n}", "objet", c, st,
                            1 if st == "fin_de_vie" else None, who)
                           for n, (s, p, d, b, st, c) in enumerate(records)], fetch=True)
    for (_, waste, co2), (s, p, d, b, st, c) in zip(rows, records):
        slug = FABRIQUE if p == fab else MEDIATHEQUE
        if d.year != YEAR:
            continue
        x = e[slug]
        x["objets"] += 1
        x["mois_objets"][d.month - 1] += 1
        x[{"repare": "repares", "reparable": "reparables", "fin_de_vie": "fin_de_vie", "inconnu": "inconnu"}[st]] += 1
        x["waste"] = x.get("waste", Decimal(0)) + (waste or 0)
        x["co2"] = x.get("co2", Decimal(0)) + (co2 or 0)

    # Volunteer shifts: four held at La Fabrique (one with a time noted, one
    # withdrawal), one cancelled; one with one volunteer at the médiathèque.
    cur.execute("SELECT id FROM tl.account WHERE active ORDER BY id LIMIT 4")
    volunteers = [a for (a,) in cur.fetchall()]
    shifts = [(fab, fab_zone, FABRIQUE, datetime(YEAR, 3, 5, 9, tzinfo=fab_zone), 3, False, volunteers[:3]),
              (fab, fab_zone, FABRIQUE, datetime(YEAR, 3, 20, 14, tzinfo=fab_zone), 2, False, volunteers[1:4]),
              (fab, fab_zone, FABRIQUE, datetime(YEAR, 7, 1, 9, tzinfo=fab_zone), 4, False, volunteers[:2]),
              (fab, fab_zone, FABRIQUE, datetime(YEAR, 11, 30, 18, tzinfo=fab_zone), 5, False, volunteers[2:3]),
              (fab, fab_zone, FABRIQUE, datetime(YEAR, 8, 1, 9, tzinfo=fab_zone), 3, True, volunteers[:3]),
              (med, med_zone, MEDIATHEQUE, datetime(YEAR, 4, 4, 9, tzinfo=med_zone), 3, False, volunteers[:1])]
    for n, (pid, zone, slug, at, hours, cancelled, people) in enumerate(shifts):
        cur.execute("INSERT INTO tl.volunteer_shift (place_id, activity, starts_at, ends_at, needed, cancelled_at, "
                    "created_by) VALUES (%s, 'guichet', %s, %s, 5, %s, %s) RETURNING id",
                    (pid, at, at + timedelta(hours=hours), at if cancelled else None, who))
        shift = cur.fetchone()[0]
        for k, person in enumerate(people):
            minutes = 90 if (n, k) == (0, 1) else None
            withdrawn = (n, k) == (1, 0)
            cur.execute("INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at, withdrawn_at, "
                        "minutes_given) VALUES (%s, %s, %s, %s, %s)",
                        (shift, person, at - timedelta(days=5), at - timedelta(days=1) if withdrawn else None,
                         minutes))
            if cancelled or withdrawn:
                continue
            h = Decimal(minutes) / 60 if minutes else Decimal(hours)
            e[slug]["hours"] += h
            e[slug]["mois_heures"][at.month - 1] += h
            e[slug]["volunteers"].add(person)
    conn.close()
    return e


@pytest.fixture(scope="module")
def data(servers):
    reuse = generate_reuse(servers)
    rest = generate_rest(servers)
    member_marks = [m for row in servers.sql("SELECT member_number, family_name, given_name FROM tl.member")
                    for m in row]
    account_marks = [m for row in servers.sql("SELECT login, display_name FROM tl.account") for m in row]
    return {"reuse": reuse, "rest": rest, "marks": member_marks + account_marks}


def report_csv(servers, s, **params):
    r = s.get(servers.url(REPORT + ".csv"), params=params, timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["année", "lieu", "indicateur", "valeur", "unité", "méthode"]
    assert all(row[0] == str(YEAR) for row in rows[1:])
    return r, {row[2]: row for row in rows[1:]}


def dec(text):
    return Decimal(text.replace(",", ".")) if text else None


def expected(e, slugs, reuse):
    """The figures over these places, from the generated records."""
    x = {k: sum(e[s][k] for s in slugs) for k in ("prets", "graines_donnees", "graines_rapportees", "seances",
                                                  "participants", "objets", "repares", "reparables", "fin_de_vie",
                                                  "hours")}
    x["emprunteurs"] = len(set().union(*(e[s]["borrowers"] for s in slugs)))
    x["mois_prets"] = [sum(e[s]["mois_prets"][m] for s in slugs) for m in range(12)]
    x["mois_objets"] = [sum(e[s]["mois_objets"][m] for s in slugs) for m in range(12)]
    x["mois_heures"] = [sum(e[s]["mois_heures"][m] for s in slugs) for m in range(12)]
    x["waste"] = sum(e[s].get("waste", 0) for s in slugs)
    x["co2"] = sum(e[s].get("co2", 0) for s in slugs)
    given = reuse["out_dest"]["don_reemploi"]
    x["kg_in"], x["kg_reused"] = reuse["in"], reuse["sold"] + given
    x["rate"] = rate(x["kg_reused"], x["kg_in"])
    return x


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def check_figures(fig, x):
    assert int(fig["Prêts"][3]) == x["prets"]
    assert int(fig["Emprunteurs et emprunteuses servis"][3]) == x["emprunteurs"]
    assert int(fig["Sachets de graines donnés"][3]) == x["graines_donnees"]
    assert int(fig["Sachets de graines rapportés"][3]) == x["graines_rapportees"]
    assert int(fig["Séances de repair café"][3]) == x["seances"]
    assert int(fig["Participants aux séances"][3]) == x["participants"]
    assert int(fig["Objets apportés au repair café"][3]) == x["objets"]
    assert int(fig["Objets réparés"][3]) == x["repares"]
    assert int(fig["Objets réparables"][3]) == x["reparables"]
    assert int(fig["Objets en fin de vie"][3]) == x["fin_de_vie"]
    assert dec(fig["Déchets évités par les réparations"][3]) == round(x["waste"], 1)
    assert dec(fig["CO₂e évité par les réparations"][3]) == round(x["co2"], 1)
    assert dec(fig["Kilos entrés à la ressourcerie"][3]) == x["kg_in"]
    assert dec(fig["Kilos réemployés"][3]) == x["kg_reused"]
    assert dec(fig["Taux de réemploi"][3]) == x["rate"]
    assert dec(fig["Heures données par les bénévoles"][3]) == x["hours"]
    for m, name in enumerate(MONTHS):
        assert int(fig[f"Prêts : {name}"][3]) == x["mois_prets"][m], name
        assert int(fig[f"Objets apportés au repair café : {name}"][3]) == x["mois_objets"][m], name
        assert dec(fig[f"Heures données par les bénévoles : {name}"][3]) == x["mois_heures"][m], name
    assert sum(dec(fig[f"Kilos réemployés : {name}"][3]) for name in MONTHS) == x["kg_reused"]
    # Half of the loans count as a purchase avoided (Library of Things).
    assert dec(fig["Achats neufs évités"][3]) == (Decimal(x["prets"]) * Decimal("0.5")).quantize(Decimal("0.1"))
    assert "Library of Things" in fig["Achats neufs évités"][5]


def no_person(text, marks):
    for mark in marks:
        if len(mark) >= 4:
            assert mark not in text, mark


def test_a_places_report_adds_up_its_records(servers, data):
    e, reuse = data["rest"], data["reuse"]
    s, _ = login(servers, "referente.fabrique")
    r, fig = report_csv(servers, s, lieu=FABRIQUE, annee=str(YEAR))
    assert f'filename="bilan-{FABRIQUE}-{YEAR}.csv"' in r.headers["Content-Disposition"]
    x = expected(e, [FABRIQUE], reuse)
    assert x["prets"] == 108 + 2 and x["emprunteurs"] >= 5 and x["objets"] == 45
    check_figures(fig, x)
    assert all(row[1] == "La Fabrique" or row[1].startswith("La Fabrique") for row in fig.values())
    no_person(r.content.decode("utf-8-sig"), data["marks"])

    # One definition of the ressourcerie's figures: its own report agrees.
    own = list(csv.reader(io.StringIO(s.get(servers.url(REUSE_REPORT), params={
        "lieu": FABRIQUE, "periode": "annee", "date": str(YEAR)}, timeout=30).content.decode("utf-8-sig")),
        delimiter=";"))
    own = {(row[0], row[1]): row for row in own[1:]}
    assert dec(own[("entrees", "total")][3]) == dec(fig["Kilos entrés à la ressourcerie"][3])
    assert dec(own[("taux", "reemploi")][6]) == dec(fig["Taux de réemploi"][3])
    assert dec(own[("taux", "reemploi")][3]) == dec(fig["Kilos réemployés"][3])

    # The page: the same figures, French style, charts with their tables.
    page = s.get(servers.url(REPORT), params={"lieu": FABRIQUE, "annee": str(YEAR)}, timeout=30)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    no_person(page.text, data["marks"])
    soup = BeautifulSoup(page.text, "html.parser")
    assert f"Bilan {YEAR}" in soup.h1.get_text()
    rows = {tr.th.get_text(): tr.find_all("td")[0].get_text()
            for tr in soup.select("section.tl-report-theme tbody tr")}
    assert rows["Prêts"] == f"{x['prets']} prêts"
    assert rows["Taux de réemploi"].strip() == str(x["rate"]).replace(".", ",") + NBSP + "%"
    kg = f"{round(x['kg_in'], 1):,.1f}".replace(",", NBSP).replace(".", ",")
    assert rows["Kilos entrés à la ressourcerie"] == f"{kg} kg"
    svgs = soup.find_all("svg")
    assert len(svgs) == 5 and all(svg["role"] == "img" for svg in svgs)
    for svg in svgs:
        title = svg.find("title")
        assert title and svg["aria-labelledby"] == title["id"]
    loans_chart = soup.find("caption", string="Prêts par mois : les données").find_parent("table")
    cells = {tr.th.get_text(): tr.td.get_text() for tr in loans_chart.tbody.find_all("tr")}
    assert cells == {name: str(x["mois_prets"][m]) for m, name in enumerate(MONTHS)}
    bars = svgs[0].find_all("rect", class_="tl-chart-bar")
    assert len(bars) == sum(1 for v in x["mois_prets"] if v)
    printable = BeautifulSoup(s.get(servers.url(soup.find("a", string="Version imprimable")["href"]),
                                    timeout=30).text, "html.parser")
    assert printable.find("form", attrs={"method": "get"}) is None
    assert printable.find("caption", string="Prêts par mois : les données")


def test_the_networks_report_for_its_coordination(servers, data):
    e, reuse = data["rest"], data["reuse"]
    admin, _ = login(servers, "admin.reseau")
    r, fig = report_csv(servers, admin, annee=str(YEAR))
    assert f'filename="bilan-reseau-{YEAR}.csv"' in r.headers["Content-Disposition"]
    assert {row[1] for row in fig.values()} == {"tout le réseau"}
    x = expected(e, [FABRIQUE, MEDIATHEQUE], reuse)
    check_figures(fig, x)
    # A borrower of both places counts once in the network.
    assert x["emprunteurs"] < len(e[FABRIQUE]["borrowers"]) + len(e[MEDIATHEQUE]["borrowers"])
    page = BeautifulSoup(admin.get(servers.url(REPORT), params={"annee": str(YEAR)}, timeout=30).text, "html.parser")
    assert "tout le réseau" in page.h1.get_text()
    assert page.find(id="lieu-choisi").find("option", selected=True)["value"] == ""


def test_the_public_page_hides_small_counts_and_names_nobody(servers, data):
    e, reuse = data["rest"], data["reuse"]
    r = servers.get(PUBLIC + f"?annee={YEAR}")
    assert r.status_code == 200 and "private" not in r.headers.get("Cache-Control", "")
    assert r.headers.get("ETag")
    no_person(r.text, data["marks"])
    soup = BeautifulSoup(r.text, "html.parser")
    x = expected(e, [FABRIQUE, MEDIATHEQUE], reuse)

    def figures(s):
        return {fig.dt.get_text(): fig.find("dd", class_="tl-impact-value").get_text().strip()
                for fig in s.find_all(class_="tl-impact-figure")}

    f = figures(soup)
    assert f["Prêts"] == f"{x['prets']} prêts"
    assert f["Kilos réemployés"] == f"{round(x['kg_reused'], 1):,.1f}".replace(",", NBSP).replace(".", ",") + " kg"
    assert f["Taux de réemploi"] == str(x["rate"]).replace(".", ",") + NBSP + "%"
    assert "Réseau des ressourceries" in r.text          # the reference under the rate
    assert len(soup.find_all("svg", attrs={"role": "img"})) == 5
    assert soup.find_all("details", class_="tl-chart-data")

    # The médiathèque's year: two loans, two repairs, one volunteer.
    r = servers.get(PUBLIC + f"?lieu={MEDIATHEQUE}&annee={YEAR}")
    assert r.status_code == 200
    no_person(r.text, data["marks"])
    f = figures(BeautifulSoup(r.text, "html.parser"))
    assert f["Prêts"] == "moins de 3 prêts"
    assert f["Emprunteurs et emprunteuses servis"] == "moins de 3 personnes"
    assert f["Objets réparés"] == "moins de 3 objets"
    assert f["Heures données par les bénévoles"] == "moins de 3 bénévoles"
    assert f["Achats neufs évités"].startswith("moins de 3")
    assert f["Objets en fin de vie"] == "0 objets"
    # Nor do the charts' tables tell them.
    soup = BeautifulSoup(r.text, "html.parser")
    loans = soup.find("caption", string="Prêts par mois : les données").find_parent("table")
    cells = {tr.th.get_text(): tr.td.get_text() for tr in loans.tbody.find_all("tr")}
    assert cells["mars"] == "moins de 3" and cells["juin"] == "moins de 3" and cells["janvier"] == "0"
    # The report of its référents says them exactly.
    admin, _ = login(servers, "admin.reseau")
    _, fig = report_csv(servers, admin, lieu=MEDIATHEQUE, annee=str(YEAR))
    assert fig["Prêts"][3] == "2" and fig["Objets réparés"][3] == "2"


def test_rights_and_parameters(servers, data, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "referente.fabrique")
    for params, words in (({"annee": "19"}, "quatre chiffres"), ({"annee": "deux-mille"}, "quatre chiffres"),
                          ({"annee": "1999"}, "quatre chiffres"), ({"lieu": "Pas un lieu"}, "n'existe pas")):
        for path in (REPORT, REPORT + ".csv"):
            r = s.get(servers.url(path), params=params, timeout=10)
            assert r.status_code == 400, (path, params, r.status_code)
            assert words in r.text, (path, params)
        r = servers.get(PUBLIC + "?" + "&".join(f"{k}={v.replace(' ', '+')}" for k, v in params.items()))
        assert r.status_code == 400, (params, r.status_code)
    assert servers.get(PUBLIC + "?lieu=nulle-part").status_code == 404
    assert "Ce lieu n'existe pas" in servers.get(PUBLIC + "?lieu=nulle-part").text
    # Another place's report, even for a référent: 403; without a place,
    # a référent gets their own place's, never the network's.
    for path in (REPORT, REPORT + ".csv"):
        r = s.get(servers.url(path), params={"lieu": MEDIATHEQUE}, timeout=10)
        assert r.status_code == 403, path
    r, fig = report_csv(servers, s, annee=str(YEAR))
    assert {row[1] for row in fig.values()} == {"La Fabrique"}
    # A volunteer has no report.
    volunteer, _ = login(servers, "benevole.mediatheque")
    for path in (REPORT, REPORT + ".csv"):
        assert volunteer.get(servers.url(path), params={"lieu": MEDIATHEQUE}, allow_redirects=False,
                             timeout=10).status_code == 403


def test_the_impact_page_embeds_as_a_fragment(servers, data):
    r = servers.get(PUBLIC + f"?lieu={FABRIQUE}&annee={YEAR}&fragment=1")
    assert r.status_code == 200
    for absent in ("<html", "<body", "<script", "<style", "<main"):
        assert absent not in r.text, absent
    soup = BeautifulSoup(r.text, "html.parser")
    assert not soup.find("h1") and soup.find("h2")
    ids = {el["id"] for el in soup.find_all(id=True)}
    assert ids and all(i.startswith("tl-") for i in ids)
    # each chart's name follows the prefix to its title
    for svg in soup.find_all("svg"):
        assert svg["aria-labelledby"] in ids and svg.find("title")["id"] == svg["aria-labelledby"]
    # the home page and the place's page link to it
    assert BeautifulSoup(servers.get("/tierslieux/").text, "html.parser").find("a", href="/tierslieux/impact")
    place = BeautifulSoup(servers.get(f"/tierslieux/lieux/{FABRIQUE}").text, "html.parser")
    assert place.find("a", href=f"/tierslieux/impact?lieu={FABRIQUE}")
