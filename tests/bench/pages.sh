#!/usr/bin/env bash
# tests/bench/pages.sh — every public, desk and back-office page at a
# network's size (issue 14 point 2): builds the network (script/network,
# TL_BENCH_SCALE, 1 by default: 100 places, 50,000 items) beside the demo,
# turns the rendered-page cache off (TiersLieuxCacheSize 0) so that every
# request is rendered from the database, and prints each page's median
# time as httpd measured it (%D of the access log, from reading the
# request to sending its last byte), over TL_BENCH_RUNS requests (15) after
# 3 to warm up, with the load average beside it. Targets: a public page's
# median at most 20 ms, a desk or back-office page's at most 50 ms, a
# whole-file download's at the ORDS export's pace per row; exits
# non-zero when a page misses its target or answers anything but 200. Not
# part of script/test. TL_BENCH_KEEP=1 leaves the servers running after it
# (for EXPLAIN; script/server stop with the same TL_RUN_DIR and ports).
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
# What the benchmark runs (python3-requests, wrk) on a fresh machine too.
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES || exit 1
export TL_RUN_DIR="$TL_ROOT/.run/bench-pages" TL_PORT=${TL_BENCH_PORT:-18096} TL_PG_PORT=${TL_BENCH_PG_PORT:-15440}
web="$TL_RUN_DIR/httpd"
script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
[ -n "${TL_BENCH_KEEP:-}" ] || trap 'script/server stop >/dev/null 2>&1' EXIT
script/network --scale "${TL_BENCH_SCALE:-1}" --demo | tail -n 1
# Photos on two items of three of the network, two on one in six (issue 16:
# the catalogue keeps its budgets with photos). Rows only: the pages read
# tl.photo (the card's first photo, its size), never the bytes, which
# /photos/ serves on its own.
psql -X -q -h "$(realpath "$TL_RUN_DIR/pg")" -p "$TL_PG_PORT" -U postgres -d tierslieux -c "
    INSERT INTO tl.photo (item_id, alt, position, width, height)
    SELECT i.id, 'Photo ' || n || ' de ' || i.title, n, 1280, 960
      FROM tl.item i CROSS JOIN generate_series(1, 2) AS n
     WHERE i.id % 3 <> 0 AND (n = 1 OR i.id % 6 = 1)"
echo "TiersLieuxCacheSize 0" >"$web/extra/bench-pages.conf"
tl_httpd_stop "$web"
tl_httpd_start "$web"

/usr/bin/python3 - "http://127.0.0.1:$TL_PORT" "$web/logs/access.log" "${TL_BENCH_RUNS:-15}" "$TL_RUN_DIR/pg" <<'PY'
import os, re, statistics, subprocess, sys, time
import requests

base, log, runs, pg = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def sql(query):
    out = subprocess.run(["psql", "-X", "-At", "-h", os.path.realpath(pg), "-p", os.environ["TL_PG_PORT"],
                          "-U", "postgres", "-d", "tierslieux", "-c", query], capture_output=True, text=True, check=True)
    return out.stdout.strip()

sql("VACUUM ANALYZE")           # as after a night's autovacuum
network = "p.organisation_id IN (SELECT id FROM tl.organisation WHERE slug LIKE 'reseau-%')"
place = sql(f"SELECT p.slug FROM tl.place p JOIN tl.item i ON i.place_id = p.id WHERE {network} "
            "GROUP BY p.slug ORDER BY count(*) DESC, p.slug LIMIT 1")
item = sql(f"SELECT i.id FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE p.slug = '{place}' "
           "AND i.retired_at IS NULL ORDER BY i.id LIMIT 1")
