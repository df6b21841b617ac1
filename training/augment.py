"""Training-time augmentation on uint8 image tensors (torchvision transforms v2).

Flip, small rotation, colour jitter, random resized crop, JPEG re-compression (deepfake
artefacts must survive social-media compression) and random erasing; then normalisation
with the model's own mean and std.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchvision.transforms import InterpolationMode, v2

from training.config import TrainConfig


def build_train_transform(
    config: TrainConfig, input_size: int, mean: Sequence[float], std: Sequence[float]
) -> v2.Compose:
    """uint8 CHW tensor -> augmented, normalised float32 CHW tensor."""
    steps: list[v2.Transform] = [
        v2.RandomResizedCrop(
            input_size,
            scale=(config.aug_scale_min, 1.0),
            ratio=(0.9, 1.1),
            interpolation=InterpolationMode.BILINEAR,
            antialias=True,
        ),
        v2.RandomHorizontalFlip(),
    ]
    if config.aug_rotation > 0:
        steps.append(v2.RandomApply([v2.RandomRotation(config.aug_rotation)], p=0.3))
    if config.aug_color > 0:
        c = config.aug_color
        # no hue jitter: it costs 8x the rest of the pipeline on a CPU and fakes are not hue-shifted
        steps.append(v2.RandomApply([v2.ColorJitter(c, c, c)], p=0.8))
    if config.aug_jpeg_p > 0:
        steps.append(
            v2.RandomApply([v2.JPEG((config.aug_jpeg_quality_min, 95))], p=config.aug_jpeg_p)
        )
    steps += [v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(mean), list(std))]
    if config.aug_erasing_p > 0:
        steps.append(v2.RandomErasing(p=config.aug_erasing_p, scale=(0.02, 0.12), value=0))
    return v2.Compose(steps)
