"""Ressourcerie, what goes out and what it adds up to: outflows weighed at
the desk (recyclage, élimination, don pour le réemploi) with corrections as
new entries; the filière REP of each category, per place or for the
network; and the reports (bilans), checked against sums computed here, in
Python's Decimal, over thousands of generated weighings."""
import csv
import io
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal, ROUND_HALF_UP
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from psycopg2.extras import execute_values

from test_desk_access import login

OUT = "/tierslieux/guichet/ressourcerie/sorties"
REPORT = "/tierslieux/gestion/ressourcerie/bilan"
STREAMS = "/tierslieux/gestion/ressourcerie/filieres"
NBSP = "\u00a0"


def token_of(html):
    return BeautifulSoup(html, "html.parser").find("form", method="post").find("input", attrs={"name": "jeton"})["value"]


def outflow(servers, s, token, **fields):
    data = {"jeton": token, "lieu": "la-fabrique", "destination": "recyclage", "partenaire": "Le Relais",
            "categorie": "", "poids": "", "contenant": "", "corrige": "", "raison": ""}
    data.update(fields)
    return s.post(servers.url(OUT), data=data, allow_redirects=False, timeout=10)


def kg_fr(d):
    """1234.5 -> '1 234,500' (no-break spaces), as the reports write it."""
    whole, frac = f"{Decimal(d):.3f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join([whole] + groups) + "," + frac


def rate(part, whole):
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if whole else None


def test_outflows_at_the_desk_with_mistakes_and_corrections(servers):
    s, _ = login(servers, "referente.fabrique")
    page = s.get(servers.url(OUT), timeout=10)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find(id="categorie").has_attr("autofocus")
    token = token_of(page.text)
    bac = servers.sql("SELECT k.id FROM tl.reuse_container k JOIN tl.place p ON p.id = k.place_id "
                      "WHERE p.slug = 'la-fabrique' AND k.name = 'Bac gris'")[0][0]
    before = servers.sql("SELECT coalesce(max(id), 0) FROM tl.reuse_outflow")[0][0]
    # A letter, a weight, Enter: the tare comes off, exact to the gram; the
    # destination and partner come back for the next weighing.
    r = outflow(servers, s, token, destination="don_reemploi", partenaire="Emmaüs Montval", categorie="t",
                poids="20,125", contenant=str(bac))
    assert r.status_code == 303, r.text[:500]
    assert "destination=don_reemploi" in r.headers["Location"] and "fait=1" in r.headers["Location"]
    r = outflow(servers, s, token, destination="elimination", partenaire="Déchèterie de Montval", categorie="divers",
                poids="7")
    assert r.status_code == 303
    rows = servers.sql("SELECT destination, partner, category, gross_kg, tare_kg, net_kg, counted_at = at "
                       "FROM tl.reuse_outflow WHERE id > %s ORDER BY id", (before,))
    assert rows == [("don_reemploi", "Emmaüs Montval", "textile", Decimal("20.125"), Decimal("12.500"),
                     Decimal("7.625"), True),
                    ("elimination", "Déchèterie de Montval", "divers", Decimal("7.000"), Decimal("0.000"),
                     Decimal("7.000"), True)]
    page = BeautifulSoup(s.get(servers.url(OUT), params={"lieu": "la-fabrique", "destination": "elimination",
                                                         "partenaire": "Déchèterie de Montval", "fait": "1"},
                               timeout=10).text, "html.parser")
    assert page.find(id="partenaire")["value"] == "Déchèterie de Montval"
    assert page.find(id="destination").find("option", selected=True)["value"] == "elimination"
    text = page.get_text()
    assert "Sortie enregistrée" in text and "Emmaüs Montval" in text and "7,625 kg" in text
    # Bad input: a French message under the field, nothing recorded.
    count = servers.sql("SELECT count(*) FROM tl.reuse_outflow")[0][0]
    for fields, field, words in (({"categorie": "z", "poids": "3"}, "categorie", "lettre"),
                                 ({"categorie": "m", "poids": "-3"}, "poids", "kilos"),
                                 ({"categorie": "m", "poids": "5000"}, "poids", "c'est trop"),
                                 ({"categorie": "v", "poids": "10", "contenant": str(bac)}, "poids",
                                  "pas plus lourd que le contenant"),
                                 ({"categorie": "v", "poids": "abc"}, "poids", "kilos"),
                                 ({"categorie": "v", "poids": "3", "destination": "mer"}, "destination", "liste"),
                                 ({"categorie": "v", "poids": "3", "partenaire": "  "}, "partenaire", "à qui")):
        r = outflow(servers, s, token, **fields)
        assert r.status_code == 422, fields
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), (fields, soup.find(id="erreur-" + field))
        assert soup.find(id=field)["aria-invalid"] == "true"
        assert "erreur-" + field in soup.find(id=field)["aria-describedby"].split()
    assert servers.sql("SELECT count(*) FROM tl.reuse_outflow")[0][0] == count
    # A correction is a new entry with its reason; the old one stays, struck.
    wrong = servers.sql("SELECT id FROM tl.reuse_outflow WHERE id > %s AND category = 'divers'",
                                 (before,))[0][0]
    r = outflow(servers, s, token, destination="elimination", partenaire="Déchèterie de Montval", categorie="x",
                poids="70", corrige=str(wrong))
    assert r.status_code == 422 and "pourquoi" in BeautifulSoup(r.text, "html.parser").find(id="erreur-raison").get_text()
    r = outflow(servers, s, token, destination="elimination", partenaire="Déchèterie de Montval", categorie="x",
                poids="70", corrige=str(wrong), raison="Mal lu : 70 kg")
    assert r.status_code == 303
    fixed = servers.sql("SELECT net_kg, reason, counted_at = (SELECT counted_at FROM tl.reuse_outflow WHERE id = %s) "
                        "FROM tl.reuse_outflow WHERE corrects = %s", (wrong, wrong))
    assert fixed == [(Decimal("70.000"), "Mal lu : 70 kg", True)]
    assert servers.sql("SELECT count(*) FROM tl.reuse_outflow_current WHERE id = %s", (wrong,)) == [(0,)]
    page = BeautifulSoup(s.get(servers.url(OUT), timeout=10).text, "html.parser")
    assert "corrigée par Nadia (référente)" in page.get_text() and "Mal lu : 70 kg" in page.get_text()
    assert page.find("option", attrs={"value": str(wrong)}).has_attr("disabled")
    r = outflow(servers, s, token, destination="elimination", partenaire="Déchèterie", categorie="x", poids="71",
                corrige=str(wrong), raison="encore")
    assert r.status_code == 422 and "déjà corrigée" in r.text
    # Nothing recorded can be changed behind the desk's back either.
    try:
        servers.sql("UPDATE tl.reuse_outflow SET gross_kg = 1 WHERE id = %s", (wrong,))
        assert False, "an outflow was edited"
    except Exception as e:  # noqa: BLE001 - psycopg2's error for the trigger
        assert "append-only" in str(e)


