#!/usr/bin/env bash
# The paper's two claims on the bundled testdata/ at the tiny preset, three seeds each (README, "The paper's claims").
#   Table 1: SB-GAN vs a ProGAN trained on RGB images, unconditional, with the same number of images seen by the
#            generators (SB-GAN's G steps: 1680×16 layout + 600×8 SPADE + 120×8 end-to-end = 32 640 images; ProGAN-RGB:
#            7 phases × 291 iterations × 16 = 32 592, i.e. --seg-phase-epochs 19.43 on 240 images): FID and KID, SWD,
#            and for SB-GAN the layout→image mIoU of its scenes.
#   Table 2: G_img on real validation layouts before (end of the SPADE stage) and after end-to-end fine-tuning: FID,
#            KID, SWD and layout→image mIoU.
# FID and KID use a segmenter trained on the real training split by sbgan itself (one for all runs, so the numbers
# compare; docs/SEGMENTER.md); it also gives the mIoU. FEATURES=builtin or an Inception-v3 .onnx overrides the features.
# Usage: [DATA=testdata] [OUT=runs/claims] [REPORT=docs/claims] [SEEDS="1 2 3"] [FEATURES=...] [CLI=./sbgan-cli] scripts/reproduce-claims.sh
# 19.43 = 136/7: with 20 SPADE epochs the tiny schedule gives the generators 7×16 + 20 + 4 = 136 epochs of G steps, for any dataset size.
# Runs that already have a model are not retrained, so a second call only re-evaluates.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-testdata}
OUT=${OUT:-runs/claims}
REPORT=${REPORT:-docs/claims}
SEEDS=${SEEDS:-1 2 3}
THREADS=${THREADS:-2}
CLI=${CLI:-./sbgan-cli}
SEG="$OUT/segmenter"
FEATURES=${FEATURES:-segmenter:$SEG}
mkdir -p "$OUT"
[ -f "$SEG/model/segmenter.json" ] || $CLI segmenter train --data "$DATA" --out "$SEG" --seed 1 --threads "$THREADS" --progress lines
runs=()
for s in $SEEDS; do
  sb="$OUT/sbgan-s$s" pg="$OUT/progan-s$s"
  # --spade-epochs 20 keeps the equal budget of the comment above (the tiny preset's SPADE stage is 40 epochs now);
  # --segmenter-loss none keeps the paper's losses (the tiny preset adds a segmenter trained on the real pairs)
  [ -f "$sb/model/model.json" ] || $CLI train --stage all --data "$DATA" --seed "$s" --run "$sb" --spade-epochs 20 --segmenter-loss none --threads "$THREADS" --progress lines
  [ -f "$pg/model/model.json" ] || $CLI train --stage progan-rgb --data "$DATA" --seed "$s" --run "$pg" --seg-phase-epochs 19.43 --threads "$THREADS" --progress lines
  [ -f "$sb/model-spade/model.json" ] || $CLI export --run "$sb" --stage spade --out "$sb/model-spade"
  # 240 generated images against the 60 real validation images; KID over 100 subsets of 50.
  $CLI eval --real "$DATA" --model "$sb/model" --mode uncond --label "SB-GAN" --seed "$s" --count 240 --kid-subset-size 50 --features "$FEATURES" --segmenter "$SEG" --out "$sb/eval/sbgan-uncond.json"
  $CLI eval --real "$DATA" --model "$pg/model" --mode uncond --label "ProGAN-RGB" --seed "$s" --count 240 --kid-subset-size 50 --features "$FEATURES" --metrics fid,kid,swd --out "$pg/eval/progan-uncond.json"
  $CLI eval --real "$DATA" --model "$sb/model-spade" --mode cond --label "G_img before e2e" --seed "$s" --kid-subset-size 50 --features "$FEATURES" --segmenter "$SEG" --out "$sb/eval/before-e2e-cond.json"
  $CLI eval --real "$DATA" --model "$sb/model" --mode cond --label "G_img after e2e" --seed "$s" --kid-subset-size 50 --features "$FEATURES" --segmenter "$SEG" --out "$sb/eval/after-e2e-cond.json"
  $CLI eval --real "$DATA" --model "$sb/model-spade" --mode layout --label "G_seg before e2e" --seed "$s" --count 240 --out "$sb/eval/before-e2e-layout.json"
  $CLI eval --real "$DATA" --model "$sb/model" --mode layout --label "G_seg after e2e" --seed "$s" --count 240 --out "$sb/eval/after-e2e-layout.json"
  runs+=("$sb" "$pg")
done
$CLI report --runs "${runs[@]}" --out "$REPORT"
echo "report: $REPORT/report.md"
