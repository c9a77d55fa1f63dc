#!/bin/sh
# Replays the ords fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_ords "${srcdir:-.}/tests/fuzz/corpus/ords"
