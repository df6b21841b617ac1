"""Tests for training.cache: decode once into a memmap, reuse it, rebuild when files change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import training.cache
from training.cache import open_image_cache
from training.datasets import Sample

COLOURS = [(255, 0, 0), (0, 128, 255), (40, 200, 90)]


@pytest.fixture
def samples(tmp_path: Path) -> list[Sample]:
    """Solid-colour images of different sizes and formats."""
    specs = [("a.png", (50, 40)), ("b.jpg", (20, 30)), ("c.png", (32, 32))]
    out = []
    for i, ((name, size), colour) in enumerate(zip(specs, COLOURS, strict=True)):
        path = tmp_path / "images" / name
        path.parent.mkdir(exist_ok=True)
        Image.new("RGB", size, colour).save(path, quality=95)
        out.append(Sample(path, i % 2, None))
    return out


def test_cache_holds_every_image_resized(samples: list[Sample], tmp_path: Path) -> None:
    images = open_image_cache(samples, tmp_path / "cache", size=16, workers=1)
    assert isinstance(images, np.memmap)
    assert images.shape == (3, 16, 16, 3)
    assert images.dtype == np.uint8
    for image, colour in zip(images, COLOURS, strict=True):
        # the PNGs are exact; the JPEG may move a solid colour by a few levels
        np.testing.assert_allclose(image.reshape(-1, 3), np.tile(colour, (256, 1)), atol=4)
    assert not images.flags.writeable


def test_second_open_reuses_the_cache(
    samples: list[Sample], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = open_image_cache(samples, tmp_path / "cache", size=16, workers=1)
    files = sorted((tmp_path / "cache").iterdir())

    def no_decoding(path):
        raise AssertionError(f"decoded {path} again")

    monkeypatch.setattr(training.cache, "load_image", no_decoding)
    second = open_image_cache(samples, tmp_path / "cache", size=16, workers=1)
    assert second.filename == first.filename
    np.testing.assert_array_equal(second, first)
    assert sorted((tmp_path / "cache").iterdir()) == files


def test_changed_file_list_or_size_builds_a_new_cache(
    samples: list[Sample], tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    full = open_image_cache(samples, cache_dir, size=16, workers=1)
    fewer = open_image_cache(samples[1:], cache_dir, size=16, workers=1)
    bigger = open_image_cache(samples, cache_dir, size=8, workers=1)
    assert len({full.filename, fewer.filename, bigger.filename}) == 3
    assert fewer.shape == (2, 16, 16, 3)
    np.testing.assert_array_equal(fewer, full[1:])
    assert bigger.shape == (3, 8, 8, 3)
    assert len(list(cache_dir.glob("*.u8"))) == 3
    assert not list(cache_dir.glob("*partial*"))


def test_rewritten_file_builds_a_new_cache(samples: list[Sample], tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    before = open_image_cache(samples, cache_dir, size=16, workers=1)
    Image.new("RGB", (60, 60), (9, 9, 9)).save(samples[0].path)  # same name, new size
    after = open_image_cache(samples, cache_dir, size=16, workers=1)
    assert after.filename != before.filename
    assert after[0].max() == 9