def test_only_the_places_team_records_outflows(servers):
    other, _ = login(servers, "benevole.mediatheque")
    page = other.get(servers.url(OUT), timeout=10)
    assert page.status_code == 200
    token = token_of(page.text)
    count = servers.sql("SELECT count(*) FROM tl.reuse_outflow")[0][0]
    r = outflow(servers, other, token, categorie="m", poids="3")
    assert r.status_code == 403
    assert other.get(servers.url(OUT), params={"lieu": "la-fabrique"}, timeout=10).status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.reuse_outflow")[0][0] == count


def test_filieres_per_place_and_for_the_network(servers, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "referente.fabrique")
    page = s.get(servers.url(STREAMS), params={"lieu": "la-fabrique"}, timeout=10)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    text = soup.get_text()
    assert "Ecomaison" in text and "Refashion" in text and "ecosystem" in text
    # A référent sees no network form.
    assert soup.find(id="reseau-outils") is None
    assert soup.find(id="filiere-outils").find("option", selected=True)["value"] == ""
    token = token_of(page.text)
    cats = [r[0] for r in servers.sql("SELECT code FROM tl.reuse_category ORDER BY rank")]

    def post(session, tok, scope=None, **changes):
        data = {"jeton": tok, "lieu": "la-fabrique", **{f"filiere-{c}": "" for c in cats}}
        data["portee"] = scope or "lieu"
        data.update({f"filiere-{k}": v for k, v in changes.items()})
        return session.post(servers.url(STREAMS), data=data, allow_redirects=False, timeout=10)

    # Outils of La Fabrique are mostly electric: DEEE there, ABJ elsewhere.
    r = post(s, token, outils="deee")
    assert r.status_code == 303 and "fait=1" in r.headers["Location"]
    assert servers.sql("SELECT p.slug, m.stream FROM tl.reuse_eco_mapping m JOIN tl.place p ON p.id = m.place_id "
                       "WHERE m.category = 'outils'") == [("la-fabrique", "deee")]
    assert servers.sql("SELECT stream FROM tl.reuse_eco_mapping WHERE place_id IS NULL AND category = 'outils'") == [
        ("abj",)]
    soup = BeautifulSoup(s.get(servers.url(STREAMS), params={"lieu": "la-fabrique"}, timeout=10).text, "html.parser")
    assert soup.find(id="filiere-outils").find("option", selected=True)["value"] == "deee"
    journal = s.get(servers.url("/tierslieux/gestion/journal"), params={"lieu": "la-fabrique"}, timeout=10).text
    assert "ressourcerie.filiere" in journal
    # An unknown filière: 422 under the form, nothing changed.
    r = post(s, token, outils="abj", velos="inconnue")
    assert r.status_code == 422
    assert "filière de la liste" in BeautifulSoup(r.text, "html.parser").find(id="erreur-filieres").get_text()
    assert servers.sql("SELECT m.stream FROM tl.reuse_eco_mapping m WHERE m.place_id IS NOT NULL "
                       "AND m.category IN ('outils', 'velos')") == [("deee",)]
    # The network's defaults are the coordination's.
    r = post(s, token, scope="reseau", **{c: "hors_rep" for c in cats})
    assert r.status_code == 403
    admin, _ = login(servers, "admin.reseau")
    page = admin.get(servers.url(STREAMS), params={"lieu": "la-fabrique"}, timeout=10)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find(id="reseau-livres").find("option", selected=True)["value"] == "hors_rep"
    defaults = dict(servers.sql("SELECT category, stream FROM tl.reuse_eco_mapping WHERE place_id IS NULL"))
    r = post(admin, token_of(page.text), scope="reseau", **{**defaults, "deco": "dea"})
    assert r.status_code == 303
    assert servers.sql("SELECT stream FROM tl.reuse_eco_mapping WHERE place_id IS NULL AND category = 'deco'") == [
        ("dea",)]
    r = post(admin, token_of(page.text), scope="reseau", **{**defaults, "deco": ""})
    assert r.status_code == 422
    assert post(admin, token_of(page.text), scope="reseau", **defaults).status_code == 303
    # Back to the network's choice: the place's own goes away.
    assert post(s, token).status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.reuse_eco_mapping WHERE place_id IS NOT NULL") == [(0,)]
    volunteer, _ = login(servers, "benevole.mediatheque")
    assert volunteer.get(servers.url(STREAMS), allow_redirects=False, timeout=10).status_code == 403


