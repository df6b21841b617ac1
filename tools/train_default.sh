#!/usr/bin/env bash
# Reproduce the default bundles in models/ (make train-default runs this): the Lite0 bundle on
# the four-source mix in six stages (from ImageNet with two stages frozen, then every layer
# from the first stage's best epoch, then a lower rate and heavier noise from the second's,
# then a warm restart from the third's, exported as a bundle, a second warm restart from that
# bundle, exported again, then the config, which trains nothing and exports those weights
# again to serve the mean logit of each face and its mirror), the ResNet-50 distilled from it, two
# shorter leave-one-source-out Lite0 runs, their held-out figures put into the Lite0 card
# (training.leave_one_out: the bundle is not exported again), the ensemble
# fitted on the validation split, the fast-path check and the verdict robustness (and README's
# table of it). Every run resumes from its last epoch; a finished run only exports again.
# SKIP_MAIN=1 starts after the Lite0 run (its bundle must exist).
set -euo pipefail
PY=${PY:-.venv/bin/python}
LITE=training/configs/efficientnet_lite0.yaml
export OMP_WAIT_POLICY=PASSIVE
if [ -z "${SKIP_MAIN:-}" ]; then
  $PY -m training.train --config $LITE init_from= freeze_stages=2 epochs=4 degrade_noise_p=0.15 \
    samples_per_epoch=14000 lr=0.0006 warmup_epochs=0.3 output=runs/efficientnet_lite0_base \
    export= "leave_one_out_runs=[]"
  $PY -m training.train --config $LITE init_from=runs/efficientnet_lite0_base/best.pt \
    lr=0.0003 warmup_epochs=0.2 degrade_noise_p=0.15 epochs=4 samples_per_epoch=10000 \
    output=runs/efficientnet_lite0_stage2 \
    export= "leave_one_out_runs=[]"
  $PY -m training.train --config $LITE init_from=runs/efficientnet_lite0_stage2/best.pt \
    lr=0.0002 warmup_epochs=0.1 epochs=4 samples_per_epoch=10000 \
    output=runs/efficientnet_lite0_stage3 export= "leave_one_out_runs=[]"
  $PY -m training.train --config $LITE init_from=runs/efficientnet_lite0_stage3/best.pt \
    lr=0.0003 warmup_epochs=0.2 epochs=6 samples_per_epoch=8000 \
    output=runs/efficientnet_lite0_stage4 export=models/efficientnet_lite0
  $PY -m training.train --config $LITE epochs=5 mirror_average=false \
    output=runs/efficientnet_lite0_stage5 export=models/efficientnet_lite0 "leave_one_out_runs=[]"
  $PY -m training.train --config $LITE
fi
$PY -m training.train --config training/configs/resnet50.yaml
for held in generated-faces faceswap-faces; do
  run=runs/lite0_without_${held%-faces}
  $PY -m training.train --config $LITE init_from= freeze_stages=2 lr=0.0006 warmup_epochs=0.3 \
    hold_out_source=$held epochs=2 samples_per_epoch=5000 \
    output=$run export=$run/bundle "leave_one_out_runs=[]"
done
$PY -m training.leave_one_out models/efficientnet_lite0
$PY -m training.ensemble models --config $LITE
$PY -m training.fast_path models --config $LITE
$PY -m training.robustness models --config $LITE --adversarial-images 200
$PY -m training.readme_robustness models --readme README.md
