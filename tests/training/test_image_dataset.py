"""Tests for training.image_dataset: items of the cached-image Dataset and class weights."""

from __future__ import annotations

import numpy as np
import torch

from training.image_dataset import CachedImageDataset


def _images(n: int = 6, size: int = 4) -> np.ndarray:
    """Image i is filled with the value i, so an item shows which row it came from."""
    return np.broadcast_to(
        np.arange(n, dtype=np.uint8)[:, None, None, None], (n, size, size, 3)
    ).copy()


def test_items_are_transformed_image_float_label_and_row() -> None:
    images = _images()
    labels = np.array([0, 1, 1, 0, 1, 0])
    indices = np.array([4, 1, 3])
    dataset = CachedImageDataset(images, labels, indices, lambda x: x.float() * 2)
    assert len(dataset) == 3
    for item, row in enumerate(indices):
        image, label, index = dataset[item]
        assert index == row
        assert image.shape == (3, 4, 4)  # HWC cache -> CHW tensor
        assert image.dtype == torch.float32
        assert torch.all(image == 2.0 * row)
        assert label.dtype == torch.float32
        assert label.item() == float(labels[row])


def test_items_copy_from_a_read_only_cache() -> None:
    images = _images()
    images.setflags(write=False)
    dataset = CachedImageDataset(images, np.zeros(6, dtype=int), np.arange(6), lambda x: x)
    image, _, _ = dataset[2]
    image += 1  # must not touch the cache
    assert images[2].max() == 2


def test_sample_weights_draw_both_classes_equally() -> None:
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 0, 1, 1])
    indices = np.array([0, 1, 2, 3, 4, 5, 9])  # 5 REAL, 2 FAKE selected
    dataset = CachedImageDataset(_images(10), labels, indices, lambda x: x)
    weights = dataset.sample_weights()
    assert weights.shape == (7,)
    torch.testing.assert_close(weights, torch.tensor([0.2] * 5 + [0.5] * 2, dtype=torch.float64))
    selected = labels[indices]
    assert weights[selected == 0].sum() == weights[selected == 1].sum()
