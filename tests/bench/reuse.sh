#!/usr/bin/env bash
# tests/bench/reuse.sh — the ressourcerie with a year of data at one place
# (12,000 intakes and 50,000 weighings, 10,000 sales and 20,000 lines,
# 1,500 outflows): the median time of the yearly report page (target
# 150 ms) over sequential requests, and of a weighing recorded at the desk —
# the form POSTed with its token, then the page it redirects to — (target
# 5 ms), one connection kept alive, through httpd, into a PostgreSQL with
# durable settings. Exits non-zero when any request failed. Not part of
# script/test.
# TL_BENCH_REPORTS (30 requests), TL_BENCH_WEIGHINGS (300 round trips).
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
# What the benchmark runs (python3-requests, wrk) on a fresh machine too.
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES || exit 1
reports=${TL_BENCH_REPORTS:-30}
weighings=${TL_BENCH_WEIGHINGS:-300}
export TL_RUN_DIR="$TL_ROOT/.run/bench-reuse" TL_PORT=${TL_BENCH_PORT:-18092} TL_PG_PORT=${TL_BENCH_PG_PORT:-15436}
script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
TL_PG_FSYNC=${TL_PG_FSYNC:-on} script/server --background >/dev/null 2>&1
# TL_BENCH_KEEP=1 leaves the servers running, to look into a slow query.
[ -n "${TL_BENCH_KEEP:-}" ] || trap 'script/server stop >/dev/null 2>&1' EXIT
pg="$TL_RUN_DIR/pg"
echo "PostgreSQL: fsync=$(tl_psql "$pg" tierslieux -At -c 'SHOW fsync'), synchronous_commit=$(tl_psql "$pg" tierslieux -At -c 'SHOW synchronous_commit')"

# A year at La Fabrique, in its own time zone, spread over every day.
start=$(date +%s)
tl_psql "$pg" tierslieux -q --single-transaction <<'SQL'
CREATE TEMP TABLE bench AS
SELECT p.id AS place, p.time_zone AS tz, a.id AS who,
       date_trunc('year', now() AT TIME ZONE p.time_zone) AT TIME ZONE p.time_zone AS year_start
  FROM tl.place p, tl.account a WHERE p.slug = 'la-fabrique' AND a.login = 'referente.fabrique';

INSERT INTO tl.reuse_intake (place_id, source, commune, at, recorded_by)
SELECT b.place, (ARRAY['apport_volontaire', 'collecte_domicile', 'entreprise', 'decheterie',
                       'service_municipal'])[1 + g % 5],
       'Montval', b.year_start + (g % 365) * interval '1 day' + (9 * 60 + g % 540) * interval '1 minute', b.who
  FROM bench b, generate_series(1, 12000) g;

CREATE TEMP TABLE bench_intake AS
SELECT i.id, row_number() OVER (ORDER BY i.id) - 1 AS n FROM tl.reuse_intake i, bench b
 WHERE i.place_id = b.place AND i.at >= b.year_start;

-- 49,000 weighings, then 1,000 corrections of some of them: 50,000.
INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, recorded_by)
SELECT i.id, (ARRAY['mobilier', 'textile', 'vaisselle', 'livres', 'jouets', 'electromenager', 'outils', 'velos',
                    'deco', 'divers'])[1 + g % 10],
       1 + (g * 7919 % 40000) / 1000.0, b.who
  FROM bench b, generate_series(0, 48999) g JOIN bench_intake i ON i.n = g % 12000;
INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, corrects, reason, recorded_by)
SELECT w.intake_id, w.category, w.gross_kg + 1, w.id, 'pesée relue', w.recorded_by
  FROM (SELECT w.* FROM tl.reuse_weighing w JOIN bench_intake i ON i.id = w.intake_id
         ORDER BY w.id LIMIT 1000) w;

INSERT INTO tl.reuse_sale (place_id, number, at, day, payment, total, recorded_by)
SELECT b.place, 100000 + g, b.year_start + (g % 365) * interval '1 day' + interval '14 hours',
       ((b.year_start + (g % 365) * interval '1 day') AT TIME ZONE b.tz)::date,
       (ARRAY['especes', 'carte', 'cheque', 'monnaie_locale'])[1 + g % 4], 2 * (1 + g % 30), b.who
  FROM bench b, generate_series(1, 10000) g;
INSERT INTO tl.reuse_sale_line (sale_id, line, category, label, weight_kg, amount)
SELECT s.id, l, (ARRAY['mobilier', 'textile', 'vaisselle', 'livres', 'jouets'])[1 + (s.number + l) % 5], 'lot',
       0.5 + (s.number * l % 9000) / 1000.0, 1 + s.number % 30
  FROM tl.reuse_sale s, bench b, generate_series(1, 2) l WHERE s.place_id = b.place AND s.number > 100000;

INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, at, recorded_by)
SELECT b.place, (ARRAY['recyclage', 'elimination', 'don_reemploi'])[1 + g % 3], 'Partenaire',
       (ARRAY['textile', 'electromenager', 'divers', 'mobilier'])[1 + g % 4], 5 + (g % 50),
       b.year_start + (g % 365) * interval '1 day' + interval '17 hours', b.who
  FROM bench b, generate_series(1, 1500) g;
SQL
tl_psql "$pg" tierslieux -q -c 'VACUUM ANALYZE tl.reuse_intake, tl.reuse_weighing, tl.reuse_sale, tl.reuse_sale_line, tl.reuse_outflow'
echo "data: $(tl_psql "$pg" tierslieux -At -c "SELECT format('%s intakes, %s weighings, %s sales, %s lines, %s outflows',
    (SELECT count(*) FROM tl.reuse_intake), (SELECT count(*) FROM tl.reuse_weighing), (SELECT count(*) FROM tl.reuse_sale),
    (SELECT count(*) FROM tl.reuse_sale_line), (SELECT count(*) FROM tl.reuse_outflow))") in $(( $(date +%s) - start )) s"

base="http://127.0.0.1:$TL_PORT"
jar="$TL_RUN_DIR/cookies"
curl -s -c "$jar" -o /dev/null --data "httpd_username=referente.fabrique&httpd_password=Perceuse-2026&httpd_location=/tierslieux/guichet" \
     "$base/tierslieux/connexion/verifier"
cookie="tierslieux_session=$(awk '$6 == "tierslieux_session" {print $7}' "$jar")"
[ "$cookie" != tierslieux_session= ] || tl_die "la connexion au guichet a échoué"
# Intakes to weigh, ten weighings each, as a drop-off gets.
intakes=$(tl_psql "$pg" tierslieux -At -c "SELECT string_agg(tl.start_intake('referente.fabrique', 'la-fabrique',
    'apport_volontaire', 'Montval')::text, ',') FROM generate_series(1, ($weighings + 9) / 10)")

TL_BENCH_PORT=$TL_PORT TL_BENCH_COOKIE="$cookie" TL_BENCH_INTAKES="$intakes" \
TL_BENCH_REPORTS=$reports TL_BENCH_WEIGHINGS=$weighings /usr/bin/python3 - <<'PY'
import http.client, os, re, statistics, sys, time, urllib.parse

port, cookie = int(os.environ["TL_BENCH_PORT"]), os.environ["TL_BENCH_COOKIE"]
intakes = os.environ["TL_BENCH_INTAKES"].split(",")
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

def get(path):
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    return r.status, r.read()

report = "/tierslieux/gestion/ressourcerie/bilan?lieu=la-fabrique&periode=annee"
for _ in range(3):
    status, body = get(report)
    assert status == 200, status
total = re.search(rb"Total des entr\xc3\xa9es</th><td[^>]*>([^<]*)", body)
times = []
for _ in range(int(os.environ["TL_BENCH_REPORTS"])):
    t = time.perf_counter()
    status, body = get(report)
    times.append((time.perf_counter() - t) * 1000)
    assert status == 200, status
print(f"yearly report page: median {statistics.median(times):.1f} ms over {len(times)} requests "
      f"(min {min(times):.1f}, max {max(times):.1f}; {len(body) // 1024} KB; total in: "
      f"{total.group(1).decode().replace(chr(160), ' ') if total else '?'}) - target 150 ms")

status, page = get(f"/tierslieux/guichet/ressourcerie/arrivage?n={intakes[0]}")
assert status == 200, status
token = re.search(rb'name="jeton" value="([^"]+)"', page).group(1).decode()
times, errors = [], 0
for i in range(int(os.environ["TL_BENCH_WEIGHINGS"])):
    body = urllib.parse.urlencode({"jeton": token, "arrivage": intakes[i // 10], "categorie": "t",
                                   "poids": f"{12 + i % 10},5", "contenant": "", "corrige": "", "raison": ""})
    t = time.perf_counter()
    conn.request("POST", "/tierslieux/guichet/ressourcerie/pesee", body=body,
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    location = r.getheader("Location", "")
    status, _ = get(urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl())
    times.append((time.perf_counter() - t) * 1000)
    errors += r.status != 303 or status != 200
print(f"weighing recorded (POST + GET of the redirect): median {statistics.median(times):.2f} ms over "
      f"{len(times)} round trips (p90 {statistics.quantiles(times, n=10)[-1]:.2f} ms; errors: {errors}) - target 5 ms")
if errors:
    sys.exit(f"échec : {errors} pesées sur {len(times)} sans la redirection attendue ou sa page")
PY
