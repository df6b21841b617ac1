"""Tests for training.sbi (self-blended images) and how MixDataset and training.train use
them: blends stay inside the face, follow its landmarks, and are drawn at the asked share."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from training.config import load_config
from training.datasets import Sample
from training.distill import teacher_rows
from training.face_cache import open_face_cache
from training.image_dataset import SBI_ROW_OFFSET, MixDataset
from training.mix import draw_weights
from training.sbi import hull_mask, max_mask_reach, self_blend, soft_mask
from training.train import sbi_draws

SIZE = 128


@pytest.fixture(scope="module")
def face(astronaut, tmp_path_factory) -> tuple[np.ndarray, np.ndarray]:
    """The astronaut's served crop at 128 px and its 68 landmarks (dlib), via the cache."""
    root = tmp_path_factory.mktemp("sbi")
    Image.fromarray(astronaut).save(root / "astronaut.png")
    cache = open_face_cache(
        [Sample(root / "astronaut.png", 0, None, "s", "d")], root / "c", SIZE, margin=0.3, workers=1
    )
    assert cache.detected[0]
    return np.array(cache.images[0]), cache.landmarks[0].copy()


def _diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int32) - b.astype(np.int32)).sum(axis=2)


@pytest.mark.parametrize("seed", range(6))
def test_blend_is_exact_outside_the_mask_and_the_reach_of_the_hull(face, seed) -> None:
    image, marks = face
    out, mask = self_blend(image, marks, np.random.default_rng(seed))
    assert out.shape == image.shape and out.dtype == np.uint8
    assert mask.shape == image.shape[:2] and mask.dtype == np.float32
    assert mask.min() >= 0 and mask.max() <= 1
    assert (mask == 0).any()
    assert np.array_equal(out[mask == 0], image[mask == 0])
    reach = max_mask_reach(image.shape[:2])
    grown = cv2.dilate(
        hull_mask(marks, image.shape[:2]), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    )
    far = grown == 0
    assert far.any(), "the test needs pixels beyond the reach"
    assert np.array_equal(out[far], image[far]) and (mask[far] == 0).all()


@pytest.mark.parametrize("seed", range(6))
def test_blend_changes_the_face_inside_the_hull(face, seed) -> None:
    image, marks = face
    out, mask = self_blend(image, marks, np.random.default_rng(seed))
    core = cv2.erode(hull_mask(marks, image.shape[:2]), np.ones((9, 9), np.uint8)) > 0
    assert mask[core].mean() >= 0.2  # the smallest blend ratio is 0.25
    diff = _diff(out, image)
    assert (diff[core] > 0).mean() > 0.9
    assert diff[core].mean() > 5  # sum over channels, 0-765


def test_blends_differ_between_draws(face) -> None:
    image, marks = face
    a, _ = self_blend(image, marks, np.random.default_rng(0))
    b, _ = self_blend(image, marks, np.random.default_rng(1))
    again, _ = self_blend(image, marks, np.random.default_rng(0))
    assert not np.array_equal(a, b) and np.array_equal(a, again)


def _centre(weights: np.ndarray) -> np.ndarray:
    """Weighted centroid (x, y) of a 2-D array."""
    ys, xs = np.indices(weights.shape)
    return np.array([(xs * weights).sum(), (ys * weights).sum()]) / weights.sum()


def test_the_mask_sits_on_the_landmarks_and_moves_with_them(face) -> None:
    image, marks = face
    shape = image.shape[:2]
    hull = cv2.convexHull(np.round(marks).astype(np.int32))
    moments = cv2.moments(hull)
    hull_centre = np.array([moments["m10"], moments["m01"]]) / moments["m00"]
    mask = soft_mask(marks, shape, np.random.default_rng(3))
    # the chin may leave the crop: compare with the hull's part inside it
    inside = hull_mask(marks, shape)
    assert np.abs(_centre(mask) - _centre(inside)).max() < 3
    assert np.abs(_centre(inside) - hull_centre).max() < 6
    # the mask covers the hull's middle and nothing far from it
    assert mask[inside > 0].mean() > 0.5 and mask[inside == 0].mean() < 0.1
    shift = np.array([-9.0, -6.0], dtype=np.float32)  # up: the chin comes into the crop
    moved = soft_mask(marks + shift, shape, np.random.default_rng(3))  # same draws
    assert np.allclose(_centre(moved) - _centre(mask), shift, atol=1.0)


def test_hull_mask_is_the_filled_hull() -> None:
    square = np.array([[10, 10], [30, 10], [30, 20], [10, 20], [20, 15]], dtype=np.float32)
    mask = hull_mask(square, (40, 50))
    assert mask.dtype == np.float32 and set(np.unique(mask)) == {0.0, 1.0}
    assert mask[10:21, 10:31].all() and mask.sum() == 11 * 21


# --------------------------------------------------------------------------- MixDataset
def _tiny(n: int = 4, size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Textured images and a ring of 68 landmarks around each image's centre."""
    images = np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)
    angle = np.linspace(0, 2 * np.pi, 68, endpoint=False)
    ring = np.stack(
        [size / 2 + size / 4 * np.cos(angle), size / 2 + size / 3 * np.sin(angle)], axis=1
    ).astype(np.float32)
    return images, np.repeat(ring[None], n, axis=0)


def _as_uint8(tensor: torch.Tensor) -> np.ndarray:
    return tensor.permute(1, 2, 0).numpy().astype(np.uint8)


def _dataset(images, labels, landmarks, **kwargs) -> MixDataset:
    return MixDataset(
        images, labels, np.arange(len(labels)), lambda t: t.float(), landmarks=landmarks, **kwargs
    )


