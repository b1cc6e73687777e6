#!/usr/bin/env bash
# Transfer-learning benchmark: a frozen keras.applications base with a new head (the Keras guide's fine-tune), in Keras 3
# + TensorFlow and in Kerasport, whole process (start, load, fit, save) under /usr/bin/time, the engines alternating.
# Usage: bench/transfer.sh [ROUNDS (default 1)]
# Environment: ROWS (default 128), EPOCHS (default 3), SIZE (default 64), BATCH (default 32), BASE (mobilenetv2,
# resnet50 or efficientnetb0; default mobilenetv2), MODE (frozen, trainable or inference; default frozen),
# NOCACHE (default 1; 0 skips the --no-feature-cache runs), KERASPORT_VENV.
# The model: src/test/python/frozen_base_model.py (the base with weights=None, GlobalAveragePooling2D, Dense softmax
# head with l2, Adam, saved unfitted: both engines start a fresh optimizer). MODE frozen: every base layer frozen;
# trainable: the whole base trains, BatchNormalization in training mode; inference: the base trains, called with
# training=False. Kerasport runs twice per round: as shipped (frozen-prefix feature cache on where it applies) and
# with --no-feature-cache.
# Writes bench/work/transfer-DATE/ with machine.txt (CPU model, BLAS kernel, date, load) and summary.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-1}
rows=${ROWS:-128}; epochs=${EPOCHS:-3}; size=${SIZE:-64}; batch=${BATCH:-32}; base=${BASE:-mobilenetv2}; mode=${MODE:-frozen}
py=${KERASPORT_VENV:-$HOME/.cache/kerasport/venv}/bin/python
[ -f target/kerasport.jar ] && [ -d target/lib ] || mvn -q -B -DskipTests package
work=bench/work/transfer-$base-$mode-$size-$rows
mkdir -p "$work"
[ -f "$work/model.keras" ] || "$py" src/test/python/frozen_base_model.py "$work/model.keras" "$work/train.npz" "$work/val.npz" \
  --size "$size" --rows "$rows" --val-rows 32 --classes 10 --base "$base" --mode "$mode"
out=bench/work/transfer-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
bin/kerasport --version > "$out/version.txt" 2>&1
{ date -Is; grep -m1 'model name' /proc/cpuinfo; echo "cpu family/model: $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2) / $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2)"
  nproc; grep blas: "$out/version.txt"; java -version 2>&1 | head -1
  "$py" -c 'import keras, tensorflow as tf; print("keras", keras.__version__, "tensorflow", tf.__version__)' 2>/dev/null
  echo "$base, base $mode, rows $rows, epochs $epochs, input ${size}x${size}x3, batch $batch"; uptime; } > "$out/machine.txt"
# the launcher records its class-data-sharing archive on the first run after a build: do that untimed
bin/kerasport finetune "$work/model.keras" --data "$work/train.npz" --epochs 1 --batch-size "$batch" --fresh-optimizer \
  -o "$out/warm.zip" --force --quiet > /dev/null 2>&1 || true

run_keras() {
  /usr/bin/time -f "%e %M" -o "$out/keras-$1.time" "$py" bench/train.py "$work/model.keras" "$work/train.npz" \
    --batch "$batch" --epochs "$epochs" --out "$out/keras-$1.keras" > "$out/keras-$1.log" 2>&1 || echo "error $?" >> "$out/keras-$1.time"
}
run_kerasport() { # round, name, extra option
  /usr/bin/time -f "%e %M" -o "$out/$2-$1.time" bin/kerasport finetune "$work/model.keras" --data "$work/train.npz" \
    --epochs "$epochs" --batch-size "$batch" --shuffle false --fresh-optimizer ${3:+"$3"} -o "$out/$2-$1.keras" --force \
    > "$out/$2-$1.log" 2>&1 || echo "error $?" >> "$out/$2-$1.time"
}
for r in $(seq 1 "$rounds"); do
  nocache() { [ "${NOCACHE:-1}" = 0 ] || run_kerasport "$r" kerasport-nocache --no-feature-cache; }
  if [ $((r % 2)) -eq 1 ]; then run_keras "$r"; run_kerasport "$r" kerasport; nocache
  else nocache; run_kerasport "$r" kerasport; run_keras "$r"; fi
  echo "round $r/$rounds done ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
uptime >> "$out/machine.txt"
{ echo "## transfer: $base, base $mode, ${size}x${size}, $rows rows x $epochs epochs, batch $batch"
  echo; sed 's/^/    /' "$out/machine.txt"; echo
  echo "| round | engine | whole process (s) | peak RSS (MB) | per-epoch times (Kerasport's log) |"; echo "|---|---|---|---|---|"
  for f in "$out"/*.time; do
    b=$(basename "$f" .time); eng=${b%-*}; r=${b##*-}
    read -r t m _ < "$f" || true
    ep=$(grep -o 'epoch [0-9]*/[0-9]* - [0-9.]* s' "$out/$b.log" 2>/dev/null | awk '{print $4}' | paste -sd' ' || true)
    echo "| $r | $eng | $t | $((m / 1024)) | ${ep:-} |"
  done
  echo; grep -h "feature cache:" "$out"/kerasport-*.log | sort -u | sed 's/^ */    /'
} > "$out/summary.md"
cat "$out/summary.md"
