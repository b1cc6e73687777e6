#!/usr/bin/env bash
# Per-step overhead of finetune on Spark (the synchronous step, org.kerasport.spark.SparkGradients) against the local
# step, in one JVM (FineTuner API, after a warm-up run of each engine): bench/src/SparkStepBench.java.
# Usage: bench/spark.sh [MASTER (default local[2])] [K... (default 1 2)]
# Cases: the seed MLP (41 parameters, batch 32, 1024 rows: 32 steps) and the bench MLP 784-512-512-10 (669 706
# parameters, batch 128, 2048 rows: 16 steps; bench/make_models.py, real Keras). Output: one line per engine and case, ms per step (median of 3 runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
master=${1:-local[2]}
shift || true
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(1 2)
py=${KERASPORT_VENV:-$HOME/.cache/kerasport/venv}/bin/python
[ -f target/kerasport.jar ] && [ -d target/spark-lib ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*:target/spark-lib/*" -d bench/classes bench/src/SparkStepBench.java
[ -f bench/work/mlp.npz ] || "$py" bench/make_models.py bench/work
opens=(-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
uptime
run() { java "${opens[@]}" -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/classes:target/classes:target/lib/*:target/spark-lib/*" SparkStepBench "$@" 2>/dev/null; }
run bench/work/seed.keras bench/work/seed.npz 32 1 "$master" "${ks[@]}" --rows=1024
run bench/work/mlp.keras bench/work/mlp.npz 128 1 "$master" "${ks[@]}" --fresh --rows=2048
uptime
