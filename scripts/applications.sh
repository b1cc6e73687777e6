#!/usr/bin/env bash
# Every keras.applications model of Keras 3.15, end to end through the kerasport command line against real Keras
# (src/test/python/applications_matrix.py): weights=None at the smallest input Keras allows, include_top=False under
# a new head (and include_top=True for the smallest of each family), as .keras and .h5: predict, one epoch of
# `finetune --shuffle false` whose export real Keras loads and compares with its own load_model + fit on the same
# batches, and export of both forms loaded by real Keras. Writes one row per model to bench/applications.tsv (a new
# measurement replaces the model's row) and renders README's "keras.applications coverage" table from it.
# Not part of scripts/test (ApplicationsKerasTest holds one model per family there); hours for all of them on
# 2 cores. Cheapest first, so a run cut short (STOP_AT) has measured the most; what was not run stays "not measured".
#
#   scripts/applications.sh                          all of them
#   scripts/applications.sh MobileNet,VGG16+top      some (names: scripts/applications.sh --list)
#   STOP_AT=01:30 scripts/applications.sh            start no model after 01:30 (UTC, `date +%H:%M`)
#   TIMEOUT=1800                                     seconds per kerasport command (default 1800)
#   scripts/applications.sh --junit densenet121,...  the older route: ApplicationsKerasTest with those backbones
#                                                    (-Dkerasport.applications; KEEP=DIR keeps the generated cases)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=$(scripts/ensure-venv)
matrix=src/test/python/applications_matrix.py
if [ "${1:-}" = "--list" ]; then exec "$python" "$matrix" list; fi
if [ "${1:-}" = "--junit" ]; then
  apps=${2:-all}
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    "$python" src/test/python/applications_cases.py "$KEEP" --apps "$apps"
    exec mvn -B --no-transfer-progress -Dkerasport.python="$python" -Dkerasport.applications.dir="$KEEP" \
      -Dtest=ApplicationsKerasTest -Dsurefire.failIfNoSpecifiedTests=false test
  fi
  exec mvn -B --no-transfer-progress -Dkerasport.python="$python" -Dkerasport.applications="$apps" \
    -Dtest=ApplicationsKerasTest -Dsurefire.failIfNoSpecifiedTests=false test
fi
variants=$("$python" "$matrix" list --set "${1:-all}")
work=${WORK:-$root/target/applications}
tsv=$root/bench/applications.tsv
mkdir -p "$work"
[ -f target/kerasport.jar ] || bin/kerasport --help >/dev/null
for v in $variants; do
  if [ -n "${STOP_AT:-}" ] && [[ "$(date -u +%H:%M)" > "$STOP_AT" ]]; then
    echo "applications: $(date -u +%H:%M) is past STOP_AT=$STOP_AT; $v and later not measured" >&2
    break
  fi
  echo "applications: $v" >&2
  "$python" "$matrix" measure "$v" --work "$work" --kerasport "$root/bin/kerasport" --tsv "$tsv" \
    --timeout "${TIMEOUT:-1800}" 2> >(grep -v -i 'warning\|legacy\|saveable\.' >&2) \
    || echo "applications: $v failed in Keras' part (see above); its row stays incomplete" >&2
done
"$python" "$matrix" render --tsv "$tsv" --readme README.md
