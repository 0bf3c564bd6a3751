#!/usr/bin/env bash
# Layout quality of the tiny preset on the bundled testdata/ (docs/QUALITY.md): for each seed, the main job
# (`train --stage all`), the documented quality schedule (64-epoch layout phases) and the released SB-GAN layout
# recipe at the main job's layout budget; then 200 maps of each bundle against the 60 val maps (`eval --mode layout`)
# and one report.
# Usage: [SEEDS="1 2 3"] [RUNS="main quality released"] [OUT=runs/quality] [THREADS=2] scripts/layout-quality.sh
# Runs that already have a model are not retrained, so a second call only re-evaluates.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-1 2 3}
RUNS=${RUNS:-main quality released}
OUT=${OUT:-runs/quality}
THREADS=${THREADS:-2}
CLI=./sbgan-cli

train() { # name seed args...
  local name=$1 seed=$2; shift 2
  local run="$OUT/$name-s$seed"
  [ -f "$run/model/model.json" ] || { /usr/bin/time -f "$name seed $seed: %e s" $CLI train --seed "$seed" --run "$run" \
      --threads "$THREADS" --progress lines "$@" 2>&1 | grep -E '^(trained|layout recipe|.* s$)' ; }
  $CLI eval --mode layout --model "$run/model" --count 200 --threads "$THREADS" --label "$name" --out "$OUT/eval/$name-s$seed.json" \
      | grep -vE '^(features|time):'
}

for s in $SEEDS; do
  for r in $RUNS; do
    case $r in
      main) train main "$s" --stage all ;;
      quality) train quality "$s" --stage all --seg-phase-epochs 64 ;;
      released) train released "$s" --stage seg --layout-recipe released ;;
      *) echo "unknown run '$r' (main, quality, released)" >&2; exit 2 ;;
    esac
  done
done
$CLI report --out "$OUT/report" --runs "$OUT"/eval/*.json
