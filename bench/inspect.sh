#!/usr/bin/env bash
# Inspect speed on every corpus model: in-JVM time per call (first and warm), plus whole-process wall time
# of bin/kerasport inspect on the largest model. Prints a table; results go to bench/RESULTS.md by hand.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -f target/kerasport.jar ] || mvn -q -B -DskipTests package
mkdir -p bench/classes
javac -cp "target/classes:target/lib/*" -d bench/classes bench/src/InspectBench.java
java -cp "target/classes:target/lib/*:bench/classes" InspectBench "${1:-../shared/keras-corpus}"
big=$(ls -S ../shared/keras-corpus/*/*.h5 | head -1)
echo "whole process, bin/kerasport inspect $big (5 runs):"
for i in 1 2 3 4 5; do /usr/bin/time -f "%e s wall, %M KB max RSS" bin/kerasport inspect "$big" > /dev/null; done