variety = sql("SELECT variety_id FROM tl.seed_lot GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
shop = sql("SELECT p.slug FROM tl.reuse_intake x JOIN tl.place p ON p.id = x.place_id "
           "GROUP BY p.slug ORDER BY count(*) DESC, p.slug LIMIT 1")
number, name = sql(f"""
    SELECT m.member_number || '|' || m.given_name || ' ' || m.family_name
      FROM tl.member m JOIN tl.booking b ON b.member_id = m.id JOIN tl.item i ON i.id = b.item_id
      JOIN tl.place p ON p.id = i.place_id
     WHERE p.slug = '{place}' AND NOT EXISTS (SELECT 1 FROM tl.member o WHERE o.id <> m.id
                                               AND o.given_name = m.given_name AND o.family_name = m.family_name)
     GROUP BY m.id ORDER BY count(*) DESC, m.member_number LIMIT 1""").split("|")
free = sql(f"""SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
                 JOIN tl.item_availability a ON a.item_id = i.id
                WHERE p.slug = '{place}' AND a.state = 'disponible' AND i.retired_at IS NULL
                ORDER BY i.code LIMIT 1""")
year = time.strftime("%Y")

public = requests.Session()
desk = requests.Session()
r = desk.post(base + "/tierslieux/connexion/verifier", allow_redirects=False,
              data={"httpd_username": "coordination.reseau", "httpd_password": "Reseau-2026",
                    "httpd_location": "/tierslieux/guichet"})
assert r.status_code in (302, 303), ("connexion", r.status_code)

def token(path):
    return re.search(r'name="jeton" value="([^"]+)"', desk.get(base + "/tierslieux" + path).text).group(1)

lend, card = token("/guichet/pret"), token("/guichet/adherent")
get = lambda s, path, **params: (lambda: s.get(base + "/tierslieux" + path, params=params, allow_redirects=False))
PUBLIC, DESK = 20.0, 50.0
# Whole-file downloads (the open data catalogue) have the pace of the ORDS
# export, which has a desk page's budget for a year of the network's records.
ords_rows = int(sql(f"SELECT count(*) FROM tl.repair_record WHERE event_date BETWEEN '{year}-01-01' AND '{year}-12-31'"))
items = int(sql("SELECT count(*) FROM tl.item WHERE retired_at IS NULL"))
EXPORT_ROW = DESK / max(ords_rows, 1)
pages = [
    ("accueil", PUBLIC, get(public, "/")),
    ("lieux", PUBLIC, get(public, "/lieux")),
    ("un lieu", PUBLIC, get(public, f"/lieux/{place}")),
    ("catalogue", PUBLIC, get(public, "/outils")),
    ("catalogue, catégorie et disponibles", PUBLIC, get(public, "/outils", categorie="jardinage", dispo="1")),
    ("catalogue d'un lieu", PUBLIC, get(public, "/outils", lieu=place)),
    ("catalogue, les plus récents", PUBLIC, get(public, "/outils", tri="recent")),
    ("catalogue, disponibles d'abord", PUBLIC, get(public, "/outils", tri="disponibles")),
    ("catalogue, page 800", PUBLIC, get(public, "/outils", page="800")),
    ("catalogue, disponibles d'abord, page 1550", PUBLIC, get(public, "/outils", tri="disponibles", page="1550")),
    ("recherche « perceuse »", PUBLIC, get(public, "/outils", q="perceuse")),
    ("recherche avec faute « perseuse »", PUBLIC, get(public, "/outils", q="perseuse")),
    ("recherche « scie », par titre, disponibles", PUBLIC, get(public, "/outils", q="scie", tri="titre", dispo="1")),
    ("un objet", PUBLIC, get(public, f"/outils/{item}")),
    ("grainothèque", PUBLIC, get(public, "/graines")),
    ("grainothèque, recherche", PUBLIC, get(public, "/graines", q="tomate")),
    ("une variété", PUBLIC, get(public, f"/graines/{variety}")),
    ("agenda des réparations", PUBLIC, get(public, "/reparation")),
    ("agenda d'un lieu", PUBLIC, get(public, "/reparation", lieu=place)),
    ("agenda (iCalendar)", PUBLIC, get(public, "/reparation.ics")),
    ("ressourcerie", PUBLIC, get(public, "/ressourcerie")),
    ("ressourcerie d'un lieu", PUBLIC, get(public, "/ressourcerie", lieu=shop)),
    ("agenda de tous les événements", PUBLIC, get(public, "/agenda")),
    ("agenda des ateliers d'un lieu", PUBLIC, get(public, "/agenda", lieu=place, type="atelier")),
    ("agenda (Atom)", PUBLIC, get(public, "/agenda.atom")),
    ("nouveaux objets (Atom)", PUBLIC, get(public, "/outils.atom")),
    ("arrivages de la ressourcerie (Atom)", PUBLIC, get(public, "/ressourcerie.atom")),
    ("témoignages", PUBLIC, get(public, "/temoignages")),
    ("impact du réseau", PUBLIC, get(public, "/impact")),
    ("impact d'un lieu", PUBLIC, get(public, "/impact", lieu=place)),
    ("données ouvertes", PUBLIC, get(public, "/donnees-ouvertes")),
    ("lieux au format des équipements (CSV)", PUBLIC, get(public, "/donnees-ouvertes/equipements.csv")),
    ("lieux en GeoJSON", PUBLIC, get(public, "/donnees-ouvertes/lieux.geojson")),
    ("guichet", DESK, get(desk, "/guichet")),
    ("guichet : adhérent cherché par son nom", DESK,
     lambda: desk.post(base + "/tierslieux/guichet/pret/verifier", allow_redirects=False,
                       data={"jeton": lend, "adherent": name, "objet": free})),
    ("guichet : fiche d'adhérent", DESK,
     lambda: desk.post(base + "/tierslieux/guichet/adherent", allow_redirects=False,
                       data={"jeton": card, "numero": number})),
    ("guichet : retards du lieu", DESK, get(desk, "/guichet/retards", lieu=place)),
    ("guichet : retards du réseau", DESK, get(desk, "/guichet/retards")),
    ("guichet : étiquettes", DESK, get(desk, "/guichet/etiquettes", lieu=place)),
    ("gestion : objets", DESK, get(desk, "/gestion/objets", lieu=place)),
    ("gestion : objets, recherche", DESK, get(desk, "/gestion/objets", lieu=place, q="perceuse")),
    ("gestion : journal", DESK, get(desk, "/gestion/journal", lieu=place)),
    ("gestion : bilan de la ressourcerie", DESK, get(desk, "/gestion/ressourcerie/bilan", lieu=shop)),
    ("gestion : bilan de la ressourcerie (CSV)", DESK, get(desk, "/gestion/ressourcerie/bilan.csv", lieu=shop)),
    ("gestion : bilan de l'année d'un lieu", DESK, get(desk, "/gestion/bilan", lieu=place)),
    ("gestion : bilan de l'année du réseau", DESK, get(desk, "/gestion/bilan")),
    (f"catalogue en données ouvertes (CSV, {items} objets)", round(EXPORT_ROW * items),
     get(public, "/donnees-ouvertes/outils.csv")),
    (f"export ORDS de {year}", DESK, get(desk, "/reparation/ords.csv", du=f"{year}-01-01", au=f"{year}-12-31")),
]

def served_ms(send):
    before = os.path.getsize(log)
    r = send()
    if r.status_code != 200:
        raise SystemExit(f"{r.status_code} pour {r.url}")
    for _ in range(200):
        with open(log, "rb") as f:
            f.seek(before)
            lines = f.read().decode().splitlines()
        if lines:
            return int(lines[-1].rsplit(" ", 1)[1]) / 1000.0
        time.sleep(0.005)
    raise SystemExit("httpd n'a pas écrit de ligne de journal")

missed = 0
print(f"{'page':46} {'médiane':>9} {'cible':>7}  charge (1 min)")
for title, target, send in pages:
    for _ in range(3):
        served_ms(send)
    median = statistics.median(served_ms(send) for _ in range(runs))
    load = os.getloadavg()[0]
    ok = median <= target
    missed += not ok
    print(f"{title:46} {median:7.1f} ms {target:4.0f} ms  {load:4.2f}{'' if ok else '  AU-DESSUS'}")
sys.exit(1 if missed else 0)
PY