# ---- reports over generated data -------------------------------------------

YEAR = 2019          # far in the past: no other test writes there
SOURCES = ["apport_volontaire", "collecte_domicile", "entreprise", "decheterie", "service_municipal"]
PAYMENTS = ["especes", "carte", "cheque", "monnaie_locale", "gratuit"]
DESTINATIONS = ["recyclage", "elimination", "don_reemploi"]


def generate(servers, seed=6):
    """A year of a busy ressourcerie at La Fabrique, written as the owner
    role, with its expected figures computed here."""
    rnd = random.Random(seed)
    conn = servers.db()
    cur = conn.cursor()
    cur.execute("SELECT p.id, p.time_zone FROM tl.place p WHERE p.slug = 'la-fabrique'")
    place, tz = cur.fetchone()
    zone = ZoneInfo(tz)
    cur.execute("SELECT id FROM tl.account WHERE login = 'referente.fabrique'")
    who = cur.fetchone()[0]
    cur.execute("SELECT code, max_kg FROM tl.reuse_category")
    cats = dict(cur.fetchall())
    cur.execute("SELECT id, tare_kg FROM tl.reuse_container WHERE place_id = %s", (place,))
    containers = cur.fetchall()
    start = datetime(YEAR, 1, 1, tzinfo=zone)

    def moment(day=None):
        day = rnd.randrange(365) if day is None else day
        return (start + timedelta(days=day)).replace(hour=rnd.randrange(24), minute=rnd.randrange(60))

    def kg(cat, low=Decimal("0.5")):
        top = min(cats[cat], Decimal(60))
        return low + (Decimal(rnd.randrange(int((top - low) * 1000))) / 1000)

    # Intakes, two of them on the edges of the year in the place's zone.
    intakes = [(rnd.choice(SOURCES), moment()) for _ in range(700)]
    intakes.append(("entreprise", datetime(YEAR, 12, 31, 23, 30, tzinfo=zone)))          # in
    intakes.append(("entreprise", datetime(YEAR, 12, 31, 23, 30, tzinfo=timezone.utc)))  # next year there
    intakes.append(("decheterie", datetime(YEAR, 1, 1, 0, 5, tzinfo=zone)))              # in
    ids = execute_values(cur, "INSERT INTO tl.reuse_intake (place_id, source, commune, at, recorded_by) VALUES %s "
                              "RETURNING id", [(place, src, "Montval", at, who) for src, at in intakes], fetch=True,
                         page_size=1000)
    in_year = lambda at: at.astimezone(zone).year == YEAR
    weighings = []
    for (iid,), (src, at) in zip(ids, intakes):
        for _ in range(rnd.randrange(1, 9)):
            cat = rnd.choice(list(cats))
            gross = kg(cat, Decimal("1"))
            box = rnd.choice(containers + [None] * 3)
            tare = box[1] if box and box[1] < gross and gross - box[1] <= cats[cat] else None
            weighings.append([iid, cat, gross, box[0] if tare is not None else None, tare or Decimal(0), src, at])
    wids = execute_values(cur, "INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, container_id, tare_kg, "
                               "recorded_by) VALUES %s RETURNING id",
                          [(w[0], w[1], w[2], w[3], w[4], who) for w in weighings], fetch=True, page_size=2000)
    current = {wid: w for (wid,), w in zip(wids, weighings)}
    # Corrections, some of them corrected again; made later, and counted on
    # the intake's day whatever the day they were made.
    for _ in range(2):
        fixes = rnd.sample(sorted(current), 150)
        rows = []
        for wid in fixes:
            w = current[wid]
            cat = rnd.choice(list(cats))
            rows.append((w[0], cat, kg(cat), wid, "pesée relue", who, wid))
        new = execute_values(cur, "INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, corrects, reason, "
                                  "recorded_by) SELECT v.i, v.c, v.g, v.k, v.r, v.w FROM (VALUES %s) "
                                  "AS v(i, c, g, k, r, w, o) ORDER BY v.o RETURNING id, category, gross_kg, corrects",
                             rows, fetch=True)
        for nid, cat, gross, old in new:
            w = current.pop(old)
            current[nid] = [w[0], cat, gross, None, Decimal(0), w[5], w[6]]
    # Outflows, a few corrected in January of the next year: they stay in this one.
    outs = []
    for _ in range(400):
        cat = rnd.choice(list(cats))
        outs.append((rnd.choice(DESTINATIONS), cat, kg(cat), moment()))
    outs.append(("recyclage", "textile", Decimal("12.345"), datetime(YEAR, 12, 31, 23, 50, tzinfo=zone)))
    outs.append(("recyclage", "textile", Decimal("99.999"), datetime(YEAR + 1, 1, 1, 0, 10, tzinfo=zone)))
    oids = execute_values(cur, "INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, at, "
                               "recorded_by) VALUES %s RETURNING id",
                          [(place, d, "Partenaire", c, g, at, who) for d, c, g, at in outs], fetch=True)
    out_current = {oid: list(o) for (oid,), o in zip(oids, outs)}
    fixes = rnd.sample(sorted(set(out_current) - {oids[-2][0], oids[-1][0]}), 40) + [oids[-2][0]]
    for oid in fixes:
        d, c, g, at = out_current.pop(oid)
        g2 = kg(c)
        cur.execute("INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, corrects, "
                    "reason, at, recorded_by) VALUES (%s, %s, 'Partenaire', %s, %s, %s, 'relu', %s, %s) RETURNING id",
                    (place, d, c, g2, oid, datetime(YEAR + 1, 1, 2, 10, tzinfo=zone), who))
        out_current[cur.fetchone()[0]] = [d, c, g2, at]
    # Sales with their lines; numbers far above any other test's.
    cur.execute("SELECT coalesce(max(number), 0) FROM tl.reuse_sale WHERE place_id = %s", (place,))
    number = max(cur.fetchone()[0], 900000)
    sales, lines = [], []
    for _ in range(500):
        number += 1
        pay = rnd.choice(PAYMENTS)
        day = (start + timedelta(days=rnd.randrange(365))).date()
        items = []
        for line in range(1, rnd.randrange(2, 5)):
            cat = rnd.choice(list(cats))
            amount = Decimal(0) if pay == "gratuit" else Decimal(rnd.randrange(50, 5000)) / 100
            items.append((line, cat, kg(cat, Decimal("0.1")), amount))
        sales.append((number, day, pay, sum((a for *_, a in items), Decimal(0)), items))
    sids = execute_values(cur, "INSERT INTO tl.reuse_sale (place_id, number, at, day, payment, total, recorded_by) "
                               "VALUES %s RETURNING id",
                          [(place, n, datetime(d.year, d.month, d.day, 12, tzinfo=zone), d, p, t, who)
                           for n, d, p, t, _ in sales], fetch=True)
    execute_values(cur, "INSERT INTO tl.reuse_sale_line (sale_id, line, category, label, weight_kg, amount) VALUES %s",
                   [(sid, ln, c, "lot", w, a) for (sid,), s in zip(sids, sales) for ln, c, w, a in s[4]])
    conn.close()

    # What the report must say, summed here.
    zero = Decimal(0)
    e = {"in_src": {s: zero for s in SOURCES}, "n_src": {s: 0 for s in SOURCES}, "in_cat": {c: zero for c in cats},
         "n_cat": {c: 0 for c in cats}, "out_dest": {d: zero for d in DESTINATIONS},
         "out_cat_dest": {}, "sold_cat": {c: zero for c in cats}, "sales": 0, "takings": zero,
         "pay_n": {p: 0 for p in PAYMENTS}, "pay": {p: zero for p in PAYMENTS}, "cat_of": cats}
    for src, at in intakes:
        if in_year(at):
            e["n_src"][src] += 1
    for iid, cat, gross, _, tare, src, at in current.values():
        if in_year(at):
            e["in_src"][src] += gross - tare
            e["in_cat"][cat] += gross - tare
            e["n_cat"][cat] += 1
    for d, c, g, at in out_current.values():
        if in_year(at):
            e["out_dest"][d] += g
            e["out_cat_dest"][(c, d)] = e["out_cat_dest"].get((c, d), zero) + g
    for n, day, pay, total, items in sales:
        e["sales"] += 1
        e["takings"] += total
        e["pay_n"][pay] += 1
        e["pay"][pay] += total
        for _, c, w, _ in items:
            e["sold_cat"][c] += w
    e["in"] = sum(e["in_src"].values())
    e["sold"] = sum(e["sold_cat"].values())
    e["weighings"] = len(weighings) + 300
    return e


