#!/usr/bin/env bash
# Export time and peak memory (read + write a Keras 3 .keras) for the largest corpus models, each in a fresh JVM.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
corpus=${1:-../shared/keras-corpus}
[ -f target/kerasport.jar ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*" -d bench/classes bench/src/ImportBench.java
printf "%-70s %10s %10s %10s\n" model MB export_ms max_RSS_MB
for f in $(ls -S "$corpus"/*/*.h5 "$corpus"/*/*/*.h5 "$corpus"/*/*.keras 2>/dev/null | grep -v inputs_and_outputs | head -8); do
  out=$( { timeout 120 /usr/bin/time -f "rss=%M" java -cp "target/classes:target/lib/*:bench/classes" \
           -Dorg.slf4j.simpleLogger.defaultLogLevel=error ImportBench export "$f" ; } 2>&1 || true )
  ms=$(grep -o 'ms=[0-9.]*' <<<"$out" | cut -d= -f2 || true)
  rss=$(grep -o 'rss=[0-9]*' <<<"$out" | tail -1 | cut -d= -f2 || echo 0)
  printf "%-70s %10.1f %10s %10s\n" "${f#$corpus/}" "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)" "${ms:-fail}" "$((${rss:-0} / 1024))"
done
