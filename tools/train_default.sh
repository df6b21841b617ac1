#!/usr/bin/env bash
# Reproduce the default bundles in models/ (make train-default runs this): the Lite0 bundle on
# the four-source mix, the ResNet-50 distilled from it, two leave-one-source-out Lite0 runs
# (their held-out figures go into the Lite0 card), the Lite0 bundle re-exported with them,
# and the ensemble fitted on the validation split. Every run resumes from its last epoch.
set -euo pipefail
PY=${PY:-.venv/bin/python}
LITE=training/configs/efficientnet_lite0.yaml
export OMP_WAIT_POLICY=PASSIVE
$PY -m training.train --config $LITE
$PY -m training.train --config training/configs/resnet50.yaml
for held in generated-faces faceswap-faces; do
  run=runs/lite0_without_${held%-faces}
  $PY -m training.train --config $LITE hold_out_source=$held epochs=2 samples_per_epoch=10000 \
    output=$run export=$run/bundle "leave_one_out_runs=[]"
done
$PY -m training.export runs/efficientnet_lite0/best.pt models/efficientnet_lite0
$PY -m training.ensemble models --config $LITE
