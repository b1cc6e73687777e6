#!/usr/bin/env bash
# Peak resident memory of `kerasport predict` and `kerasport finetune` on keras.applications backbones with a new head
# (src/test/python/frozen_base_model.py: random weights, SIZExSIZEx3 inputs, a Dense head with l2), against issue 16's
# bound 2 x (model + one batch's activations) + 300 MB and against Keras (bench/train.py's own peak, the same work).
# "model" is the parameters' float32 bytes and "one batch's activations" the float32 bytes of every layer's output
# for one batch, both from Keras (bench/model_sizes.py). Peak RSS is /usr/bin/time's maximum resident set size of
# the whole process (JVM, native libraries, ND4J's off-heap arrays).
# Usage: bench/memory.sh [BASES (default mobilenetv2,resnet50,efficientnetb0)]
# Environment: ROWS (default 128), SIZE (default 64), BATCH (default 32), EPOCHS (default 2), KERASPORT_VENV.
# Writes bench/work/memory-DATE/ with machine.txt and summary.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bases=${1:-mobilenetv2,resnet50,efficientnetb0}
rows=${ROWS:-128}; size=${SIZE:-64}; batch=${BATCH:-32}; epochs=${EPOCHS:-2}
py=${KERASPORT_VENV:-$HOME/.cache/kerasport/venv}/bin/python
[ -f target/kerasport.jar ] && [ -d target/lib ] || mvn -q -B -DskipTests package
out=bench/work/memory-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
bin/kerasport --version > "$out/version.txt" 2>&1
{ date -Is; grep -m1 'model name' /proc/cpuinfo; echo "cpu family/model: $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2) / $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2)"
  nproc; grep blas: "$out/version.txt"; java -version 2>&1 | head -1
  echo "rows $rows, input ${size}x${size}x3, batch $batch, finetune epochs $epochs"; uptime; } > "$out/machine.txt"
{ echo "## memory: peak RSS (MB), ${size}x${size}, $rows rows, batch $batch"; echo; sed 's/^/    /' "$out/machine.txt"; echo
  echo "| model | params MB | one batch's activations MB | bound MB | Kerasport predict | Keras predict | Kerasport finetune (frozen base) | Keras fit (frozen base) |"
  echo "|---|---|---|---|---|---|---|---|"; } > "$out/summary.md"
for base in ${bases//,/ }; do
  work=bench/work/memory-models/$base-$size-$rows
  mkdir -p "$work"
  [ -f "$work/model.keras" ] || "$py" src/test/python/frozen_base_model.py "$work/model.keras" "$work/train.npz" "$work/val.npz" \
    --size "$size" --rows "$rows" --val-rows 8 --classes 10 --base "$base" > /dev/null
  [ -f "$work/x.npy" ] || "$py" -c "import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])['x'])" "$work/train.npz" "$work/x.npy"
  read -r pbytes abytes < <("$py" bench/model_sizes.py "$work/model.keras" "$batch")
  bound=$(( (2 * (pbytes + abytes)) / 1048576 + 300 ))
  peak() { /usr/bin/time -f "%M" -o "$out/$1.time" "${@:2}" > "$out/$1.log" 2>&1 || echo "error $?" >> "$out/$1.time"; echo $(( $(head -1 "$out/$1.time") / 1024 )); }
  kp=$(peak "$base-kerasport-predict" bin/kerasport predict "$work/model.keras" --input "$work/x.npy" -o "$out/$base-y.npz" --batch-size "$batch" --force)
  kr=$(peak "$base-keras-predict" "$py" -c "
import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np, keras
m = keras.saving.load_model(sys.argv[1]); m.predict(np.load(sys.argv[2]), batch_size=int(sys.argv[3]), verbose=0)" \
    "$work/model.keras" "$work/x.npy" "$batch")
  kf=$(peak "$base-kerasport-finetune" bin/kerasport finetune "$work/model.keras" --data "$work/train.npz" --epochs "$epochs" \
    --batch-size "$batch" --shuffle false --fresh-optimizer -o "$out/$base-ft.keras" --force)
  kt=$(peak "$base-keras-fit" "$py" bench/train.py "$work/model.keras" "$work/train.npz" --batch "$batch" --epochs "$epochs")
  echo "| $base | $((pbytes / 1048576)) | $((abytes / 1048576)) | $bound | $kp | $kr | $kf | $kt |" >> "$out/summary.md"
done
uptime >> "$out/machine.txt"
cat "$out/summary.md"
