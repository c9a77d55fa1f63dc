#!/bin/sh
# Replays the hours fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_hours "${srcdir:-.}/tests/fuzz/corpus/hours"
