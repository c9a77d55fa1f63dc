#!/bin/sh
# Replays the query fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_query "${srcdir:-.}/tests/fuzz/corpus/query"
