#!/usr/bin/env bash
# tests/bench/run.sh — the catalogue page against a static copy of the same
# HTML on the same httpd, in one run, with wrk from a second process on
# loopback. Prints both rates, their ratio, p99 latencies, and the resident
# memory the module adds per httpd worker; exits non-zero when any request
# failed (an answer other than 2xx or 3xx, a socket error, a timeout). Not
# part of script/test.
#   TL_BENCH_SECONDS (10) per measurement, TL_BENCH_CONNECTIONS (24),
#   TL_BENCH_THREADS (1) of wrk. 24 connections: when a process holds more
#   busy connections than threads the event MPM closes idle keep-alive
#   ones that wrk has just reused — socket errors on the static copy as
#   much as on our page, which would measure the configuration, not the
#   module.
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
source "$(dirname "$0")/lib.sh"
cd "$TL_ROOT"
tl_install_packages $TL_PACKAGES wrk

seconds=${TL_BENCH_SECONDS:-10}
conns=${TL_BENCH_CONNECTIONS:-24}
threads=${TL_BENCH_THREADS:-1}   # on two cores, a second wrk thread takes what the server needs
export TL_RUN_DIR="$TL_ROOT/.run/bench" TL_PORT=${TL_BENCH_PORT:-18090} TL_PG_PORT=${TL_BENCH_PG_PORT:-15434}
web="$TL_RUN_DIR/httpd"
page="/tierslieux/outils?dispo=1"          # 30 items on the page, a filter applied
base="http://127.0.0.1:$TL_PORT"

script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1' EXIT

# The static copy, byte for byte, served by the same httpd.
serve_static_copies
curl -sf "$base$page" -o "$TL_RUN_DIR/static/catalogue.html"
items=$(grep -c 'class="tl-card"' "$TL_RUN_DIR/static/catalogue.html")
curl -sf "$base/copie-statique/catalogue.html" -o /dev/null

# bench_wrk ARGS...: wrk's report. A failed request (wrk prints these lines
# only then) or a failed wrk is shown and written down, and the run fails at
# the end.
failures="$TL_RUN_DIR/wrk-failures"
bench_wrk() {
    local out found
    if out=$(wrk "$@" 2>&1); then
        found=$(grep -E '^ *(Non-2xx or 3xx responses|Socket errors):' <<<"$out" || true)
    else
        found=$out
    fi
    if [ -n "$found" ]; then
        printf 'requêtes en échec sur %s :\n%s\n' "${*: -1}" "$found" | tee -a "$failures" >&2
    fi
    printf '%s\n' "$out"
}

measure() {   # prints "rate p99_ms"
    local out rate p99
    out=$(bench_wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "$1")
    rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
    echo "$rate $p99"
}

bench_wrk -t"$threads" -c"$conns" -d2s "$base$page" >/dev/null          # warm up both
bench_wrk -t"$threads" -c"$conns" -d2s "$base/copie-statique/catalogue.html" >/dev/null
read -r dyn_rate dyn_p99 < <(measure "$base$page")
read -r sta_rate sta_p99 < <(measure "$base/copie-statique/catalogue.html")
read -r with_rss with_pss with_uss < <(workers_memory_kb)

# The same httpd without the module, serving the same static file under the
# same load: once keeping mod_dbd and its PostgreSQL pool (a site that
# already uses them), once without them either.
baseline() {
    tl_httpd_stop "$web"
    tl_httpd_start "$web"
    bench_wrk -t"$threads" -c"$conns" -d"${seconds}s" "$base/copie-statique/catalogue.html" >/dev/null
    workers_memory_kb
}
without_module
read -r dbd_rss dbd_pss dbd_uss < <(baseline)
sed -i 's|^Include "\(.*\)/dbd-only.conf"|#&|' "$web/httpd.conf"
read -r without_rss without_pss without_uss < <(baseline)

size=$(stat -c %s "$TL_RUN_DIR/static/catalogue.html")
echo "page: $page ($items items, $size bytes); wrk $threads threads, $conns connections, ${seconds}s each"
printf 'catalogue (mod_tierslieux): %10.0f req/s   p99 %6.2f ms\n' "$dyn_rate" "$dyn_p99"
printf 'static copy (same httpd):   %10.0f req/s   p99 %6.2f ms\n' "$sta_rate" "$sta_p99"
awk -v d="$dyn_rate" -v s="$sta_rate" 'BEGIN { printf "ratio catalogue / static:   %10.2f\n", d / s }'
echo "memory per worker (kB)   with module  without (mod_dbd kept)  without either"
printf '  resident (RSS)          %8d  %8d (+%d)        %8d (+%d)\n' "$with_rss" "$dbd_rss" $((with_rss - dbd_rss)) "$without_rss" $((with_rss - without_rss))
printf '  proportional (PSS)      %8d  %8d (+%d)        %8d (+%d)\n' "$with_pss" "$dbd_pss" $((with_pss - dbd_pss)) "$without_pss" $((with_pss - without_pss))
printf '  private to the worker   %8d  %8d (+%d)        %8d (+%d)\n' "$with_uss" "$dbd_uss" $((with_uss - dbd_uss)) "$without_uss" $((with_uss - without_uss))
[ ! -s "$failures" ] || tl_die "des requêtes ont échoué (ci-dessus) : les mesures ne valent rien"
