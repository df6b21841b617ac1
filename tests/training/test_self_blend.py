"""Served face crops with landmarks, self-blended fakes and degradations."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from training.config import load_config
from training.datasets import Sample
from training.degrade import Degradations
from training.face_cache import open_face_cache
from training.image_dataset import SBI_ROW_OFFSET, MixDataset
from training.sbi import hull_mask, max_mask_reach, self_blend
from training.train import sbi_bank, sbi_draws


@pytest.fixture(scope="module")
def face_cache(astronaut, tmp_path_factory):
    """The astronaut photo (a face) and a flat grey image (none), cached as served crops."""
    root = tmp_path_factory.mktemp("faces")
    Image.fromarray(astronaut).save(root / "astronaut.jpg", quality=95)
    Image.fromarray(np.full((200, 200, 3), 128, np.uint8)).save(root / "grey.jpg")
    samples = [Sample(root / "astronaut.jpg", 0, "a", "photos", "set"),
               Sample(root / "grey.jpg", 0, "b", "flat", "set")]
    return samples, open_face_cache(samples, root / "cache", 128, margin=0.3), root


def test_served_crops_find_the_face_and_its_landmarks(face_cache):
    _, cache, _ = face_cache
    assert cache.images.shape == (2, 128, 128, 3)
    assert cache.detected.tolist() == [True, False]
    marks = cache.landmarks[0]
    assert np.isfinite(marks).all()
    # eyes (points 36-47) well inside the crop; the chin may reach just past its edge
    assert (marks[36:48] > 10).all() and (marks[36:48] < 118).all()
    assert (marks > -10).all() and (marks < 138).all()
    # the face is centred in a served crop: the landmarks' centre is near the middle
    assert np.abs(marks.mean(axis=0) - 64).max() < 20
    assert np.isnan(cache.landmarks[1]).all()
    stats = cache.meta["by_source"]
    assert stats["photos"]["face_found"] == 1 and stats["flat"]["whole_image"] == 1


def test_the_cache_is_reused(face_cache):
    samples, cache, root = face_cache
    files = sorted(p.name for p in (root / "cache").iterdir())
    again = open_face_cache(samples, root / "cache", 128, margin=0.3)
    assert sorted(p.name for p in (root / "cache").iterdir()) == files
    assert np.array_equal(np.asarray(again.images), np.asarray(cache.images))
    # another margin is another cache
    open_face_cache(samples, root / "cache", 128, margin=0.5, landmarks=False)
    assert len(list((root / "cache").iterdir())) > len(files)


@pytest.fixture(scope="module")
def face(face_cache):
    _, cache, _ = face_cache
    return np.array(cache.images[0]), cache.landmarks[0]


def test_blend_leaves_the_image_untouched_outside_the_mask(face):
    image, marks = face
    for seed in range(5):
        out, mask = self_blend(image, marks, np.random.default_rng(seed))
        assert out.shape == image.shape and out.dtype == np.uint8
        assert np.array_equal(out[mask == 0], image[mask == 0])
        reach = max_mask_reach(image.shape[:2])
        grown = cv2.dilate(hull_mask(marks, image.shape[:2]),
                           np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        assert np.array_equal(out[grown == 0], image[grown == 0])


def test_blend_changes_the_face(face):
    image, marks = face
    out, mask = self_blend(image, marks, np.random.default_rng(1))
    inside = hull_mask(marks, image.shape[:2]) > 0
    diff = np.abs(out.astype(int) - image.astype(int)).sum(axis=2)
    assert diff[inside].mean() > 1.0
    assert mask[inside].mean() > 0.2


def test_the_mask_follows_the_landmarks(face):
    image, marks = face
    centre = lambda m: np.array(np.nonzero(m)).mean(axis=1)[::-1]  # noqa: E731  (x, y)
    mask = hull_mask(marks, image.shape[:2])
    assert np.abs(centre(mask) - marks.mean(axis=0)).max() < 6
    shifted = hull_mask(marks + np.array([10.0, 5.0], np.float32), image.shape[:2])
    assert np.allclose(centre(shifted) - centre(mask), [10, 5], atol=1.5)


def _dataset(images, landmarks, labels, **kwargs):
    return MixDataset(images, labels, np.arange(len(labels)),
                      lambda t: t.float(), landmarks=landmarks, **kwargs)


def test_mix_dataset_blends_only_real_faces_with_landmarks(face_cache):
    _, cache, _ = face_cache
    labels = np.array([0, 0])
    ds = _dataset(cache.images, cache.landmarks, labels, sbi_p=1.0)
    _, label, row = ds[0]
    assert float(label) == 1.0 and row == -1  # self-blended
    _, label, row = ds[1]  # no landmarks: never blended
    assert float(label) == 0.0 and row == 1
    fakes = _dataset(cache.images, cache.landmarks, np.array([1, 1]), sbi_p=1.0)
    assert float(fakes[0][1]) == 1.0 and fakes[0][2] == 0  # a FAKE row is served as it is


def test_bank_mode_reports_the_bank_row(face_cache, tmp_path):
    _, cache, _ = face_cache
    labels = np.array([0, 0])
    bank, rows = sbi_bank(cache.images, cache.landmarks, labels, np.arange(2), tmp_path)
    assert rows == {0: 0} and bank.shape == (1, 128, 128, 3)
    ds = _dataset(cache.images, cache.landmarks, labels, sbi_p=1.0, sbi_bank=bank,
                  bank_rows=rows)
    image, label, row = ds[0]
    assert float(label) == 1.0 and row == SBI_ROW_OFFSET + 0
    assert np.array_equal(image.permute(1, 2, 0).numpy().astype(np.uint8), bank[0])


def test_sbi_draws_give_the_configured_share():
    config = load_config(None, ["sbi_fraction=0.25"])
    labels = np.array([0] * 60 + [1] * 40)
    landmarks = np.zeros((100, 68, 2), np.float32)
    landmarks[:30] = np.nan  # half the genuine faces cannot be blended
    real_share, p = sbi_draws(config, labels, np.arange(100), landmarks)
    assert real_share == pytest.approx(0.75)
    # draws: 75 % REAL, half of those blendable, blended with p -> 25 % of all draws
    assert real_share * 0.5 * p == pytest.approx(0.25)
    assert sbi_draws(load_config(None, []), labels, np.arange(100), landmarks) == (0.5, 0.0)


def test_degradations_inactive_leave_the_image(face):
    image, _ = face
    assert np.array_equal(Degradations()(image, np.random.default_rng(0)), image)


@pytest.mark.parametrize("kind", ["jpeg", "scale", "blur", "noise"])
def test_each_degradation_changes_the_image(face, kind):
    image, _ = face
    out = Degradations(**{f"{kind}_p": 1.0})(image, np.random.default_rng(0))
    assert out.shape == image.shape and out.dtype == np.uint8
    assert not np.array_equal(out, image)


def test_lower_jpeg_quality_loses_more(face):
    image, _ = face
    err = {}
    for q in (30, 100):
        out = Degradations(jpeg_p=1.0, jpeg_min=q)(image, np.random.default_rng(0))
        err[q] = np.abs(out.astype(int) - image.astype(int)).mean()
    assert err[30] > 2 * err[100]
