#!/usr/bin/env bash
# Training and generation speed side by side with PyTorch eager (docs/BENCHMARKS.md, "Side by side with PyTorch").
# Each case runs ours (`sbgan-cli bench train|generate --json`) and the PyTorch reference of the same networks,
# losses, shapes and thread count (bench/pytorch/train_bench.py) alternately, ROUNDS times, the order swapped every
# round so that a noisy neighbour slows both alike; then one table of medians and ratios (bench/pytorch/compare.py).
# Needs Debian's PyTorch (`apt-get install python3-torch`); neither the build nor the tests need it.
# The case `-:segmenter` times the segmenter's training step (`bench segmenter`, train_bench.py --stage segmenter).
# QUIET_WAIT=S: before each timed run, wait up to S seconds for the CPU to be idle (under 15% busy over 3 s); each
# JSON line records `cpu_busy_before`, the busy % seen last (PyTorch's OpenMP threads slow down far more than ours
# when another process takes a core: docs/BENCHMARKS.md, "Segmenter training beside PyTorch eager").
# Usage: [ROUNDS=3] [THREADS=2] [CASES="tiny:seg tiny:spade ..."] [OUT=runs/bench-vs-pytorch] [QUIET_WAIT=0] scripts/bench-vs-pytorch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CASES=${CASES:-tiny:seg tiny:spade tiny:e2e small:spade tiny:generate small:generate}
OUT=${OUT:-runs/bench-vs-pytorch}
PY=${PY:-/usr/bin/python3}
QUIET_WAIT=${QUIET_WAIT:-0}
CLI=${CLI:-./sbgan-cli}

"$PY" -c 'import torch' 2>/dev/null || { echo "error: $PY cannot import torch; install it with: apt-get install python3-torch" >&2; exit 1; }
$CLI --version >/dev/null # builds the jar first (./sbgan-cli), outside the timed runs
mkdir -p "$OUT"
results="$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"

steps_for() { case $1 in tiny) echo 20 ;; *) echo 5 ;; esac; }
scenes_for() { case $1 in tiny) echo "--scenes 64 --repeats 5" ;; *) echo "--scenes 16 --repeats 3" ;; esac; }

args() { # preset stage: the options both benchmarks take, so both sides time the same work
  if [ "$2" = segmenter ]; then echo "--threads $THREADS --steps 20 --warmup 3 --json"
  elif [ "$2" = generate ]; then echo "--preset $1 --threads $THREADS $(scenes_for "$1") --json"
  else echo "--preset $1 --stage $2 --threads $THREADS --steps $(steps_for "$1") --json"; fi
}
ours() {
  local cmd; case $2 in generate|segmenter) cmd=$2 ;; *) cmd=train ;; esac
  $CLI bench "$cmd" $(args "$@") 2>/dev/null | tail -1
}
theirs() {
  "$PY" bench/pytorch/train_bench.py $(args "$@") $(case $2 in generate|segmenter) echo "--stage $2" ;; esac) 2>/dev/null | tail -1
}

busy=-1
cpu_busy() { # % of the CPU busy over 3 s
  local a b idle tot=0 j
  read -ra a < /proc/stat; sleep 3; read -ra b < /proc/stat
  idle=$(( b[4] + b[5] - a[4] - a[5] ))
  for j in 1 2 3 4 5 6 7 8; do tot=$(( tot + b[j] - a[j] )); done
  echo $(( 100 - 100 * idle / (tot > 0 ? tot : 1) ))
}
quiet() { # with QUIET_WAIT, wait (at most QUIET_WAIT s) until nothing else keeps the CPU busy; sets busy
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local start=$SECONDS
  busy=$(cpu_busy)
  while [ "$busy" -ge 15 ] && [ $((SECONDS - start)) -lt "$QUIET_WAIT" ]; do busy=$(cpu_busy); done
}

record() { # impl preset stage round json (busy: the last cpu_busy before the run, -1 without QUIET_WAIT)
  "$PY" -c 'import json,sys; r=json.loads(sys.argv[5]); r.update(impl=sys.argv[1], preset=sys.argv[2], case_stage=sys.argv[3], round=int(sys.argv[4]), cpu_busy_before=int(sys.argv[6])); print(json.dumps(r))' \
    "$@" "$busy" >> "$results"
}

{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ours: $(java -version 2>&1 | head -1); torch $("$PY" -c 'import torch; print(torch.__version__)'); threads $THREADS; rounds $ROUNDS"; } >&2
for r in $(seq 1 "$ROUNDS"); do
  # the convolution ceiling of this round: ORT's plain Conv session (bench conv) and PyTorch's conv2d, back to back
  quiet; record ours - conv "$r" "$($CLI bench conv --threads "$THREADS" --repeats 10 --json 2>/dev/null | tail -1)"
  quiet; record pytorch - conv "$r" "$("$PY" bench/pytorch/train_bench.py --stage conv --threads "$THREADS" --json 2>/dev/null | tail -1)"
  for c in $CASES; do
    preset=${c%%:*} stage=${c#*:}
    if [ $((r % 2)) = 1 ]; then
      quiet; record ours "$preset" "$stage" "$r" "$(ours "$preset" "$stage")"
      quiet; record pytorch "$preset" "$stage" "$r" "$(theirs "$preset" "$stage")"
    else
      quiet; record pytorch "$preset" "$stage" "$r" "$(theirs "$preset" "$stage")"
      quiet; record ours "$preset" "$stage" "$r" "$(ours "$preset" "$stage")"
    fi
    echo "round $r/$ROUNDS: $preset $stage done" >&2
  done
done
"$PY" bench/pytorch/compare.py "$results" | tee "${results%.jsonl}.md"
