#!/usr/bin/env bash
# tests/bench/mixed.sh — the public catalogue at a network's size while the
# desks lend (issue 14 point 4). Builds the network (script/network,
# TL_BENCH_SCALE, 1 by default) beside the demo, with the rendered-page
# cache on as installed, and while desks do real check-outs and check-ins
# through httpd (logged in, with the forms' tokens) at TL_BENCH_WRITES per
# second (10), measures in one run with wrk: a static copy of the catalogue
# page on the same httpd, a mix of 40 distinct catalogue URLs (searches
# with and without typos, filters, sorts, pages), and the catalogue page
# alone. Prints rates, ratios to the static copy, p99 and the load average.
# Targets: the mix at 0.25 of the static copy's rate or more with a p99 of
# 100 ms at most, the page alone at 0.5 or more, no error anywhere (an
# answer other than 200, a desk's action refused, a socket error); exits
# non-zero when one is missed. Not part of script/test.
#   TL_BENCH_SECONDS (15) per measurement, TL_BENCH_CONNECTIONS (24).
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
source "$(dirname "$0")/lib.sh"
cd "$TL_ROOT"
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES wrk

seconds=${TL_BENCH_SECONDS:-15}
conns=${TL_BENCH_CONNECTIONS:-24}
writes=${TL_BENCH_WRITES:-10}
export TL_RUN_DIR="$TL_ROOT/.run/bench-mixed" TL_PORT=${TL_BENCH_PORT:-18097} TL_PG_PORT=${TL_BENCH_PG_PORT:-15441}
web="$TL_RUN_DIR/httpd"
pg="$TL_RUN_DIR/pg"
base="http://127.0.0.1:$TL_PORT"
page="/tierslieux/outils"

script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
trap 'kill "${desks:-}" 2>/dev/null || true; script/server stop >/dev/null 2>&1' EXIT
script/network --scale "${TL_BENCH_SCALE:-1}" --demo | tail -n 1
tl_psql "$pg" tierslieux -q -c "SET client_min_messages = error" -c "VACUUM ANALYZE"      # as after a night's autovacuum

# The static copy, byte for byte, served by the same httpd.
serve_static_copies
curl -sf "$base$page" -o "$TL_RUN_DIR/static/catalogue.html"

# The 40 URLs: the first pages of each sort, filters by category and by
# place, searches with and without a typo.
network="p.organisation_id IN (SELECT id FROM tl.organisation WHERE slug LIKE 'reseau-%')"
categories=$(tl_psql "$pg" tierslieux -At -c "SELECT c.slug FROM tl.item_count n JOIN tl.category c ON c.id = n.category_id
                                               GROUP BY c.slug ORDER BY sum(n.items) DESC, c.slug LIMIT 6")
places=$(tl_psql "$pg" tierslieux -At -c "SELECT p.slug FROM tl.item_count n JOIN tl.place p ON p.id = n.place_id
                                           WHERE $network GROUP BY p.slug ORDER BY sum(n.items) DESC, p.slug LIMIT 6")
urls=()
for n in 1 2 3 4 5; do urls+=("$page?page=$n"); done
urls+=("$page?tri=recent" "$page?tri=recent&page=2" "$page?tri=disponibles" "$page?tri=disponibles&page=3"
       "$page?dispo=1" "$page?dispo=1&page=2")
for c in $categories; do urls+=("$page?categorie=$c"); done
for p in $places; do urls+=("$page?lieu=$p"); done
for p in $(head -n 2 <<<"$places"); do urls+=("$page?lieu=$p&dispo=1"); done
for q in perceuse scie tondeuse ponceuse visseuse %C3%A9chelle tente raclette; do urls+=("$page?q=$q"); done
for q in perseuse tondeusse ponseuse visseusse echele; do urls+=("$page?q=$q"); done
urls+=("$page?q=scie&tri=titre" "$page?q=perceuse&dispo=1")
[ "${#urls[@]}" -eq 40 ] || tl_die "le mélange compte ${#urls[@]} adresses au lieu de 40"
for u in "${urls[@]}"; do
    curl -sf -o /dev/null "$base$u" || tl_die "$u ne répond pas 200"
done
{
    printf 'URLS = {\n'
    printf '  "%s",\n' "${urls[@]}"
    printf '}\n'
    cat tests/bench/mixed.lua
} >"$TL_RUN_DIR/mixed.lua"

# The desks: five volunteers at five network places, each lending an item
# to a member and taking it back, in turn, at $writes actions a second in
# all; they print what they did when stopped.
/usr/bin/python3 - "$base" "$pg" "$writes" >"$TL_RUN_DIR/desks.txt" 2>&1 <<'PY' &
import os, re, signal, subprocess, sys, time
import requests

base, pg, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])

def sql(query):
    return subprocess.run(["psql", "-X", "-At", "-h", os.path.realpath(pg), "-p", os.environ["TL_PG_PORT"], "-U",
                           "postgres", "-d", "tierslieux", "-c", query], capture_output=True, text=True,
                          check=True).stdout.split()

