#!/usr/bin/env bash
# tests/fuzz/fuzz.sh [TARGET...] — the fuzz targets under AddressSanitizer
# and UndefinedBehaviorSanitizer (`make fuzz`, and script/test after the
# unit tests). Builds them with clang apart from the module (fuzz.mk, into
# tests/fuzz/out/build), replays every committed corpus, then runs each
# target with libFuzzer for TL_FUZZ_SECONDS (60; 0 replays only), starting
# from its corpus, TL_FUZZ_JOBS targets at a time (2). Exits non-zero on any
# crash, leak, undefined behaviour, timeout or excess of memory.
#
# All it writes stays in tests/fuzz/out/ (ignored): new inputs in
# corpus/TARGET/, crash artifacts in crashes/TARGET/ (kept; a failure
# prints their path), libFuzzer's logs in logs/. An artifact is replayed with
#   tests/fuzz/out/build/replay_TARGET ARTIFACT
# and, once the bug is fixed, goes into tests/fuzz/corpus/TARGET/.
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${TL_FUZZ_OUT:-$src/tests/fuzz/out}
seconds=${TL_FUZZ_SECONDS:-60}
jobs=${TL_FUZZ_JOBS:-2}
all_targets=(csv form hours image multipart ords query sigb tpl tzif)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

say() { printf '%s\n' "$*"; }
die() { printf 'erreur : %s\n' "$*" >&2; exit 1; }

[[ $seconds =~ ^[0-9]+$ ]] || die "TL_FUZZ_SECONDS doit être un nombre de secondes ($seconds)"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "TL_FUZZ_JOBS doit être un entier positif ($jobs)"
for t in "${targets[@]}"; do
    [ -f "$src/tests/fuzz/fuzz_$t.c" ] || die "cible inconnue : $t (cibles : ${all_targets[*]})"
done

# Debian 12's clang-14 with libFuzzer (package libclang-rt-14-dev).
cc=${TL_FUZZ_CC:-$(command -v clang-14 || command -v clang)} ||
    die "clang introuvable : apt-get install clang-14 libclang-rt-14-dev"

start=$SECONDS
mkdir -p "$out/logs"
binaries=()
for t in "${targets[@]}"; do
    binaries+=("$out/build/replay_$t" "$out/build/fuzz_$t")
done
if ! make -s -j"$jobs" -f "$src/tests/fuzz/fuzz.mk" SRC="$src" OUT="$out/build" CC="$cc" "${binaries[@]}" \
        >"$out/logs/build.log" 2>&1; then
    cat "$out/logs/build.log"
    die "la compilation des cibles de fuzzing a échoué (libclang-rt-14-dev manque-t-il ?)"
fi

# Sanitizer reports name the source line; leaks are reported too (LSan).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0

# ---- the committed corpora, each input once --------------------------------
for t in "${targets[@]}"; do
    inputs=("$src/tests/fuzz/corpus/$t")
    [ "$t" = tpl ] && inputs+=("$src/templates/fr" "$src/templates/fr/partials")
    if result=$("$out/build/replay_$t" "${inputs[@]}" 2>"$out/logs/replay_$t.log"); then
        say "rejeu $t : ${result%% *} entrées sans erreur (ASan, UBSan)"
    else
        cat "$out/logs/replay_$t.log"
        say "rejeu $t : ÉCHEC (rapport ci-dessus)"
        failed=1
    fi
done

# ---- libFuzzer, TL_FUZZ_JOBS targets at a time -------------------------------
# fuzz_one TARGET: runs it, writes its verdict line into logs/TARGET.result.
fuzz_one() {
    local t=$1 log crashes runs rc
    log="$out/logs/fuzz_$t.log" crashes="$out/crashes/$t"
    mkdir -p "$out/corpus/$t" "$crashes"
    # The first folder receives the new inputs; the committed corpus is read only.
    "$out/build/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" \
        "$out/corpus/$t" "$src/tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        printf 'fuzz %s : %s exécutions en %s s, aucune erreur\n' "$t" "${runs:-?}" "$seconds"
    else
        printf 'fuzz %s : ÉCHEC après %s exécutions (code %s, journal %s)\n' "$t" "${runs:-?}" "$rc" "$log"
        grep -E '^==[0-9]+== ?ERROR|^SUMMARY|runtime error:|^ *#[0-9]+ .* in .*(mod_tierslieux/core|tests/fuzz)/[a-z_]+\.c:' \
            "$log" | head -n 8
        sed -n 's/.*Test unit written to /  entrée gardée : /p' "$log"
    fi >"$out/logs/$t.result"
    return $rc
}

if [ "$seconds" -gt 0 ]; then
    pids=()
    for ((lane = 0; lane < jobs; lane++)); do
        (
            lane_failed=0
            for ((i = lane; i < ${#targets[@]}; i += jobs)); do
                fuzz_one "${targets[i]}" || lane_failed=1
            done
            exit $lane_failed
        ) &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    for t in "${targets[@]}"; do
        cat "$out/logs/$t.result"
    done
fi

if [ $failed -eq 0 ]; then
    say "fuzzing : ${#targets[@]} cibles sans erreur en $((SECONDS - start)) s"
else
    say "fuzzing : ÉCHEC en $((SECONDS - start)) s (entrées et journaux dans ${out#"$src/"})"
fi
exit $failed
