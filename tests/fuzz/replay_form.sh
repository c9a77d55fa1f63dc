#!/bin/sh
# Replays the form fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_form "${srcdir:-.}/tests/fuzz/corpus/form"
