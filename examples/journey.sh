#!/usr/bin/env bash
# The whole journey: train in Keras (Python), fine-tune on the JVM (kerasport), keep training in Keras (Python).
# Usage: examples/journey.sh [WORK_DIR]   (uses the interop venv's Python: scripts/ensure-venv)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
python=$("$root/scripts/ensure-venv")
"$python" "$root/examples/train_keras.py" "$work"
"$root/bin/kerasport" inspect "$work/model.keras"
"$root/bin/kerasport" finetune "$work/model.keras" --data "$work/train.npz" --val "$work/val.npz" \
    --epochs 3 --l2-scale 2 -o "$work/tuned.keras" --quiet
"$python" "$root/examples/continue_in_keras.py" "$work/tuned.keras" "$work"
echo "journey done in $work"
