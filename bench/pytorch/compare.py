#!/usr/bin/env python3
"""Table of one scripts/bench-vs-pytorch.sh run: per case, the median over rounds of each side's median time and the
median of the per-round ratios (both sides of a round ran back to back). Markdown on stdout.

  /usr/bin/python3 bench/pytorch/compare.py runs/bench-vs-pytorch/results-....jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = defaultdict(dict)  # (preset, stage) -> round -> impl -> record
    conv = defaultdict(list)  # impl -> GFLOP/s per round
    for r in rows:
        if r["case_stage"] == "conv":
            conv[r["impl"]].append(r["cases"][0]["forward"]["plain"]["gflops"] if r["impl"] == "ours" else r["gflops"])
        else:
            by[(r["preset"], r["case_stage"])].setdefault(r["round"], {})[r["impl"]] = r
    print("| case | rounds | ours: median ms | PyTorch eager: median ms | **ours / PyTorch** (speed; per round) | ours GFLOP/s | PyTorch GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for (preset, stage), rounds in by.items():
        pairs = [v for v in rounds.values() if "ours" in v and "pytorch" in v]
        if not pairs:
            continue
        if stage == "generate":
            ours = [p["ours"]["ms_per_scene_batch16"] for p in pairs]
            theirs = [p["pytorch"]["median_ms_per_scene_b16"] for p in pairs]
            name, flops = f"{preset} generation, batch 16 (ms per scene)", None
        else:
            ours = [p["ours"]["step_ms_median"] for p in pairs]
            theirs = [p["pytorch"]["median_ms"] for p in pairs]
            name = f"{preset} {stage} iteration, batch {pairs[0]['ours']['batch']}"
            flops = pairs[0]["ours"]["flops_per_step"]
        ratios = [t / o for o, t in zip(ours, theirs)]
        mo, mt = statistics.median(ours), statistics.median(theirs)
        gf = lambda ms: f"{flops / (ms / 1e3) / 1e9:.1f}" if flops else "–"
        print(f"| {name} | {len(pairs)} | {mo:.1f} | {mt:.1f} | **{statistics.median(ratios):.2f}** "
              f"({', '.join(f'{x:.2f}' for x in ratios)}) | {gf(mo)} | {gf(mt)} |")
    if conv:
        print()
        o, t = conv.get("ours", []), conv.get("pytorch", [])
        print(f"Convolution ceiling (3x3, N8 C64->64 64x64, forward, median of {len(o)} rounds): ONNX Runtime's Conv "
              f"{statistics.median(o):.1f} GFLOP/s, PyTorch's conv2d {statistics.median(t):.1f} GFLOP/s" if o and t
              else "Convolution ceiling: not measured.")


if __name__ == "__main__":
    main(sys.argv[1])
