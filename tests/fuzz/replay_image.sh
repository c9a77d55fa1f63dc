#!/bin/sh
# Replays the image header fuzz corpus (make check), without libFuzzer.
exec ./tests/fuzz/replay_image "${srcdir:-.}/tests/fuzz/corpus/image"
