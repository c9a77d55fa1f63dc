#!/bin/sh
# Replays the tpl fuzz corpus (make check), without libFuzzer, and the
# project's own templates as inputs too.
s=${srcdir:-.}
exec ./tests/fuzz/replay_tpl "$s/tests/fuzz/corpus/tpl" "$s/templates/fr" "$s/templates/fr/partials"
