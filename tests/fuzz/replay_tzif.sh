#!/bin/sh
# Replays the TZif fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_tzif "${srcdir:-.}/tests/fuzz/corpus/tzif"
