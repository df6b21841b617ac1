"""Tests for training.face_cache: served face crops with 68 landmarks, cached once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import training.face_cache as face_cache
from faceproof.faces import create_face_detector, crop_face
from faceproof.preprocess import Preprocessor
from training.datasets import Sample
from training.face_cache import landmark_model_path, open_face_cache

SIZE = 128


@pytest.fixture(scope="module")
def photos(astronaut, tmp_path_factory) -> tuple[Path, list[Sample]]:
    """The astronaut as a JPEG (a face) and a flat grey image (none), from two sources."""
    root = tmp_path_factory.mktemp("face_cache")
    Image.fromarray(astronaut).save(root / "astronaut.jpg", quality=92)
    Image.fromarray(np.full((160, 240, 3), 128, np.uint8)).save(root / "grey.png")
    return root, [
        Sample(root / "astronaut.jpg", 0, "a", "photos", "mixed"),
        Sample(root / "grey.png", 1, "b", "flat", "mixed"),
    ]


@pytest.fixture(scope="module")
def cache(photos):
    root, samples = photos
    return open_face_cache(samples, root / "cache", SIZE, margin=0.3, workers=1)


def test_the_landmark_model_is_found() -> None:
    path = landmark_model_path()
    assert path is not None and path.name == "shape_predictor_68_face_landmarks.dat"


def test_the_face_is_found_and_cut_as_the_service_cuts_it(cache, photos) -> None:
    root, _ = photos
    assert cache.images.shape == (2, SIZE, SIZE, 3) and cache.images.dtype == np.uint8
    assert cache.detected.tolist() == [True, False]
    assert cache.has_landmarks().tolist() == [True, False]
    # the same crop the service scores: served detector, crop_face, the bundle's resize
    image = np.asarray(Image.open(root / "astronaut.jpg").convert("RGB"))
    face = create_face_detector("haar").detect(image)[0]
    served = Preprocessor(SIZE, (0, 0, 0), (1, 1, 1), "bicubic").resize(crop_face(image, face, 0.3))
    assert np.abs(served.astype(int) - cache.images[0].astype(int)).mean() < 1.0


def test_landmarks_lie_on_the_face_in_crop_pixels(cache) -> None:
    marks = cache.landmarks[0]
    assert marks.shape == (68, 2) and marks.dtype == np.float32 and np.isfinite(marks).all()
    eyes, nose, mouth, chin = marks[36:48], marks[30], marks[48:68], marks[8]
    assert ((eyes > 0) & (eyes < SIZE)).all() and ((mouth > 0) & (mouth < SIZE)).all()
    assert (marks > -0.2 * SIZE).all() and (marks < 1.2 * SIZE).all()
    # the face is upright and centred: eyes above the nose above the mouth above the chin
    assert eyes[:, 1].max() < nose[1] < mouth[:, 1].min() < chin[1]
    assert marks[36:42, 0].mean() < nose[0] < marks[42:48, 0].mean()  # image left to right
    assert np.abs(marks[27:36].mean(axis=0) - SIZE / 2).max() < 0.2 * SIZE  # nose mid-crop
    # the eyes are darker than the cheeks below them (the points are where the face is)
    grey = cache.images[0].astype(float).mean(axis=2)
    eye_px = [grey[int(y), int(x)] for x, y in marks[36:48]]
    cheek = [grey[int(y) + 12, int(x)] for x, y in marks[36:48]]
    assert np.mean(eye_px) < np.mean(cheek)


def test_without_a_face_the_whole_image_is_cached_without_landmarks(cache) -> None:
    assert np.isnan(cache.landmarks[1]).all()
    assert (np.asarray(cache.images[1]) == 128).all()  # the whole grey image, resized


def test_face_statistics_per_source(cache) -> None:
    stats = cache.meta["by_source"]
    assert set(stats) == {"photos", "flat"}
    assert stats["photos"]["images"] == 1 and stats["photos"]["face_found"] == 1
    assert stats["photos"]["whole_image"] == 0
    # 512 px photo, face about 96 px: image side / box side about 5
    ratio = stats["photos"]["image_to_box_p25_p50_p75"]
    assert len(ratio) == 3 and 3 < ratio[1] < 8
    assert stats["flat"] == {
        "images": 1,
        "face_found": 0,
        "whole_image": 1,
        "image_to_box_p25_p50_p75": None,
    }
    assert cache.meta["size"] == SIZE and cache.meta["margin"] == 0.3
    assert cache.meta["detector"] == "haar" and cache.meta["landmarks"] is True
    assert "detected" not in cache.meta


def test_a_second_open_reuses_the_cache(cache, photos, monkeypatch) -> None:
    root, samples = photos
    files = {p.name: p.stat().st_mtime_ns for p in (root / "cache").iterdir()}
    assert len(files) == 3  # crops, landmarks, meta

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the cache was rebuilt")

    monkeypatch.setattr(face_cache, "_build", no_rebuild)
    again = open_face_cache(samples, root / "cache", SIZE, margin=0.3)
    assert {p.name: p.stat().st_mtime_ns for p in (root / "cache").iterdir()} == files
    assert np.array_equal(np.asarray(again.images), np.asarray(cache.images))
    assert np.array_equal(again.landmarks, cache.landmarks, equal_nan=True)
    assert again.detected.tolist() == cache.detected.tolist()
    assert again.meta == cache.meta
    # other settings are another cache
    for kwargs in (
        {"margin": 0.5},
        {"landmarks": False},
        {"detector": "yunet"},
        {"crop_first": False},
    ):
        with pytest.raises(AssertionError, match="rebuilt"):
            open_face_cache(samples, root / "cache", SIZE, **{"margin": 0.3, **kwargs})
    with pytest.raises(AssertionError, match="rebuilt"):
        open_face_cache(samples, root / "cache", 64, margin=0.3)


def test_landmarks_scale_with_the_cached_size(cache, photos, tmp_path) -> None:
    _, samples = photos
    big = open_face_cache(samples[:1], tmp_path, 2 * SIZE, margin=0.3, workers=1)
    assert np.allclose(big.landmarks[0], 2 * cache.landmarks[0], atol=1.0)


def test_without_landmarks_none_are_computed(photos, tmp_path) -> None:
    _, samples = photos
    plain = open_face_cache(samples, tmp_path, SIZE, margin=0.3, landmarks=False, workers=1)
    assert plain.detected.tolist() == [True, False]
    assert np.isnan(plain.landmarks).all()


def test_yunet_cuts_the_crops_with_its_model_file(photos, tmp_path) -> None:
    model = Path(__file__).resolve().parents[3] / "shared/models/yunet"
    models = sorted(model.glob("*.onnx"))
    if not models:
        pytest.skip(f"no YuNet model in {model}")
    _, samples = photos
    cut = open_face_cache(
        samples,
        tmp_path,
        SIZE,
        margin=0.3,
        detector="yunet",
        detector_model=models[0],
        landmarks=False,
        workers=1,
    )
    assert cut.detected.tolist() == [True, False]
    assert cut.meta["detector"] == "yunet"
    # the model file is part of the key: the same settings with Haar are another cache
    haar = open_face_cache(samples, tmp_path, SIZE, margin=0.3, landmarks=False, workers=1)
    assert len(list(tmp_path.glob("faces-*.u8"))) == 2
    assert not np.array_equal(np.asarray(cut.images[0]), np.asarray(haar.images[0]))
