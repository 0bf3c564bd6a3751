#!/usr/bin/env bash
# Spark local mode beside `sbgan-cli generate` on one machine, same bundle, same count, alternately in one run.
# usage: scripts/bench-spark.sh [MODEL] [COUNT] [ROUNDS]   (default: runs/tiny/model 10000 3)
# Prints one JSON line per run and the medians; all encode the same three PNGs per scene (generate: Cityscapes tree; Spark: Parquet with --color-maps, and
# the Cityscapes tree), so the numbers include encoding and writing. Spark runs with master local[C] (C = cores),
# one ONNX Runtime thread per task; generate with --threads C.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-runs/tiny/model}; COUNT=${2:-10000}; ROUNDS=${3:-3}
CORES=$(nproc)
[ -f "$MODEL/model.json" ] || { echo "error: $MODEL: no model bundle (run ./sbgan-cli train --stage all first)" >&2; exit 1; }
mvn -B -q -DskipTests install -pl spark,cli -am >/dev/null
CP=spark/target/sbgan-spark.jar:$(mvn -B -q -Dstyle.color=never -pl spark dependency:build-classpath -Dmdep.includeScope=provided -Dmdep.outputFile=/dev/stdout)
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
 --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
 --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
rate() { /usr/bin/python3 -c "import sys; print(round(float(sys.argv[1]) / float(sys.argv[2]), 1))" "$COUNT" "$1"; }
# prints "WALL_SECONDS INNER_RATE": wall time including the JVM's start, and the rate the command itself reports
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >"$OUT/out" 2>"$OUT/err" || { cat "$OUT/err" >&2; exit 1; }; t1=$(date +%s.%N)
  echo "$(/usr/bin/python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$t0" "$t1") $(grep -o '([0-9.]* scenes/s)' "$OUT/out" | tr -d '(' | cut -d' ' -f1)"; }
gen() { rm -rf "$OUT/g"; timed java -jar cli/target/sbgan-cli.jar generate --model "$MODEL" --count "$COUNT" --threads "$CORES" --progress lines --out "$OUT/g"; }
spark() { rm -rf "$OUT/s"; timed java -Xmx4g $OPENS -Dspark.master="local[$CORES]" -Dspark.ui.enabled=false -cp "$CP" org.sbgan.spark.GenerateJob \
  --model "$MODEL" --count "$COUNT" --out "$OUT/s" --format "$1" --partitions "$((CORES * 4))" --color-maps; }
for r in $(seq 1 "$ROUNDS"); do
  for impl in generate spark-parquet spark-cityscapes; do
    case $impl in generate) t=$(gen);; spark-parquet) t=$(spark parquet);; spark-cityscapes) t=$(spark cityscapes);; esac
    read -r s inner <<<"$t"
    echo "{\"round\": $r, \"impl\": \"$impl\", \"count\": $COUNT, \"cores\": $CORES, \"wall_s\": $s, \"wall_scenes_per_s\": $(rate "$s"), \"scenes_per_s\": ${inner:-null}}" | tee -a "$OUT/runs.jsonl"
  done
done
/usr/bin/python3 - "$OUT/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
for impl in ("generate", "spark-parquet", "spark-cityscapes"):
    mine = [r for r in runs if r["impl"] == impl]
    inner = statistics.median(r["scenes_per_s"] for r in mine)
    wall = statistics.median(r["wall_scenes_per_s"] for r in mine)
    print(f"{impl:17s} median {inner:7.1f} scenes/s as reported, {wall:7.1f} scenes/s by wall time incl. JVM start ({len(mine)} runs)")
PY
