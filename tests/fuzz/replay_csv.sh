#!/bin/sh
# Replays the csv fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_csv "${srcdir:-.}/tests/fuzz/corpus/csv"
