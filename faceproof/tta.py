"""Test-time augmentation: score each face in a few mild variants and average.

The variants are deterministic so that the same upload always gets the same answer.
"""

from __future__ import annotations

import numpy as np

VIEWS = ("original", "hflip", "color")


def _mild_color(crop: np.ndarray) -> np.ndarray:
    """+10 % contrast around the crop's mean and +4 % brightness."""
    x = crop.astype(np.float32)
    mean = x.mean(axis=(0, 1), keepdims=True)
    return np.clip((x - mean) * 1.10 + mean * 1.04, 0, 255).astype(np.uint8)


def tta_views(crop: np.ndarray, *, mirror: bool = True) -> list[np.ndarray]:
    """The crop as the model sees it, mirrored, and with a mild colour change (see VIEWS).

    `mirror` False leaves the mirrored view out, for a model that already averages each face
    with its mirror image (a bundle's `head.mirror_average`): it would score the same."""
    mirrored = [np.ascontiguousarray(crop[:, ::-1])] if mirror else []
    return [crop, *mirrored, _mild_color(crop)]


def average_views(probabilities: np.ndarray, n_views: int) -> np.ndarray:
    """(n_items * n_views,) probabilities, grouped by item, -> (n_items,) means."""
    return np.asarray(probabilities, dtype=np.float64).reshape(-1, n_views).mean(axis=1)
