"""Tests for faceproof.preprocess: bundle-config preprocessing of face crops."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from faceproof.preprocess import Preprocessor

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def _random_crop(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_shape_and_dtype() -> None:
    pre = Preprocessor(32, MEAN, STD)
    out = pre([_random_crop(32, 32), _random_crop(32, 32, 1), _random_crop(32, 32, 2)])
    assert out.shape == (3, 3, 32, 32)
    assert out.dtype == torch.float32


def test_normalisation_matches_the_formula() -> None:
    crop = _random_crop(16, 16)
    out = Preprocessor(16, MEAN, STD)([crop])[0].numpy()
    expected = (crop.astype(np.float64) / 255.0 - np.array(MEAN)) / np.array(STD)
    np.testing.assert_allclose(out, expected.transpose(2, 0, 1), atol=1e-5)


def test_channels_are_not_swapped() -> None:
    crop = np.zeros((8, 8, 3), np.uint8)
    crop[..., 0] = 255
    out = Preprocessor(8, (0.5,) * 3, (0.5,) * 3)([crop])[0]
    assert torch.allclose(out[0], torch.ones(8, 8))
    assert torch.allclose(out[1:], -torch.ones(2, 8, 8))


@pytest.mark.parametrize("size", [(10, 10), (100, 100), (20, 90)])
def test_resizes_to_input_size(size: tuple[int, int]) -> None:
    pre = Preprocessor(32, MEAN, STD, "bilinear")
    crop = _random_crop(*size)
    assert pre.resize(crop).shape == (32, 32, 3)
    assert pre([crop]).shape == (1, 3, 32, 32)


def test_resizing_a_flat_crop_keeps_its_value() -> None:
    pre = Preprocessor(32, (0.0,) * 3, (1.0,) * 3)
    for side in (8, 200):
        out = pre([np.full((side, side, 3), 51, np.uint8)])
        torch.testing.assert_close(out, torch.full((1, 3, 32, 32), 0.2))


def test_empty_list() -> None:
    out = Preprocessor(48, MEAN, STD)([])
    assert out.shape == (0, 3, 48, 48)


def test_from_config() -> None:
    config = SimpleNamespace(
        input_size=24, mean=(0.5,) * 3, std=(0.25,) * 3, interpolation="nearest"
    )
    pre = Preprocessor.from_config(config)
    out = pre([np.full((24, 24, 3), 255, np.uint8)])
    torch.testing.assert_close(out, torch.full((1, 3, 24, 24), 2.0))
