"""Tests for faceproof.tta: deterministic test-time augmentation views."""

from __future__ import annotations

import numpy as np

from faceproof.tta import VIEWS, average_views, tta_views


def _crop() -> np.ndarray:
    return np.random.default_rng(0).integers(20, 236, (24, 32, 3), dtype=np.uint8)


def test_three_views() -> None:
    crop = _crop()
    views = tta_views(crop)
    assert len(views) == len(VIEWS) == 3
    assert all(v.shape == crop.shape and v.dtype == np.uint8 for v in views)
    np.testing.assert_array_equal(views[0], crop)


def test_flip_is_a_mirror() -> None:
    crop = _crop()
    flipped = tta_views(crop)[1]
    np.testing.assert_array_equal(flipped, np.fliplr(crop))
    np.testing.assert_array_equal(flipped[:, 0], crop[:, -1])
    assert flipped.flags.c_contiguous


def test_colour_view_is_a_mild_change() -> None:
    crop = _crop()
    colour = tta_views(crop)[2]
    diff = np.abs(colour.astype(int) - crop.astype(int))
    assert diff.max() > 0
    assert diff.mean() < 15
    assert colour.std() > crop.std()  # more contrast
    assert colour.mean() > crop.mean()  # brighter


def test_colour_view_saturates_instead_of_wrapping() -> None:
    crop = np.full((4, 4, 3), 250, np.uint8)
    crop[0, 0] = 0
    colour = tta_views(crop)[2]
    assert colour.dtype == np.uint8
    assert colour[1:, 1:].min() >= 250  # bright pixels clip at 255, never wrap to dark


def test_views_are_deterministic() -> None:
    for a, b in zip(tta_views(_crop()), tta_views(_crop()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_average_views_groups_consecutive_views_by_item() -> None:
    probs = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    np.testing.assert_allclose(average_views(probs, 3), [0.2, 0.8])
    np.testing.assert_allclose(average_views(probs, 2), [0.15, 0.5, 0.85])


def test_a_model_that_averages_over_the_mirror_gets_no_mirrored_view() -> None:
    crop = _crop()
    plain, mirrored = tta_views(crop), tta_views(crop, mirror=False)
    assert len(mirrored) == 2
    np.testing.assert_array_equal(mirrored[0], plain[0])
    np.testing.assert_array_equal(mirrored[1], plain[2])  # the colour view
