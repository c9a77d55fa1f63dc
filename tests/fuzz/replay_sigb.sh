#!/bin/sh
# Replays the sigb fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_sigb "${srcdir:-.}/tests/fuzz/corpus/sigb"