def test_only_real_rows_with_landmarks_are_blended() -> None:
    images, marks = _tiny()
    marks[1] = np.nan  # REAL, no face found
    labels = np.array([0, 0, 1, 0])  # row 2 is FAKE; row 3 REAL with landmarks
    ds = _dataset(images, labels, marks, sbi_p=1.0)
    for _ in range(20):
        image, label, row = ds[1]
        assert float(label) == 0.0 and row == 1
        assert np.array_equal(_as_uint8(image), images[1])
        image, label, row = ds[2]
        assert float(label) == 1.0 and row == 2
        assert np.array_equal(_as_uint8(image), images[2])
    image, label, row = ds[3]
    assert float(label) == 1.0 and row == -1  # self-blended: no cache row of its own
    assert not np.array_equal(_as_uint8(image), images[3])


def test_without_sbi_p_or_landmarks_nothing_is_blended() -> None:
    images, marks = _tiny()
    labels = np.zeros(4, dtype=int)
    for ds in (
        _dataset(images, labels, marks, sbi_p=0.0),
        _dataset(images, labels, None, sbi_p=1.0),
    ):
        for k in range(4):
            image, label, row = ds[k]
            assert float(label) == 0.0 and row == k
            assert np.array_equal(_as_uint8(image), images[k])


def test_sbi_p_sets_the_share_of_blended_real_draws() -> None:
    images, marks = _tiny(n=2, size=16)
    ds = _dataset(images, np.zeros(2, dtype=int), marks, sbi_p=0.3, seed=5)
    blended = sum(float(ds[k % 2][1]) for k in range(1000))
    assert 240 < blended < 360


def test_bank_mode_serves_the_bank_image_and_reports_its_row() -> None:
    images, marks = _tiny(n=6)
    labels = np.array([0, 1, 0, 0, 0, 0])
    bank = np.stack([np.full((32, 32, 3), v, np.uint8) for v in (11, 22)])
    bank_rows = {2: 0, 5: 1}  # cache row -> bank row
    ds = _dataset(images, labels, marks, sbi_p=1.0, sbi_bank=bank, bank_rows=bank_rows)
    for cache_row, bank_row in bank_rows.items():
        image, label, row = ds[cache_row]
        assert float(label) == 1.0 and row == SBI_ROW_OFFSET + bank_row
        assert np.array_equal(_as_uint8(image), bank[bank_row])
    # a blendable REAL row outside the bank is served as it is (no fresh blend)
    image, label, row = ds[3]
    assert float(label) == 0.0 and row == 3 and np.array_equal(_as_uint8(image), images[3])
    # the teacher's logits hold the cache's rows, then the bank's
    rows = torch.tensor([3, SBI_ROW_OFFSET + 1, SBI_ROW_OFFSET + 0])
    assert teacher_rows(rows, 6).tolist() == [3, 7, 6]


# --------------------------------------------------------------------------- sbi_draws
@pytest.mark.parametrize(("fraction", "blendable"), [(0.25, 0.5), (0.2, 1.0), (0.4, 0.9)])
def test_sbi_draws_make_sbi_fraction_of_all_draws_self_blended(fraction, blendable) -> None:
    config = load_config(None, [f"sbi_fraction={fraction}"])
    labels = np.array([0] * 100 + [1] * 50)
    marks = np.zeros((150, 68, 2), np.float32)
    marks[int(blendable * 100) : 100] = np.nan
    real_share, p = sbi_draws(config, labels, np.arange(150), marks)
    assert 0 < p <= 1
    assert real_share * blendable * p == pytest.approx(fraction)
    # REAL draws that stay genuine and FAKE draws balance the classes
    assert real_share * (1 - blendable * p) + fraction == pytest.approx(0.5 + fraction)
    assert (1 - real_share) + fraction == pytest.approx(0.5)


def test_sbi_draws_off_or_out_of_range() -> None:
    labels = np.array([0, 0, 1])
    marks = np.zeros((3, 68, 2), np.float32)
    assert sbi_draws(load_config(None, []), labels, np.arange(3), marks) == (0.5, 0.0)
    on = load_config(None, ["sbi_fraction=0.2"])
    assert sbi_draws(on, labels, np.arange(3), None) == (0.5, 0.0)
    assert sbi_draws(on, labels, np.arange(3), np.full_like(marks, np.nan)) == (0.5, 0.0)
    with pytest.raises(ValueError, match="sbi_fraction"):
        sbi_draws(load_config(None, ["sbi_fraction=0.5"]), labels, np.arange(3), marks)


def test_weighted_draws_through_the_dataset_give_the_configured_shares() -> None:
    """What training does: draw rows by `draw_weights`, blend in `MixDataset`."""
    n_real, n_fake = 30, 20
    images, marks = _tiny(n=n_real + n_fake, size=16)
    labels = np.array([0] * n_real + [1] * n_fake)
    marks[:10] = np.nan  # a third of the genuine faces have no landmarks
    config = load_config(None, ["sbi_fraction=0.25"])
    real_share, p = sbi_draws(config, labels, np.arange(len(labels)), marks)
    samples = [Sample(Path(f"{i}"), int(y), None, "d", "d") for i, y in enumerate(labels)]
    weights = draw_weights(samples, {}, real_share)
    rows = np.random.default_rng(0).choice(len(labels), size=2000, p=weights)
    ds = _dataset(images, labels, marks, sbi_p=p, seed=1)
    items = [ds[int(r)] for r in rows]
    blended = np.mean([row == -1 for _, _, row in items])
    fake = np.mean([float(label) for _, label, _ in items])
    assert abs(blended - 0.25) < 0.03
    assert abs(fake - 0.5) < 0.03
