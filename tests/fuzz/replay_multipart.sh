#!/bin/sh
# Replays the multipart fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_multipart "${srcdir:-.}/tests/fuzz/corpus/multipart"
