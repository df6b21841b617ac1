"""Tests for training.augment: shapes, dtype and normalisation of the training transform."""

from __future__ import annotations

import dataclasses

import torch

from training.augment import build_train_transform
from training.config import TrainConfig

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def test_default_transform_gives_a_float_tensor_of_the_input_size() -> None:
    torch.manual_seed(0)
    transform = build_train_transform(TrainConfig(), 64, MEAN, STD)
    image = torch.randint(0, 256, (3, 80, 80), dtype=torch.uint8)
    for _ in range(3):
        out = transform(image)
        assert out.dtype == torch.float32
        assert out.shape == (3, 64, 64)
        assert torch.isfinite(out).all()


def test_without_augmentation_a_constant_image_is_only_normalised() -> None:
    config = dataclasses.replace(
        TrainConfig(), aug_rotation=0, aug_color=0, aug_jpeg_p=0, aug_erasing_p=0, aug_scale_min=1.0
    )
    transform = build_train_transform(config, 48, MEAN, STD)
    colour = torch.tensor([200, 30, 120], dtype=torch.uint8)
    image = colour.view(3, 1, 1).expand(3, 96, 96).contiguous()
    expected = ((colour.float() / 255 - torch.tensor(MEAN)) / torch.tensor(STD)).view(3, 1, 1)
    for _ in range(3):
        out = transform(image)
        assert out.shape == (3, 48, 48)
        torch.testing.assert_close(out, expected.expand(3, 48, 48), atol=1e-3, rtol=0)
