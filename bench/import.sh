#!/usr/bin/env bash
# Import time and peak memory per corpus model: Kerasport (read + DL4J mapping + weights) against DL4J 1.0.0-M2.1's
# own KerasModelImport, each model in a fresh JVM per tool (2 minutes at most: DL4J's importer can loop forever);
# prints a table for bench/RESULTS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
corpus=${1:-../shared/keras-corpus}
[ -f target/kerasport.jar ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*" -d bench/classes bench/src/ImportBench.java
export OMP_WAIT_POLICY=PASSIVE
printf "%-80s %12s %10s %12s %10s\n" model kerasport_ms kp_MB dl4j_ms dl4j_MB
# path and format columns (awk keeps empty fields, which read with a tab IFS would merge)
tail -n +2 "$corpus/MANIFEST.tsv" | awk -F'\t' '{print $1 "\t" $9}' | while IFS=$'\t' read -r path format; do
  case "$format" in
    keras-h5-full|keras-v3-zip) extra=() ;;
    weights-h5+json-arch:*) extra=("$corpus/$(dirname "$path")/${format#weights-h5+json-arch:}") ;;
    *) continue ;;
  esac
  row=("$path")
  for tool in kerasport dl4j; do
    out=$( { timeout 120 /usr/bin/time -f "rss=%M" java -Xlog:disable -XX:ErrorFile=${TMPDIR:-/tmp}/kerasport-bench-hs_err_%p.log -cp "target/classes:target/lib/*:bench/classes" \
             -Dorg.slf4j.simpleLogger.defaultLogLevel=error ImportBench "$tool" "$corpus/$path" "${extra[@]}" ; } 2>&1 || true )
    ms=$(grep -o 'ms=[0-9.]*' <<<"$out" | cut -d= -f2 || true)
    rss=$(grep -o 'rss=[0-9]*' <<<"$out" | tail -1 | cut -d= -f2 || true)
    err=$(grep -o 'error=.*' <<<"$out" | cut -c7-40 || true)
    rss=${rss:-0}
    grep -q 'rss=' <<<"$out" || ms=timeout
    row+=("${ms:-fail}" "$((rss / 1024))")
    [ -n "$err" ] && row[-2]="fail"
  done
  printf "%-80s %12s %10s %12s %10s\n" "${row[@]}"
done
