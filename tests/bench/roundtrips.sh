#!/usr/bin/env bash
# tests/bench/roundtrips.sh — how many times httpd writes to PostgreSQL to
# render each public page once (uncached): libpq sends one message batch per
# query, or one per pipeline of reads (tl_db_views). strace counts httpd's
# sendto() calls carrying a query, the shared data-version check left out.
# Prints "COUNT PATH" per page. Not part of script/test.
#   TL_RT_PORT (18095), TL_RT_PG_PORT (15439): the demo servers' ports.
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
tl_install_packages $TL_PACKAGES strace

export TL_RUN_DIR="$TL_ROOT/.run/roundtrips" TL_PORT=${TL_RT_PORT:-18095} TL_PG_PORT=${TL_RT_PG_PORT:-15439}
base="http://127.0.0.1:$TL_PORT"
trace=$(mktemp)
script/server stop >/dev/null 2>&1 || true
script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1; rm -f "$trace"' EXIT
args=()
web=$(readlink -f "$TL_RUN_DIR/httpd")
for p in $(pgrep -f "apache2 -d ($TL_RUN_DIR|$web)( |/)" || true); do args+=(-p "$p"); done
[ ${#args[@]} -gt 0 ] || tl_die "httpd du banc introuvable"
n=0
for page in "/tierslieux/" "/tierslieux/outils?q=scie" "/tierslieux/graines?q=tomate" "/tierslieux/graines/1" \
            "/tierslieux/lieux/la-fabrique" "/tierslieux/reparation?lieu=" "/tierslieux/ressourcerie?lieu="; do
    n=$((n + 1))
    curl -s -o /dev/null "$base$page"                   # connections made, version read
    case "$page" in *\?*) again="$page&rt=$n" ;; *) again="$page?rt=$n" ;; esac
    strace -f -qq -e trace=sendto -o "$trace" "${args[@]}" &
    tracer=$!
    sleep 1
    curl -s -o /dev/null "$base$again"                  # another URL: rendered, not reused
    sleep 0.5
    kill "$tracer"
    wait "$tracer" 2>/dev/null || true
    echo "$(grep 'sendto([0-9]*, "P' "$trace" | grep -vc 'sum(version)' || true) $page"
done
