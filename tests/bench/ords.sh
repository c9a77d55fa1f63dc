#!/usr/bin/env bash
# tests/bench/ords.sh — the repair café's Open Repair Data import and
# export at scale: 20,000 rows (the two files the Open Repair Alliance
# published, repeated with fresh ids) uploaded, previewed and imported
# through the back office, then exported as ORDS v0.3. Targets: import
# under 10 s, export under 1 s. Exits non-zero when any request failed.
# Not part of script/test; reads ../shared/data/ords like the tests.
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
export TL_RUN_DIR="$TL_ROOT/.run/bench-ords" TL_PORT=${TL_BENCH_PORT:-18092} TL_PG_PORT=${TL_BENCH_PG_PORT:-15436}
script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1' EXIT
/usr/bin/python3 - "http://127.0.0.1:$TL_PORT/tierslieux" "$TL_ROOT/../shared/data/ords" <<'PY'
import csv, io, os, re, sys, time
import requests
base, data = sys.argv[1], sys.argv[2]
rows, header = [], None
for name in ("OpenRepairData_v0.3_RepairCafeToronto_202507.csv", "OpenRepairData_v0.3_FixitClinic_202507.csv"):
    reader = csv.reader(io.StringIO(open(os.path.join(data, name), encoding="utf-8-sig").read()))
    header = next(reader)
    rows += list(reader)
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(header)
for i in range(20000):
    row = list(rows[i % len(rows)])
    row[0] = f"bench_{i + 1}"
    w.writerow(row)
body = out.getvalue().encode()
s = requests.Session()
r = s.post(base + "/connexion/verifier", allow_redirects=False,
           data={"httpd_username": "referente.fabrique", "httpd_password": "Perceuse-2026", "httpd_location": "/tierslieux/guichet"})
assert r.status_code == 302 and r.headers["Location"].endswith("/guichet"), ("connexion", r.status_code)
r = s.get(base + "/gestion/import?lieu=la-fabrique")
assert r.status_code == 200, ("formulaire d'import", r.status_code)
token = re.search(r'name="jeton" value="([^"]+)"', r.text).group(1)
t0 = time.monotonic()
r = s.post(base + "/gestion/import", data={"jeton": token, "lieu": "la-fabrique", "quoi": "reparations"},
           files={"fichier": ("bench.csv", body, "text/csv")}, timeout=120)
t1 = time.monotonic()
form = dict(re.findall(r'name="(jeton|lieu|lot)" value="([^"]+)"', r.text.split('/gestion/import/confirmer')[1]))
r2 = s.post(base + "/gestion/import/confirmer", data=form, allow_redirects=False, timeout=120)
t2 = time.monotonic()
assert r.status_code == 200 and r2.status_code == 303, (r.status_code, r2.status_code)
t3 = time.monotonic()
e = requests.get(base + "/reparation/ords.csv", params={"lieu": "la-fabrique", "au": "2030-12-31"}, timeout=60)
t4 = time.monotonic()
assert e.status_code == 200, ("export", e.status_code)
n = e.text.count("\nbench-")
print(f"file: 20000 rows, {len(body) / 1e6:.1f} MB")
print(f"import: upload + read + preview {t1 - t0:.2f} s, confirm {t2 - t1:.2f} s, total {t2 - t0:.2f} s (target < 10 s)")
print(f"export: {n} rows, {len(e.content) / 1e6:.1f} MB in {t4 - t3:.2f} s (target < 1 s)")
PY
