#!/usr/bin/env bash
# Before/after of one change, measured side by side: two builds of sbgan-cli (jars) run `bench train` / `bench
# generate` alternately, PAIRS times per case, the order swapped every pair; prints the median of each side and the
# median of the per-pair ratios (docs/BENCHMARKS.md). Short runs in many pairs keep both sides of a pair in the same
# phase of a noisy machine.
# Usage: [PAIRS=8] [STEPS=8] [CASES="tiny:seg tiny:spade tiny:e2e"] scripts/bench-ab.sh BEFORE.jar AFTER.jar
set -euo pipefail
[ $# = 2 ] || { echo "usage: scripts/bench-ab.sh BEFORE.jar AFTER.jar" >&2; exit 2; }
PAIRS=${PAIRS:-8}
STEPS=${STEPS:-8}
THREADS=${THREADS:-2}
CASES=${CASES:-tiny:seg tiny:spade tiny:e2e}
PY=${PY:-python3}

one() { # jar preset stage -> median ms of the run
  if [ "$3" = generate ]; then
    java -jar "$1" bench generate --preset "$2" --threads "$THREADS" --scenes 32 --repeats 3 --json 2>/dev/null | tail -1 \
      | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ms_per_scene_batch16"])'
  else
    java -jar "$1" bench train --preset "$2" --stage "$3" --threads "$THREADS" --steps "$STEPS" --warmup 2 --json 2>/dev/null \
      | tail -1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["step_ms_median"])'
  fi
}

echo "| case | pairs | before: median ms | after: median ms | **after / before** (median of pairs) |"
echo "|---|---|---|---|---|"
for c in $CASES; do
  preset=${c%%:*} stage=${c#*:} a=() b=()
  for p in $(seq 1 "$PAIRS"); do
    if [ $((p % 2)) = 1 ]; then a+=("$(one "$1" "$preset" "$stage")"); b+=("$(one "$2" "$preset" "$stage")")
    else b+=("$(one "$2" "$preset" "$stage")"); a+=("$(one "$1" "$preset" "$stage")"); fi
  done
  "$PY" - "$c" "${a[*]}" "${b[*]}" <<'PYEOF'
import statistics, sys
a = [float(x) for x in sys.argv[2].split()]; b = [float(x) for x in sys.argv[3].split()]
r = [y / x for x, y in zip(a, b)]
print(f"| {sys.argv[1]} | {len(r)} | {statistics.median(a):.1f} | {statistics.median(b):.1f} | **{statistics.median(r):.3f}** |")
PYEOF
done