s = requests.Session()
r = s.post(base + "/tierslieux/connexion/verifier", allow_redirects=False, timeout=10,
           data={"httpd_username": "coordination.reseau", "httpd_password": "Reseau-2026",
                 "httpd_location": "/tierslieux/guichet"})
assert r.status_code in (302, 303), r.status_code
token = lambda path: re.search(r'name="jeton" value="([^"]*)"', s.get(base + path, timeout=10).text).group(1)
lend, give_back = token("/tierslieux/guichet/pret"), token("/tierslieux/guichet/retour")
items = sql("""SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id JOIN tl.place p ON p.id = i.place_id
                WHERE p.organisation_id IN (SELECT id FROM tl.organisation WHERE slug LIKE 'reseau-%')
                  AND a.state = 'disponible' AND i.retired_at IS NULL AND i.safety_check_days IS NULL
                  AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                                  AND b.returned_at IS NULL)
                ORDER BY i.id LIMIT 200""")
members = sql("""SELECT m.member_number FROM tl.member m
                  WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = m.id AND b.kind = 'pret'
                                    AND b.returned_at IS NULL)
                  ORDER BY m.id LIMIT 200""")

def act(path, form):
    r = s.post(base + path, data=form, allow_redirects=False, timeout=10)
    return r.status_code == 303 and "fait=" in r.headers.get("Location", "")

# five pairs an item and a member the desk accepts
pairs = []
for item in items:
    for member in members[len(pairs) * 3:len(pairs) * 3 + 3]:
        if act("/tierslieux/guichet/pret/confirmer", {"jeton": lend, "adherent": member, "objet": item}):
            pairs.append([item, member, True])     # lent: next comes its return
            break
    if len(pairs) == 5:
        break
assert len(pairs) == 5, "no five items and members the desk accepts"
done, refused, start = 0, 0, time.monotonic()
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
while not stop:
    pair = pairs[done % 5]
    item, member, lent = pair
    ok = (act("/tierslieux/guichet/retour", {"jeton": give_back, "objet": item, "etat": "", "maintenance": ""})
          if lent else act("/tierslieux/guichet/pret/confirmer", {"jeton": lend, "adherent": member, "objet": item}))
    refused += not ok
    pair[2] = not lent if ok else lent
    done += 1
    time.sleep(max(0.0, start + done / rate - time.monotonic()))
print(f"desks: {done} check-outs and check-ins in {time.monotonic() - start:.0f} s "
      f"({done / (time.monotonic() - start):.1f} a second), {refused} refused")
sys.exit(1 if refused else 0)
PY
desks=$!
sleep 3
kill -0 "$desks" 2>/dev/null || { cat "$TL_RUN_DIR/desks.txt"; tl_die "les guichets n'ont pas démarré"; }

failed=0
measure() {   # label wrk-args... : prints "rate p99_ms"
    local out rate p99
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "$@" 2>&1) || failed=1
    if grep -qE '^ *(Non-2xx or 3xx responses|Socket errors):|answers other than 200, [1-9]|[1-9][0-9]* socket errors' <<<"$out"; then
        printf 'requêtes en échec :\n%s\n' "$out" >&2
        failed=1
    fi
    rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
    echo "$rate $p99"
}
wrk -t1 -c"$conns" -d3s "$base/copie-statique/catalogue.html" >/dev/null 2>&1 || true     # warm up
wrk -t1 -c"$conns" -d3s -s "$TL_RUN_DIR/mixed.lua" "$base" >/dev/null 2>&1 || true
read -r static_rate static_p99 < <(measure "$base/copie-statique/catalogue.html")
read -r mix_rate mix_p99 < <(measure -s "$TL_RUN_DIR/mixed.lua" "$base")
read -r hot_rate hot_p99 < <(measure "$base$page")
load=$(cut -d ' ' -f 1 /proc/loadavg)
kill -TERM "$desks"
wait "$desks" || failed=1
desks=

echo "wrk: 1 thread, $conns connections, ${seconds}s each; load average $load"
cat "$TL_RUN_DIR/desks.txt"
printf 'static copy of %s:      %8.0f req/s  p99 %7.2f ms\n' "$page" "$static_rate" "$static_p99"
printf 'mix of 40 catalogue URLs:      %8.0f req/s  p99 %7.2f ms  ratio %.2f (target 0.25, p99 100 ms)\n' \
       "$mix_rate" "$mix_p99" "$(awk -v a="$mix_rate" -v b="$static_rate" 'BEGIN {print a / b}')"
printf 'the catalogue page alone:      %8.0f req/s  p99 %7.2f ms  ratio %.2f (target 0.5)\n' \
       "$hot_rate" "$hot_p99" "$(awk -v a="$hot_rate" -v b="$static_rate" 'BEGIN {print a / b}')"
missed=$(awk -v m="$mix_rate" -v mp="$mix_p99" -v h="$hot_rate" -v s="$static_rate" \
             'BEGIN {print (m < 0.25 * s) + (mp > 100) + (h < 0.5 * s)}')
[ "$failed" -eq 0 ] || tl_die "des requêtes ont échoué (ci-dessus) : les mesures ne valent rien"
[ "$missed" -eq 0 ] || tl_die "$missed cible(s) manquée(s)"
