#!/usr/bin/env bash
# tests/bench/desk.sh — check-out + check-in round trips per second at the
# desk: logged in, with CSRF tokens, through httpd, into a PostgreSQL with
# durable settings (fsync and synchronous_commit on, the defaults). Not part
# of script/test. TL_BENCH_SECONDS (15), TL_BENCH_CLIENTS (8 desks).
set -euo pipefail
source "$(dirname "$0")/../../script/lib.sh"
cd "$TL_ROOT"
# What the benchmark runs (python3-requests, wrk) on a fresh machine too.
tl_install_packages $TL_PACKAGES $TL_TEST_PACKAGES || exit 1
seconds=${TL_BENCH_SECONDS:-15}
clients=${TL_BENCH_CLIENTS:-8}
export TL_RUN_DIR="$TL_ROOT/.run/bench-desk" TL_PORT=${TL_BENCH_PORT:-18091} TL_PG_PORT=${TL_BENCH_PG_PORT:-15435}
script/server stop >/dev/null 2>&1 || true
rm -rf "$TL_RUN_DIR"
TL_PG_FSYNC=${TL_PG_FSYNC:-on} script/server --background >/dev/null 2>&1
trap 'script/server stop >/dev/null 2>&1' EXIT
pg="$TL_RUN_DIR/pg"
echo "PostgreSQL: fsync=$(tl_psql "$pg" tierslieux -At -c 'SHOW fsync'), synchronous_commit=$(tl_psql "$pg" tierslieux -At -c 'SHOW synchronous_commit')"
# Items anyone may lend right now, one per client; a member with nothing late.
items=$(tl_psql "$pg" tierslieux -At -c "
    SELECT string_agg(code, ',') FROM (
      SELECT i.code FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
       WHERE a.state = 'disponible' AND (i.safety_check_days IS NULL
             OR i.last_safety_check + i.safety_check_days >= current_date)
       ORDER BY i.code LIMIT $clients) t")
member=$(tl_psql "$pg" tierslieux -At -c "
    SELECT member_number FROM tl.member m WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = m.id
      AND b.kind = 'pret' AND b.returned_at IS NULL AND b.due_on < current_date) ORDER BY 1 LIMIT 1")
base="http://127.0.0.1:$TL_PORT"
jar="$TL_RUN_DIR/cookies"
curl -s -c "$jar" -o /dev/null --data "httpd_username=admin.reseau&httpd_password=Semis-2026&httpd_location=/tierslieux/guichet" \
     "$base/tierslieux/connexion/verifier"
cookie="tierslieux_session=$(awk '$6 == "tierslieux_session" {print $7}' "$jar")"
[ "$cookie" != tierslieux_session= ] || tl_die "la connexion au guichet a échoué"
form_token() { curl -s -b "$cookie" "$base$1" | sed -n 's/.*name="jeton" value="\([^"]*\)".*/\1/p' | head -n 1; }
lend_token=$(form_token /tierslieux/guichet/pret)
return_token=$(form_token /tierslieux/guichet/retour)
# wrk itself is light, so the two cores go to httpd and PostgreSQL: one
# thread and one connection per desk.
{
    echo "COOKIE = \"$cookie\""
    echo "LEND_TOKEN = \"$lend_token\""
    echo "RETURN_TOKEN = \"$return_token\""
    echo "MEMBER = \"$member\""
    echo "ITEMS = { \"$(sed 's/,/", "/g' <<<"$items")\" }"
    cat tests/bench/desk.lua
} >"$TL_RUN_DIR/desk.lua"
# desk.lua's done() exits non-zero when any request failed.
failed=0
wrk -t"$clients" -c"$clients" -d"${seconds}s" -s "$TL_RUN_DIR/desk.lua" "$base" >"$TL_RUN_DIR/wrk.txt" || failed=1
tail -n 1 "$TL_RUN_DIR/wrk.txt"
echo "loans in the database: $(tl_psql "$pg" tierslieux -At -c "SELECT count(*) FROM tl.booking WHERE lent_by IS NOT NULL"), open: $(tl_psql "$pg" tierslieux -At -c "SELECT count(*) FROM tl.booking WHERE lent_by IS NOT NULL AND returned_at IS NULL")"
[ $failed -eq 0 ] || tl_die "des requêtes ont échoué : la mesure ne vaut rien (sortie de wrk : $TL_RUN_DIR/wrk.txt)"
