"""Haar's shortcut for face crops: large faces first in a small near-square image, the full
search only when none is found; the same faces as the full search where it applies."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from faceproof.faces import create_face_detector
from faceproof.faces.haar import _crop_like

FACE = (slice(40, 190), slice(150, 300))  # rows, cols around the astronaut's face


@pytest.fixture(scope="module")
def detectors():
    return create_face_detector("haar"), create_face_detector("haar", crop_shortcut=False)


def test_a_tight_crop_gives_the_full_search_face_faster(astronaut, detectors):
    shortcut, full = detectors
    crop = cv2.resize(astronaut[FACE], (224, 224), interpolation=cv2.INTER_AREA)
    a, b = shortcut.detect(crop), full.detect(crop)
    assert len(a) == len(b) == 1 and a[0] == b[0]

    def best_of(detector, n=5):
        times = []
        for _ in range(n):
            start = time.perf_counter()
            detector.detect(crop)
            times.append(time.perf_counter() - start)
        return min(times)

    assert best_of(shortcut) < best_of(full)


def test_a_small_face_in_a_small_image_is_still_found(astronaut, detectors):
    """No face of 40 % of the side: the full search runs and finds the small one."""
    shortcut, full = detectors
    face = cv2.resize(astronaut[FACE], (90, 90), interpolation=cv2.INTER_AREA)
    image = np.full((300, 300, 3), 120, np.uint8)
    image[100:190, 100:190] = face
    found = shortcut.detect(image)
    assert found and found == full.detect(image)
    assert found[0].width < 0.4 * 300


def test_only_small_near_square_images_are_treated_as_crops():
    assert _crop_like(np.zeros((224, 224), np.uint8))
    assert _crop_like(np.zeros((300, 400), np.uint8))
    assert not _crop_like(np.zeros((200, 400), np.uint8))      # a strip
    assert not _crop_like(np.zeros((1080, 1080), np.uint8))    # a large photo
