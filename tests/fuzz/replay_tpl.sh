#!/bin/sh
# Replays the tpl fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_tpl "${srcdir:-.}/tests/fuzz/corpus/tpl"
