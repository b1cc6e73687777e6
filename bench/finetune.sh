#!/usr/bin/env bash
# Fine-tuning benchmark: Kerasport against Keras 3 + TensorFlow on the same models, data and batches.
# Usage: bench/finetune.sh [ROUNDS (default 3)] [CASE...]   CASE: seed mlp cnn lstm (default all)
# Each round runs every case in both engines, alternating which engine goes first, round by round:
#   in-process: java FinetuneBench (FineTuner API after a JVM warm-up run) / python bench/train.py --bench
#   whole process (JVM/Python start, load, 4 epochs, save), under /usr/bin/time: bin/kerasport finetune / python bench/train.py
# Raw results go to bench/work/results-DATE/; the table (medians, min-max) is printed and written to summary.md there.
# Results go to bench/RESULTS.md by hand. Environment: KERASPORT_VENV (the real-Keras venv), TORCH_VENV (a venv
# with torch and numpy, default ~/.cache/kerasport/torch-venv: the PyTorch anchor, bench/torch_train.py; skipped
# when it does not exist).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-3}
shift || true
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(seed mlp cnn lstm)
py=${KERASPORT_VENV:-$HOME/.cache/kerasport/venv}/bin/python
torchpy=${TORCH_VENV:-$HOME/.cache/kerasport/torch-venv}/bin/python
[ -x "$torchpy" ] || { echo "no PyTorch venv at $torchpy: the PyTorch anchor is skipped" >&2; torchpy=""; }
epochs=4
declare -A batch=([seed]=32 [mlp]=128 [cnn]=64 [lstm]=64)
# seed continues the Adam state stored in the file; mlp and cnn were saved compiled but never fit, so their stored
# optimizer state is Keras 3's unbuilt one (iteration + learning rate), which Kerasport refuses without
# --fresh-optimizer; a fresh state is what Keras' load_model + fit starts from for them (zero moments, iteration 0).
declare -A fresh=([seed]="" [mlp]=fresh [cnn]=fresh [lstm]=fresh)

[ -f target/kerasport.jar ] && [ -d target/lib ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*" -d bench/classes bench/src/FinetuneBench.java
[ -f bench/work/lstm.npz ] || "$py" bench/make_models.py bench/work
out=bench/work/results-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
{ date -Is; lscpu; free -h; java -version 2>&1; "$py" -c 'import keras, tensorflow as tf; print("keras", keras.__version__, "tensorflow", tf.__version__)' 2>/dev/null
  [ -z "$torchpy" ] || "$torchpy" -c 'import torch; print("torch", torch.__version__, "threads", torch.get_num_threads())'; uptime; } > "$out/machine.txt"

# the launcher records its class-data-sharing archive on the first run after a build: do that untimed
bin/kerasport finetune bench/work/seed.keras --data bench/work/seed.npz --epochs 1 --shuffle false \
  -o "$out/cds-warm.zip" --force --quiet > /dev/null 2>&1
export OMP_WAIT_POLICY=PASSIVE   # as bin/kerasport sets them, for the in-process Java runs
cores=$(nproc); export OMP_NUM_THREADS=$(( cores > 2 ? cores - 1 : 1 ))

run_kerasport() { # case round
  local c=$1 r=$2
  java -cp "target/classes:target/lib/*:bench/classes" FinetuneBench bench/work/$c.keras bench/work/$c.npz \
    "${batch[$c]}" $epochs "$out/$c-kerasport-inproc-$r.json" ${fresh[$c]} > "$out/$c-kerasport-inproc-$r.log" 2>&1 \
    || echo "{\"engine\": \"kerasport\", \"error\": \"exit $?, see $c-kerasport-inproc-$r.log\"}" > "$out/$c-kerasport-inproc-$r.json"
  /usr/bin/time -f "%e %M" -o "$out/$c-kerasport-whole-$r.time" bin/kerasport finetune bench/work/$c.keras \
    --data bench/work/$c.npz --epochs $epochs --batch-size "${batch[$c]}" --shuffle false ${fresh[$c]:+--fresh-optimizer} \
    -o "$out/$c-kerasport-$r.zip" --force --quiet > "$out/$c-kerasport-whole-$r.log" 2>&1 \
    || echo "error $?" >> "$out/$c-kerasport-whole-$r.time"
}
run_keras() { # case round
  local c=$1 r=$2
  "$py" bench/train.py bench/work/$c.keras bench/work/$c.npz --batch "${batch[$c]}" --epochs $epochs \
    --bench "$out/$c-keras-inproc-$r.json" > "$out/$c-keras-inproc-$r.log" 2>&1 \
    || echo "{\"engine\": \"keras\", \"error\": \"exit $?, see $c-keras-inproc-$r.log\"}" > "$out/$c-keras-inproc-$r.json"
  /usr/bin/time -f "%e %M" -o "$out/$c-keras-whole-$r.time" "$py" bench/train.py bench/work/$c.keras bench/work/$c.npz \
    --batch "${batch[$c]}" --epochs $epochs --out "$out/$c-keras-$r.keras" > "$out/$c-keras-whole-$r.log" 2>&1 \
    || echo "error $?" >> "$out/$c-keras-whole-$r.time"
}

run_torch() { # case round
  local c=$1 r=$2
  [ -n "$torchpy" ] || return 0
  "$torchpy" bench/torch_train.py "$c" bench/work/$c.npz --batch "${batch[$c]}" --epochs $epochs \
    --bench "$out/$c-torch-inproc-$r.json" > "$out/$c-torch-inproc-$r.log" 2>&1 \
    || echo "{\"engine\": \"torch\", \"error\": \"exit $?, see $c-torch-inproc-$r.log\"}" > "$out/$c-torch-inproc-$r.json"
  /usr/bin/time -f "%e %M" -o "$out/$c-torch-whole-$r.time" "$torchpy" bench/torch_train.py "$c" bench/work/$c.npz \
    --batch "${batch[$c]}" --epochs $epochs --out "$out/$c-torch-$r.pt" > "$out/$c-torch-whole-$r.log" 2>&1 \
    || echo "error $?" >> "$out/$c-torch-whole-$r.time"
}

for r in $(seq 1 "$rounds"); do
  for c in "${cases[@]}"; do
    if [ $((r % 2)) -eq 1 ]; then run_keras "$c" "$r"; run_kerasport "$c" "$r"; run_torch "$c" "$r"
    else run_torch "$c" "$r"; run_kerasport "$c" "$r"; run_keras "$c" "$r"; fi
    echo "round $r/$rounds: $c done ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  done
done
uptime >> "$out/machine.txt"
python3 bench/summarize.py "$out" | tee "$out/summary.md"
