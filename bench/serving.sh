#!/usr/bin/env bash
# Serving latency, one row at a time, warm: Kerasport's Java API (bench/src/ServingBench.java: Dl4jModel.load, then
# graph.output on one row) against Keras 3 + TensorFlow's model(x) (the eager call) and model.predict(x), median and
# 99th percentile over CALLS calls after WARM untimed ones, the engines alternating per model.
# Models: the bench MLPs/CNN/LSTM of bench/make_models.py (bench/work/models, made by bench/finetune.sh) when
# present, and the keras.applications backbones MobileNetV2 alpha=0.35 and ResNet50 with a new head at SIZExSIZE
# (src/test/python/frozen_base_model.py).
# Usage: bench/serving.sh   Environment: CALLS (default 200), WARM (default 50), SIZE (default 64), KERASPORT_VENV.
# Writes bench/work/serving-DATE/ with machine.txt and summary.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
calls=${CALLS:-200}; warm=${WARM:-50}; size=${SIZE:-64}
py=${KERASPORT_VENV:-$HOME/.cache/kerasport/venv}/bin/python
[ -f target/kerasport.jar ] && [ -d target/lib ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*" -d bench/classes bench/src/ServingBench.java
out=bench/work/serving-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
bin/kerasport --version > "$out/version.txt" 2>&1
{ date -Is; grep -m1 'model name' /proc/cpuinfo; echo "cpu family/model: $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2) / $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2)"
  nproc; grep blas: "$out/version.txt"; java -version 2>&1 | head -1; echo "calls $calls after $warm warm-up calls"; uptime; } > "$out/machine.txt"
models=()
for m in bench/work/models/*.keras; do [ -f "$m" ] && models+=("$m"); done
for base in mobilenetv2 resnet50; do
  work=bench/work/memory-models/$base-$size-128
  mkdir -p "$work"
  [ -f "$work/model.keras" ] || "$py" src/test/python/frozen_base_model.py "$work/model.keras" "$work/train.npz" "$work/val.npz" \
    --size "$size" --rows 128 --val-rows 8 --classes 10 --base "$base" > /dev/null
  models+=("$work/model.keras")
done
# the launcher's native choices (BLAS kernel by instruction set, threads) for the Java API run too
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
{ echo "## serving: one row, warm, median / p99 ms"; echo; sed 's/^/    /' "$out/machine.txt"; echo
  echo "| model | Kerasport Java API | Keras model(x) | Keras predict(x) |"; echo "|---|---|---|---|"; } > "$out/summary.md"
for m in "${models[@]}"; do
  name=$(basename "$(dirname "$m")")/$(basename "$m" .keras)
  x="$out/$(echo "$name" | tr / _)-x.npy"
  "$py" -c "
import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np, keras
m = keras.saving.load_model(sys.argv[1], compile=False)
shape = [d if d is not None else 8 for d in m.inputs[0].shape[1:]]
np.save(sys.argv[2], np.random.default_rng(1).uniform(-1, 1, [16] + shape).astype('float32'))" "$m" "$x"
  kp=$(java -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "target/classes:target/lib/*:bench/classes" \
    ServingBench "$m" "$x" "$calls" "$warm" 2>/dev/null | grep median_ms || echo "error")
  kr=$("$py" -c "
import os, sys, time; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np, keras
m = keras.saving.load_model(sys.argv[1], compile=False); x = np.load(sys.argv[2]); calls, warm = int(sys.argv[3]), int(sys.argv[4])
for how in ('call', 'predict'):
    t = []
    for i in range(warm + calls):
        r = x[i % len(x)][None]
        t0 = time.perf_counter()
        y = np.asarray(m(r, training=False)) if how == 'call' else m.predict(r, verbose=0)
        if i >= warm: t.append((time.perf_counter() - t0) * 1e3)
    t.sort(); print('median_ms=%.3f p99_ms=%.3f' % (t[len(t) // 2], t[int(np.ceil(len(t) * 0.99)) - 1]))" "$m" "$x" "$calls" "$warm")
  fmt() { sed -E 's/median_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \/ \2/'; }
  echo "| $name | $(echo "$kp" | fmt) | $(echo "$kr" | sed -n 1p | fmt) | $(echo "$kr" | sed -n 2p | fmt) |" >> "$out/summary.md"
done
uptime >> "$out/machine.txt"
cat "$out/summary.md"
