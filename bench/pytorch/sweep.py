#!/usr/bin/env python3
"""Runs many layout_gan.py configurations in parallel on one GPU, most important first, within a time budget.

  python3 bench/pytorch/sweep.py --out "$OUT" --budget-s 455 --parallel 14          # on the GPU machine
  /usr/bin/python3 bench/pytorch/sweep.py --out /tmp/sw --device cpu --epoch-scale 0.02 --budget-s 120 --parallel 2
  /usr/bin/python3 bench/pytorch/sweep.py --summarize results.jsonl                   # table, median over seeds

Each finished run appends its JSON line to OUT/results.jsonl at once (so partial results survive a timeout).
New runs stop being launched at --launch-until-s; a run is also skipped when the measured speed of finished
runs says it cannot end before the budget. Every run gets a deadline (--deadline-s) so that it stops training,
evaluates and reports (marked truncated) before the budget ends; whatever still runs at the end is killed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FULL = ["--mbstd", "--pn-sqrt", "--fade-blend"]


def configs(which="first"):
    """(name, args, seeds) in priority order. 'first' = the set of the first GPU sweep; 'followup' = what that
    sweep left open (mbstd without sqrt-PixelNorm + EMA at longer budgets, small preset, untested knobs)."""
    if which == "followup":
        return followup_configs()
    c = []
    add = lambda name, a, seeds: c.append((name, a, seeds))
    add("full_E64", FULL + ["--phase-epochs", "64"], [1, 2])          # longest: start first
    add("rel_E4", ["--phase-epochs", "4"], [1, 2, 3])
    add("rel_E16", ["--phase-epochs", "16"], [1, 2, 3])
    add("mb_E16", ["--mbstd", "--phase-epochs", "16"], [1, 2, 3])
    add("full_E16", FULL + ["--phase-epochs", "16"], [1, 2, 3])
    add("full_E32", FULL + ["--phase-epochs", "32"], [1, 2, 3])
    add("full_E16_ema999", FULL + ["--phase-epochs", "16", "--ema", "0.999"], [1, 2, 3])
    add("full_E16_ema99", FULL + ["--phase-epochs", "16", "--ema", "0.99"], [1, 2, 3])
    add("full_E16_topx4", FULL + ["--phase-epochs", "16", "--top-extra", "4"], [1, 2])
    add("full_E16_ncrit2", FULL + ["--phase-epochs", "16", "--n-critic", "2"], [1, 2])
    add("full_E16_T0.5", FULL + ["--phase-epochs", "16", "--temperature", "0.5"], [1, 2])
    add("full_E16_lr5e-4", FULL + ["--phase-epochs", "16", "--lr-g", "5e-4", "--lr-d", "5e-4"], [1, 2])
    add("full_E16_lr2e-3", FULL + ["--phase-epochs", "16", "--lr-g", "2e-3", "--lr-d", "2e-3"], [1, 2])
    add("full_E16_carry", FULL + ["--phase-epochs", "16", "--carry-adam"], [1, 2])
    add("full_E16_T2", FULL + ["--phase-epochs", "16", "--temperature", "2"], [1, 2])
    add("full_E16_topx2", FULL + ["--phase-epochs", "16", "--top-extra", "2"], [1, 2])
    add("full_E16_b32", FULL + ["--phase-epochs", "16", "--batch", "32"], [1, 2])
    add("full_E8", FULL + ["--phase-epochs", "8"], [1, 2])
    add("small_full_E8", FULL + ["--preset", "small", "--phase-epochs", "8"], [1])
    add("small_full_E16", FULL + ["--preset", "small", "--phase-epochs", "16"], [1])
    add("full_E32_ema999", FULL + ["--phase-epochs", "32", "--ema", "0.999"], [1, 2])
    add("mbsq_E16", ["--mbstd", "--pn-sqrt", "--phase-epochs", "16"], [1, 2])
    add("sqbl_E16", ["--pn-sqrt", "--fade-blend", "--phase-epochs", "16"], [1, 2])
    add("full_E16_dw2", FULL + ["--phase-epochs", "16", "--d-width", "2"], [1, 2])
    add("full_E16_lrgtop3e-4", FULL + ["--phase-epochs", "16", "--lr-g-top", "3e-4"], [1, 2])
    add("full_E16_ema999_topx4", FULL + ["--phase-epochs", "16", "--ema", "0.999", "--top-extra", "4"], [1, 2])
    add("full_E16_lrd2e-3", FULL + ["--phase-epochs", "16", "--lr-d", "2e-3"], [1, 2])
    add("full_E64_ema999", FULL + ["--phase-epochs", "64", "--ema", "0.999"], [1])
    add("full_E16_gp1", FULL + ["--phase-epochs", "16", "--gp-lambda", "1"], [1, 2])
    add("full_E16_T0.5_ema999", FULL + ["--phase-epochs", "16", "--temperature", "0.5", "--ema", "0.999"], [1, 2])
    add("full_E32_topx4_ema999", FULL + ["--phase-epochs", "32", "--top-extra", "4", "--ema", "0.999"], [1])
    add("full_E64", FULL + ["--phase-epochs", "64"], [3])
    return c


def followup_configs():
    mb = ["--mbstd"]
    c = []
    add = lambda name, a, seeds: c.append((name, a, seeds))
    add("mb_E64_ema999", mb + ["--phase-epochs", "64", "--ema", "0.999"], [1, 2, 3])
    add("mb_E16_ema999", mb + ["--phase-epochs", "16", "--ema", "0.999"], [1, 2, 3])
    add("mb_E32_ema999", mb + ["--phase-epochs", "32", "--ema", "0.999"], [1, 2, 3])
    add("mb_E16", mb + ["--phase-epochs", "16"], [4, 5])
    add("mb_E16_ema999_T0.5", mb + ["--phase-epochs", "16", "--ema", "0.999", "--temperature", "0.5"], [1, 2])
    add("mb_E16_ema999_topx4", mb + ["--phase-epochs", "16", "--ema", "0.999", "--top-extra", "4"], [1, 2])
    add("mbbl_E16_ema999", mb + ["--fade-blend", "--phase-epochs", "16", "--ema", "0.999"], [1, 2])
    add("mbsq_E16", mb + ["--pn-sqrt", "--phase-epochs", "16"], [2, 3])
    add("mb_E16_ema999_lr2e-3", mb + ["--phase-epochs", "16", "--ema", "0.999", "--lr-g", "2e-3", "--lr-d", "2e-3"], [1, 2])
    add("mb_E16_ema999_carry", mb + ["--phase-epochs", "16", "--ema", "0.999", "--carry-adam"], [1, 2])
    add("mb_E16_ema999_b32", mb + ["--phase-epochs", "16", "--ema", "0.999", "--batch", "32"], [1, 2])
    add("small_mb_E8_ema999", mb + ["--preset", "small", "--phase-epochs", "8", "--ema", "0.999"], [1])
    add("small_mb_E16_ema999", mb + ["--preset", "small", "--phase-epochs", "16", "--ema", "0.999"], [1])
    add("mb_E16_ema999_dw2", mb + ["--phase-epochs", "16", "--ema", "0.999", "--d-width", "2"], [1, 2])
    add("mb_E16_ema999_ncrit2", mb + ["--phase-epochs", "16", "--ema", "0.999", "--n-critic", "2"], [1, 2])
    add("full_E64_ema999", FULL + ["--phase-epochs", "64", "--ema", "0.999"], [1, 2])
    return c


def planned_iterations(a, epoch_scale):
    """Cost estimate in tiny-equivalent iterations (D steps and batch size weigh in; small ~ 3x per iteration)."""
    get = lambda flag, d: type(d)(a[a.index(flag) + 1]) if flag in a else d
    e, b = get("--phase-epochs", 4.0) * epoch_scale, get("--batch", 16)
    levels = 5 if get("--preset", "tiny") == "small" else 4
    n = max(1, round(e * (240 // b)))
    its = n * (2 * levels - 2) + max(1, round(n * get("--top-extra", 1.0)))
    cost = its * (1 + get("--n-critic", 1)) / 2 * (b / 16) * (3 if levels == 5 else 1)
    return its, cost


def run_sweep(args):
    os.makedirs(args.out, exist_ok=True)
    logs = os.path.join(args.out, "logs")
    os.makedirs(logs, exist_ok=True)
    results = os.path.join(args.out, "results.jsonl")
    dlog = open(os.path.join(args.out, "driver.log"), "a", buffering=1)
    t0 = time.time()
    el = lambda: time.time() - t0
    log = lambda m: dlog.write(f"[{el():7.1f}s] {m}\n")

    def log_gpu(query, label):
        try:
            out = subprocess.run(["nvidia-smi", f"--query-gpu={query}", "--format=csv"], capture_output=True, text=True, timeout=20)
            log(f"{label}: " + out.stdout.replace("\n", " | "))
        except Exception as e:  # noqa: BLE001
            log(f"nvidia-smi: {e}")
    py = sys.executable
    script = os.path.join(HERE, "layout_gan.py")
    cache = args.cache or "/tmp/sbgan_layout_labels_cache.pt"
    common = ["--cache", cache, "--device", args.device, "--threads", "1"]
    # reference lines + the decoded-label cache
    r = subprocess.run([py, script, "--eval-real"] + common, capture_output=True, text=True)
    with open(results, "a") as f:
        f.write(r.stdout)
    if r.returncode:
        log("eval-real failed: " + r.stderr[-2000:])
    log(f"reference done rc={r.returncode}")
    if args.device == "cuda":
        log_gpu("name,memory.used,utilization.gpu", "nvidia-smi")

    queue = []
    for name, a, seeds in configs(args.set):
        for s in seeds:
            queue.append((f"{name}_s{s}", name, a + ["--seed", str(s), "--name", name]))
    if args.only:
        queue = [q for q in queue if any(q[0].startswith(o) for o in args.only.split(","))]
    running = {}  # tag -> (proc, start, cost, file)
    rate = None  # cost units per second per run, from finished untruncated runs
    rates = []
    gpu_logged = False
    while queue or running:
        # reap
        for tag in list(running):
            proc, start, cost, fo = running[tag]
            if proc.poll() is None:
                continue
            fo.close()
            del running[tag]
            out = open(os.path.join(logs, tag + ".out")).read().strip().splitlines()
            line = out[-1] if out else ""
            try:
                rec = json.loads(line)
                rec["tag"] = tag
                rec["launched_at_s"] = round(start - t0, 1)
                with open(results, "a") as f:
                    f.write(json.dumps(rec) + "\n")
                if not rec.get("truncated"):
                    rates.append(cost / max(rec["train_s"], 1e-3))
                    rate = statistics.median(rates)
                log(f"done {tag} rc={proc.returncode} wall={rec['wall_s']} it/s={rec['it_per_s']} trunc={rec['truncated']} "
                    f"tv={rec['argmax']['tv']} div={rec['argmax']['div']}")
            except Exception:  # noqa: BLE001
                log(f"FAILED {tag} rc={proc.returncode}: " + open(os.path.join(logs, tag + ".err")).read()[-1500:])
        if args.device == "cuda" and not gpu_logged and el() > 60:
            gpu_logged = True
            log_gpu("memory.used,utilization.gpu", "nvidia-smi@60s")
        # launch
        while queue and len(running) < args.parallel and el() < args.launch_until_s:
            left = args.budget_s - el() - args.eval_margin_s
            pick = None
            for i, (tag, name, a) in enumerate(queue):
                _, cost = planned_iterations(a, args.epoch_scale)
                if rate is None or cost / rate <= left * 0.9:
                    pick = i
                    break
            if pick is None:
                log(f"nothing left fits in {left:.0f}s (rate {rate}); skipped: {[q[0] for q in queue]}")
                queue.clear()
                break
            tag, name, a = queue.pop(pick)
            if pick:
                log(f"skipped (too long now) ahead of {tag}: {[q[0] for q in queue[:pick]]}")
            a = list(a)
            if args.epoch_scale != 1.0:
                i = a.index("--phase-epochs") if "--phase-epochs" in a else None
                e = float(a[i + 1]) if i is not None else 4.0
                if i is not None:
                    a[i + 1] = str(e * args.epoch_scale)
                else:
                    a += ["--phase-epochs", str(e * args.epoch_scale)]
            _, cost = planned_iterations(a, 1.0)
            fo = open(os.path.join(logs, tag + ".out"), "w")
            fe = open(os.path.join(logs, tag + ".err"), "w")
            proc = subprocess.Popen([py, script] + common + a + ["--deadline-s", f"{max(5.0, left - 5):.0f}"],
                                    stdout=fo, stderr=fe, env=dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"))
            fe.close()
            running[tag] = (proc, time.time(), cost, fo)
            log(f"launch {tag} cost={cost:.0f} left={left:.0f}s running={len(running)}")
        if not running and (not queue or el() >= args.launch_until_s):
            break
        if el() > args.budget_s:
            for tag, (proc, *_r) in running.items():
                proc.kill()
                log(f"killed {tag}")
            break
        time.sleep(0.5)
    log(f"end; not launched: {[q[0] for q in queue]}")


def summarize(path):
    recs = [json.loads(l) for l in open(path) if l.strip()]
    refs = [r for r in recs if r.get("name", "").startswith("real_")]
    for r in refs:
        print(f"{r['name']:<24} tv {r['tv']:.3f} div {r['div']:.3f} veh {r['pres_vehicle']:.2f} hum {r['pres_human']:.2f} "
              f"obj {r['pres_object']:.2f} nn {r['nn']:.3f}")
    runs = [r for r in recs if "argmax" in r]
    order = []
    for r in runs:
        if r["name"] not in order:
            order.append(r["name"])
    keys = ["tv", "div", "pres_vehicle", "pres_human", "pres_object", "nn"]
    hdr = (f"{'config':<24}{'n':>2} {'iters':>6} {'wall':>5} | argmax: {'tv':>5} {'div':>5} {'veh':>4} {'hum':>4} {'obj':>4} {'nn':>5}"
           f" | sampled: {'tv':>5} {'div':>5} {'veh':>4} {'hum':>4} {'obj':>4} | per-seed argmax tv/div/hum/obj")
    print(hdr)
    for name in order:
        rs = sorted([r for r in runs if r["name"] == name], key=lambda r: r["config"]["seed"])
        med = lambda side, k: statistics.median(r[side][k] for r in rs)
        tr = "*" if any(r.get("truncated") for r in rs) else " "
        per = "  ".join(f"s{r['config']['seed']}:{r['argmax']['tv']:.3f}/{r['argmax']['div']:.3f}/{r['argmax']['pres_human']:.2f}/"
                        f"{r['argmax']['pres_object']:.2f}" + ("T" if r.get("truncated") else "") for r in rs)
        print(f"{name:<24}{len(rs):>2} {statistics.median(r['iterations'] for r in rs):>6.0f}{tr}{statistics.median(r['wall_s'] for r in rs):>5.0f} |"
              f"        {med('argmax','tv'):>5.3f} {med('argmax','div'):>5.3f} {med('argmax','pres_vehicle'):>4.2f} "
              f"{med('argmax','pres_human'):>4.2f} {med('argmax','pres_object'):>4.2f} {med('argmax','nn'):>5.3f} |"
              f"         {med('sampled','tv'):>5.3f} {med('sampled','div'):>5.3f} {med('sampled','pres_vehicle'):>4.2f} "
              f"{med('sampled','pres_human'):>4.2f} {med('sampled','pres_object'):>4.2f} | {per}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.environ.get("OUT", "/tmp/layout_sweep"))
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--parallel", type=int, default=14)
    ap.add_argument("--budget-s", type=float, default=455.0, help="everything ends by then (seconds from start)")
    ap.add_argument("--launch-until-s", type=float, default=420.0)
    ap.add_argument("--eval-margin-s", type=float, default=20.0)
    ap.add_argument("--epoch-scale", type=float, default=1.0, help="multiply every --phase-epochs (local tests)")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--set", choices=["first", "followup"], default="first", help="which config list")
    ap.add_argument("--only", default="", help="comma-separated run-name prefixes")
    ap.add_argument("--summarize", default="", help="print the table of a results.jsonl and exit")
    args = ap.parse_args()
    if args.summarize:
        summarize(args.summarize)
    else:
        run_sweep(args)


if __name__ == "__main__":
    main()
