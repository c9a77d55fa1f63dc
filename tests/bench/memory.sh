#!/usr/bin/env bash
# tests/bench/memory.sh — what the module adds to an httpd worker (a child
# process) at a network's size (issue 14 point 5). Builds the network
# (script/network, TL_BENCH_SCALE, 1 by default) beside the demo, then has
# the httpd serve the largest answers the network gives: every public page,
# the catalogue's 40 URLs of tests/bench/mixed.sh under wrk, the Open Repair
# Data export of every repair (three times), the iCalendar feed, and at the
# desk the sheets of labels, the overdue list as CSV and the ressourcerie's
# report as CSV. Then the same httpd without the module (mod_dbd and its pool
# kept) serves a static page under the same wrk load. Prints the children's
# memory both ways and the difference; exits non-zero when the private
# memory the module adds passes 4 MB. TL_BENCH_CACHE sets
# TiersLieuxCacheSize (4M by default; 0 measures the module without its
# kept pages). Not part of script/test.
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
source "$(dirname "$0")/lib.sh"
cd "$TL_ROOT"
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES wrk

export TL_RUN_DIR="$TL_ROOT/.run/bench-memory" TL_PORT=${TL_BENCH_PORT:-18098} TL_PG_PORT=${TL_BENCH_PG_PORT:-15442}
web="$TL_RUN_DIR/httpd"
pg="$TL_RUN_DIR/pg"
base="http://127.0.0.1:$TL_PORT"
seconds=${TL_BENCH_SECONDS:-10}

script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1' EXIT
script/network --scale "${TL_BENCH_SCALE:-1}" --demo | tail -n 1
tl_psql "$pg" tierslieux -q -c "SET client_min_messages = error" -c "VACUUM ANALYZE"

[ -z "${TL_BENCH_CACHE:-}" ] || echo "TiersLieuxCacheSize $TL_BENCH_CACHE" >"$web/extra/bench-cache.conf"
serve_static_copies
curl -sf "$base/tierslieux/outils" -o "$TL_RUN_DIR/static/catalogue.html"

keep_smaps() {   # NAME: the children's memory maps, kept for reading after the run
    local pid
    for pid in $(pgrep -P "$(cat "$web/httpd.pid")"); do cat /proc/"$pid"/smaps >"$TL_RUN_DIR/smaps-$1-$pid"; done
}
get() {   # URL [curl options]: fails the run on an answer other than 200
    curl -sf -o /dev/null "$@" || tl_die "$1 ne répond pas 200"
}
sql() { tl_psql "$pg" tierslieux -At -c "$1"; }
network="organisation_id IN (SELECT id FROM tl.organisation WHERE slug LIKE 'reseau-%')"
place=$(sql "SELECT p.slug FROM tl.item_count n JOIN tl.place p ON p.id = n.place_id WHERE p.$network
              GROUP BY p.slug ORDER BY sum(n.items) DESC, p.slug LIMIT 1")
shop=$(sql "SELECT p.slug FROM tl.place p WHERE EXISTS (SELECT 1 FROM tl.reuse_intake r WHERE r.place_id = p.id)
             ORDER BY (SELECT count(*) FROM tl.reuse_intake r WHERE r.place_id = p.id) DESC, p.slug LIMIT 1")
for u in / /lieux "/lieux/$place" /outils "/outils?lieu=$place" "/outils?tri=disponibles&page=20" \
         "/outils?q=perseuse" /graines /reparation /reparation.ics /ressourcerie "/ressourcerie?lieu=$shop"; do
    get "$base/tierslieux$u"
done
for _ in 1 2 3; do get "$base/tierslieux/reparation/ords.csv"; done

# At the desk, as the network's coordinator.
jar="$TL_RUN_DIR/cookies"
curl -sf -o /dev/null -c "$jar" --data-urlencode httpd_username=coordination.reseau \
     --data-urlencode httpd_password=Reseau-2026 --data-urlencode httpd_location=/tierslieux/guichet \
     "$base/tierslieux/connexion/verifier" || tl_die "connexion refusée"
for sheet in 1 2 3 4 5; do get "$base/tierslieux/guichet/etiquettes?lieu=$place&page=$sheet" -b "$jar"; done
get "$base/tierslieux/guichet/retards.csv?lieu=$place" -b "$jar"
get "$base/tierslieux/gestion/ressourcerie/bilan.csv?lieu=$shop&periode=annee" -b "$jar"

# The catalogue's mix, as tests/bench/mixed.sh asks for it.
urls=()
for n in 1 2 3 4 5; do urls+=("/tierslieux/outils?page=$n"); done
for q in perceuse scie tondeuse perseuse tondeusse; do urls+=("/tierslieux/outils?q=$q"); done
urls+=("/tierslieux/outils?dispo=1" "/tierslieux/outils?tri=recent" "/tierslieux/outils?lieu=$place&dispo=1")
{ printf 'URLS = {\n'; printf '  "%s",\n' "${urls[@]}"; printf '}\n'; cat tests/bench/mixed.lua; } >"$TL_RUN_DIR/mix.lua"
wrk -t1 -c24 -d"${seconds}s" -s "$TL_RUN_DIR/mix.lua" "$base" >/dev/null
read -r with_rss with_pss with_uss < <(workers_memory_kb)
keep_smaps with-module
pool=$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'tierslieux_web'")

without_module
rm -f "$web/extra/bench-cache.conf"
tl_httpd_stop "$web"
tl_httpd_start "$web"
wrk -t1 -c24 -d"${seconds}s" "$base/copie-statique/catalogue.html" >/dev/null
read -r base_rss base_pss base_uss < <(workers_memory_kb)
keep_smaps without-module

echo "memory per httpd child (kB)   with the module, after the network's answers   without it (mod_dbd kept)   added"
printf '  resident (RSS)             %10d %36d %10d\n' "$with_rss" "$base_rss" $((with_rss - base_rss))
printf '  proportional (PSS)         %10d %36d %10d\n' "$with_pss" "$base_pss" $((with_pss - base_pss))
printf '  private to the child       %10d %36d %10d  (target 4096)\n' "$with_uss" "$base_uss" $((with_uss - base_uss))
echo "database connections the child held then: $pool (mod_dbd keeps them DBDExptime seconds)"
[ $((with_uss - base_uss)) -le 4096 ] || tl_die "le module ajoute plus de 4 Mo par processus"
