#!/usr/bin/env bash
# tests/bench/ords.sh — the repair café's Open Repair Data import and
# export at scale, and the memory it takes. Files of 10,000 and 100,000
# rows (the files the Open Repair Alliance published, one after the other,
# with fresh ids) are uploaded, previewed and imported through the back
# office, each by a freshly started httpd with a single child process,
# whose peak memory (VmHWM) is read from /proc after the import; then the
# place is exported as ORDS v0.3.
#
# Targets: the upload is streamed to the database, so the peak at 100,000
# rows is at most 1.2 times the peak at 10,000; a 100,000-row import under
# 60 s; the export under 5 s. Exits non-zero when a request failed or a
# target is missed. Not part of script/test; reads ../shared/data/ords.
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
# What the benchmark runs (python3-requests, wrk) on a fresh machine too.
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES || exit 1
export TL_RUN_DIR="$TL_ROOT/.run/bench-ords" TL_PORT=${TL_BENCH_PORT:-18092} TL_PG_PORT=${TL_BENCH_PG_PORT:-15436}
web="$TL_RUN_DIR/httpd"
script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1' EXIT
# One child process serves everything: its peak memory is the import's.
sed -i -e 's/^StartServers .*/StartServers 1/' -e 's/^ServerLimit .*/ServerLimit 1/' \
       -e 's/^MaxRequestWorkers .*/MaxRequestWorkers 25/' -e 's/^MinSpareThreads .*/MinSpareThreads 1/' \
       -e 's/^MaxSpareThreads .*/MaxSpareThreads 25/' "$web/httpd.conf"

measure() {     # ROWS: a fresh httpd, one import, the child's peak memory
    tl_httpd_stop "$web"
    tl_httpd_start "$web"
    /usr/bin/python3 - "http://127.0.0.1:$TL_PORT/tierslieux" "$TL_ROOT/../shared/data/ords" "$1" "$web/httpd.pid" <<'PY'
import csv, io, os, re, subprocess, sys, time
import requests
base, data, rows, pidfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
names = ["OpenRepairData_v0.3_RepairCafeToronto_202507.csv", "OpenRepairData_v0.3_FixitClinic_202507.csv",
         "OpenRepairData_v0.3_RepairCafeWales_202407.csv",
         "OpenRepairData_v0.3_RepairCafeWales_202507.csv", "OpenRepairData_v0.3_RestartProject_202204.csv",
         "OpenRepairData_v0.3_anstiftung_202309.csv", "OpenRepairData_v0.3_RepairCafeDenmark_202507.csv"]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
n = 0
for name in names:
    reader = csv.reader(io.StringIO(open(os.path.join(data, name), encoding="utf-8-sig").read()))
    header = next(reader)
    if n == 0:
        w.writerow(header)
    for row in reader:
        if n == rows:
            break
        n += 1
        row[0] = f"bench{rows}_{n}"
        w.writerow(row)
assert n == rows, (n, rows)
body = out.getvalue().encode()

def child_hwm():
    parent = open(pidfile).read().strip()
    kids = subprocess.run(["pgrep", "-P", parent], capture_output=True, text=True).stdout.split()
    peak = 0
    for pid in kids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return len(kids), peak

s = requests.Session()
r = s.post(base + "/connexion/verifier", allow_redirects=False,
           data={"httpd_username": "referente.fabrique", "httpd_password": "Perceuse-2026", "httpd_location": "/tierslieux/guichet"})
assert r.status_code == 302 and r.headers["Location"].endswith("/guichet"), ("connexion", r.status_code)
r = s.get(base + "/gestion/import?lieu=la-fabrique")
assert r.status_code == 200, ("formulaire d'import", r.status_code)
token = re.search(r'name="jeton" value="([^"]+)"', r.text).group(1)
kids, before = child_hwm()
assert kids == 1, f"{kids} child processes: the measure needs one"
t0 = time.monotonic()
r = s.post(base + "/gestion/import", data={"jeton": token, "lieu": "la-fabrique", "quoi": "reparations"},
           files={"fichier": ("bench.csv", body, "text/csv")}, timeout=600)
t1 = time.monotonic()
assert r.status_code == 200 and f"{rows} nouvelle(s)" in r.text, ("aperçu", r.status_code, r.text[:300])
form = dict(re.findall(r'name="(jeton|lieu|lot)" value="([^"]+)"', r.text.split('/gestion/import/confirmer')[1]))
r2 = s.post(base + "/gestion/import/confirmer", data=form, allow_redirects=False, timeout=600)
t2 = time.monotonic()
assert r2.status_code == 303 and r2.headers["Location"].endswith(f"fait={rows}"), ("confirmation", r2.status_code)
_, peak = child_hwm()
t3 = time.monotonic()
e = requests.get(base + "/reparation/ords.csv", params={"lieu": "la-fabrique", "du": "1990-01-01", "au": "2030-12-31"},
                 timeout=120)
t4 = time.monotonic()
assert e.status_code == 200, ("export", e.status_code)
print(f"{rows} rows, {len(body) / 1e6:.1f} MB: upload + read + preview {t1 - t0:.2f} s, confirm {t2 - t1:.2f} s, "
      f"total {t2 - t0:.2f} s; httpd child VmHWM {before / 1024:.1f} MB before, {peak / 1024:.1f} MB after; "
      f"export of the place {e.text.count(chr(10)) - 1} rows, {len(e.content) / 1e6:.1f} MB in {t4 - t3:.2f} s")
with open(os.environ["TL_BENCH_OUT"], "a") as f:
    f.write(f"{rows} {peak} {t2 - t0:.2f} {t4 - t3:.2f}\n")
PY
}

export TL_BENCH_OUT="$TL_RUN_DIR/results"
: >"$TL_BENCH_OUT"
measure 10000
measure 100000
/usr/bin/python3 - "$TL_BENCH_OUT" <<'PY'
import sys
r = {int(a): (int(b), float(c), float(d)) for a, b, c, d in (l.split() for l in open(sys.argv[1]))}
ratio = r[100000][0] / r[10000][0]
print(f"peak memory at 100,000 rows / at 10,000 rows: {ratio:.2f} (target <= 1.20)")
ok = ratio <= 1.2 and r[100000][1] < 60 and r[100000][2] < 5
sys.exit(0 if ok else 1)
PY