def report_csv(servers, s, **params):
    r = s.get(servers.url(REPORT + ".csv"), params=params, timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["section", "clé", "libellé", "kg", "nombre", "montant (€)", "taux (%)"]
    # Detail rows repeat their key (one per category or filière): by label.
    return r, {(row[0], row[1] if not row[0].endswith("_detail") else row[2]): row for row in rows[1:]}


def dec(text):
    return Decimal(text.replace(",", ".")) if text else None


def test_a_years_report_adds_up_thousands_of_weighings(servers):
    e = generate(servers)
    assert e["weighings"] > 3000
    s, _ = login(servers, "referente.fabrique")
    r, fig = report_csv(servers, s, lieu="la-fabrique", periode="annee", date=str(YEAR))
    assert f'filename="bilan-ressourcerie-la-fabrique-{YEAR}-01-01-{YEAR}-12-31.csv"' in r.headers[
        "Content-Disposition"]
    assert fig[("periode", f"{YEAR}-01-01")][2] == f"du 1er janvier {YEAR} au 31 décembre {YEAR}"
    # Intakes: by source (kg and intakes) and by category (kg and weighings in force).
    for src in SOURCES:
        assert dec(fig[("entrees_provenance", src)][3]) == e["in_src"][src], src
        assert int(fig[("entrees_provenance", src)][4]) == e["n_src"][src], src
    for cat in e["cat_of"]:
        assert dec(fig[("entrees_categorie", cat)][3]) == e["in_cat"][cat], cat
        assert int(fig[("entrees_categorie", cat)][4]) == e["n_cat"][cat], cat
    assert dec(fig[("entrees", "total")][3]) == e["in"]
    assert int(fig[("entrees", "total")][4]) == sum(e["n_src"].values())
    # Outflows in force, counted on the day of their first entry.
    for d in DESTINATIONS:
        assert dec(fig[("sorties_destination", d)][3]) == e["out_dest"][d], d
    assert dec(fig[("sorties", "total")][3]) == sum(e["out_dest"].values())
    # Sales, takings by payment kind.
    assert dec(fig[("ventes", "total")][3]) == e["sold"]
    assert int(fig[("ventes", "total")][4]) == e["sales"] == 500
    assert dec(fig[("ventes", "total")][5]) == e["takings"]
    for p in PAYMENTS:
        assert int(fig[("recettes_paiement", p)][4]) == e["pay_n"][p]
        assert dec(fig[("recettes_paiement", p)][5]) == e["pay"][p]
    for cat in e["cat_of"]:
        assert dec(fig[("ventes_categorie", cat)][3]) == e["sold_cat"][cat]
    # The rates, exactly, to one decimal.
    given, recycled = e["out_dest"]["don_reemploi"], e["out_dest"]["recyclage"]
    reuse, recovery = rate(e["sold"] + given, e["in"]), rate(e["sold"] + given + recycled, e["in"])
    assert dec(fig[("taux", "reemploi")][6]) == reuse
    assert dec(fig[("taux", "valorisation")][6]) == recovery
    # By filière, through the mapping in force at the place.
    streams = dict(servers.sql("SELECT category, stream FROM tl.reuse_eco_streams("
                               "(SELECT id FROM tl.place WHERE slug = 'la-fabrique'))"))
    for stream in set(streams.values()):
        mine = [c for c, st in streams.items() if st == stream]
        assert dec(fig[("filiere", stream)][3]) == sum(e["in_cat"][c] for c in mine), stream
    for stream, label in servers.sql("SELECT code, label FROM tl.reuse_eco_stream"):
        mine = [c for c, st in streams.items() if st == stream]
        assert dec(fig[("filiere_detail", f"{label} : vendus")][3]) == sum(e["sold_cat"][c] for c in mine)
        for d, words in (("recyclage", "recyclage"), ("don_reemploi", "don pour le réemploi"),
                         ("elimination", "élimination")):
            assert dec(fig[("filiere_detail", f"{label} : {words}")][3]) == sum(
                e["out_cat_dest"].get((c, d), Decimal(0)) for c in mine), (stream, d)
    detail = {c: fig[("sorties_detail", f"{label} : recyclage")]
              for c, label in servers.sql("SELECT code, label FROM tl.reuse_category")}
    assert all(dec(row[3]) == e["out_cat_dest"].get((c, "recyclage"), 0) for c, row in detail.items())

    # The page shows the same figures, French style.
    page = s.get(servers.url(REPORT), params={"lieu": "la-fabrique", "periode": "annee", "date": str(YEAR)},
                 timeout=30)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(page.text, "html.parser")

    def table(caption):
        t = soup.find("caption", string=caption).find_parent("table")
        return {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in t.find_all("tr") if tr.td}

    by_src = table("Kilos entrés par provenance")
    assert by_src["Déchèterie"] == [kg_fr(e["in_src"]["decheterie"]) + " kg", str(e["n_src"]["decheterie"])]
    assert by_src["Total des entrées"][0] == kg_fr(e["in"]) + " kg"
    assert NBSP in by_src["Total des entrées"][0]   # thousands apart
    by_cat = table("Kilos entrés par catégorie")
    for cat, label in servers.sql("SELECT code, label FROM tl.reuse_category"):
        assert by_cat[label] == [kg_fr(e["in_cat"][cat]) + " kg", str(e["n_cat"][cat])], cat
    out = table("Kilos sortis par catégorie et destination")
    assert out["Textile"][1] == kg_fr(e["out_cat_dest"].get(("textile", "recyclage"), 0)) + " kg"
    sold = table("Ventes de la période")["Total des ventes"]
    takings = f"{e['takings']:.2f}".replace(".", ",")
    assert sold[1] == str(e["sales"]) and sold[2].replace(NBSP, "") == takings + "€"
    text = soup.get_text()
    assert f"{reuse}".replace(".", ",") + NBSP + "%" in text and f"{recovery}".replace(".", ",") + NBSP + "%" in text
    assert "Taux de réemploi = (kilos vendus + kilos donnés" in text
    assert soup.find("a", string="Version imprimable")["href"].endswith("imprimer=1")
    printable = BeautifulSoup(s.get(servers.url(soup.find("a", string="Version imprimable")["href"]),
                                    timeout=30).text, "html.parser")
    assert printable.find("form", attrs={"method": "get", "action": lambda a: a and "bilan" in a}) is None
    assert f"année {YEAR}" in printable.h1.get_text()

    # A month, a day and a free period of the same data.
    _, march = report_csv(servers, s, lieu="la-fabrique", periode="mois", date=f"{YEAR}-03")
    assert march[("periode", f"{YEAR}-03-01")][2] == f"du 1er mars {YEAR} au 31 mars {YEAR}"
    _, free = report_csv(servers, s, lieu="la-fabrique", periode="libre", du=f"{YEAR}-01-01", au=f"{YEAR}-12-31")
    assert {k: v for k, v in free.items() if k[0] != "periode"} == {k: v for k, v in fig.items() if k[0] != "periode"}
    _, empty = report_csv(servers, s, lieu="la-fabrique", periode="jour", date="2001-05-04")
    assert empty[("entrees", "total")][3] == "0,000" and empty[("taux", "reemploi")][6] == ""
    page = BeautifulSoup(s.get(servers.url(REPORT), params={"lieu": "la-fabrique", "periode": "jour",
                                                            "date": "2001-05-04"}, timeout=10).text, "html.parser")
    assert [dd.strong.get_text() for dd in page.find(class_="tl-report-rates").find_all("dd")] == ["—", "—"]


def test_report_parameters_and_rights(servers, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "referente.fabrique")
    for params, words in (({"periode": "semaine"}, "jour, mois, annee ou libre"),
                          ({"periode": "jour", "date": "2026-02-30"}, "AAAA-MM-JJ"),
                          ({"periode": "mois", "date": "mars"}, "AAAA-MM-JJ"),
                          ({"periode": "libre", "du": "2026-03-01"}, "deux dates"),
                          ({"periode": "libre", "du": "2026-03-01", "au": "2026-02-01"}, "finit avant"),
                          ({"lieu": "Pas un lieu"}, "n'existe pas")):
        for path in (REPORT, REPORT + ".csv"):
            r = s.get(servers.url(path), params={"lieu": "la-fabrique", **params}, timeout=10)
            assert r.status_code == 400, (path, params, r.status_code)
            assert words in r.text, (params, BeautifulSoup(r.text, "html.parser").get_text()[:300])
    # Another place's report, even for a référent: 403; a bénévole has none.
    for path in (REPORT, REPORT + ".csv"):
        r = s.get(servers.url(path), params={"lieu": "mediatheque-jules-verne"}, timeout=10)
        assert r.status_code == 403 and "pas référent de ce lieu" in r.text
    volunteer, _ = login(servers, "benevole.mediatheque")
    for path in (REPORT, REPORT + ".csv"):
        assert volunteer.get(servers.url(path), params={"lieu": "mediatheque-jules-verne"}, allow_redirects=False,
                             timeout=10).status_code == 403
    # An admin sees every place they run.
    admin, _ = login(servers, "admin.reseau")
    page = BeautifulSoup(admin.get(servers.url(REPORT), params={"lieu": "tiers-lieu-lakour", "periode": "annee"},
                                   timeout=10).text, "html.parser")
    assert {o["value"] for o in page.find(id="lieu-choisi").find_all("option")} >= {
        "la-fabrique", "mediatheque-jules-verne", "tiers-lieu-lakour"}
