"""Tests for training.degrade: JPEG, down-scaling, blur and noise applied to training images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from training.config import load_config
from training.degrade import Degradations


@pytest.fixture(scope="module")
def photo(astronaut) -> np.ndarray:
    """A 128 px detailed photo (the astronaut's upper half, scaled down)."""
    return cv2.resize(astronaut[:256, 128:384], (128, 128), interpolation=cv2.INTER_AREA)


class _Lowest:
    """A stand-in generator: every chance fires, every range gives its lower end (or its
    upper end with `high=True`)."""

    def __init__(self, high: bool = False):
        self.high = high

    def random(self) -> float:
        return 0.0

    def uniform(self, low, high=None, size=None):
        return high if self.high else low

    def integers(self, low, high=None, size=None):
        return low

    def normal(self, loc=0.0, scale=1.0, size=None):
        return np.random.default_rng(0).normal(loc, scale, size)


def _sharpness(image: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def _err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int32) - b.astype(np.int32)).mean())


def test_inactive_degradations_return_the_image_unchanged(photo) -> None:
    off = Degradations()
    assert not off.active
    for seed in range(5):
        out = off(photo, np.random.default_rng(seed))
        assert out.dtype == np.uint8 and np.array_equal(out, photo)


def test_from_config_and_active() -> None:
    config = load_config(None, ["degrade_jpeg_p=0.5", "degrade_jpeg_min=40", "degrade_noise_std=3"])
    d = Degradations.from_config(config)
    assert d.active and d.jpeg_p == 0.5 and d.jpeg_min == 40 and d.noise_std == 3.0
    assert d.scale_p == d.blur_p == d.noise_p == 0.0
    assert not Degradations.from_config(load_config(None, [])).active


@pytest.mark.parametrize("kind", ["jpeg", "scale", "blur", "noise"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_degradation_alone_changes_the_image_and_keeps_its_form(photo, kind, seed) -> None:
    d = Degradations(**{f"{kind}_p": 1.0})
    assert d.active
    before = photo.copy()
    out = d(photo, np.random.default_rng(seed))
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert out.flags["C_CONTIGUOUS"]
    assert not np.array_equal(out, photo)
    assert _err(out, photo) < 25  # degraded, still the same picture
    assert np.array_equal(photo, before)  # the input is not modified


@pytest.mark.parametrize(
    ("kind", "strongest"),
    [
        ("scale", _Lowest()),  # 0.25x
        ("blur", _Lowest(high=True)),
    ],
)  # sigma 1.2
def test_scale_and_blur_lose_detail(photo, kind, strongest) -> None:
    out = Degradations(**{f"{kind}_p": 1.0})(photo, strongest)
    assert _sharpness(out) < 0.5 * _sharpness(photo)


def test_noise_adds_noise_of_about_the_drawn_strength(photo) -> None:
    flat = np.full_like(photo, 128)
    out = Degradations(noise_p=1.0, noise_std=6.0)(flat, np.random.default_rng(0))
    std = float(out.astype(np.float64).std())
    assert 0.5 < std < 7.0  # std drawn from [1, 6]


def test_probabilities_are_chances(photo) -> None:
    d = Degradations(blur_p=0.3)
    rng = np.random.default_rng(0)
    changed = sum(not np.array_equal(d(photo, rng), photo) for _ in range(300))
    assert 60 < changed < 120


def test_lower_jpeg_quality_loses_more(photo) -> None:
    low = Degradations(jpeg_p=1.0, jpeg_min=30)(photo, _Lowest())  # quality 30
    high = Degradations(jpeg_p=1.0, jpeg_min=100)(photo, np.random.default_rng(0))  # 100
    assert _err(low, photo) > 2 * _err(high, photo)
    assert _err(high, photo) > 0  # still re-compressed


def test_jpeg_keeps_the_colours(photo) -> None:
    """OpenCV encodes BGR: a red image must come back red, not blue."""
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 200
    out = Degradations(jpeg_p=1.0, jpeg_min=30)(red, _Lowest())
    r, g, b = (out[..., c].astype(float).mean() for c in range(3))
    assert r > 150 and g < 50 and b < 50
