"""dlib's frontal face detector: HOG features and a linear classifier, built into dlib.

It needs no model file (the detector is compiled into dlib), so it works offline where
OpenCV's YuNet model cannot be fetched. On the shared data's face crops it finds about as
many faces as Haar in a third to a half of the time; on a 1080p scene it is barely faster,
and it misses faces under its 80 px window at the working scale (`python -m bench.detectors`).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from faceproof.faces.base import DEFAULT_MAX_SIDE, Face, detect_in_frame

HOG_WINDOW = 80
"""Side of the detector's scanning window: without upsampling, the smallest face it finds
(in pixels of the working copy; upsampling once halves it, at about four times the cost)."""


def _load_dlib() -> Any:
    try:
        import dlib
    except ImportError as exc:
        raise ImportError("The 'dlib' face detector needs dlib (pip install dlib-bin).") from exc
    return dlib


class DlibHogFaceDetector:
    """Finds frontal faces with `dlib.get_frontal_face_detector()`.

    Attributes:
        name: "dlib".
    """

    name = "dlib"

    def __init__(
        self,
        min_size: int = 40,
        score_threshold: float = 0.0,
        max_side: int = DEFAULT_MAX_SIDE,
        upsample: int | None = None,
    ) -> None:
        """Creates the detector.

        Args:
            min_size: Smallest face side kept, in pixels of the original image. Faces smaller
                than the scan window (`HOG_WINDOW` working-copy pixels) are not found unless
                the image is upsampled.
            score_threshold: Lowest detection score kept (dlib's SVM margin; 0 is its own
                default).
            max_side: Longest side detection runs at; larger images are scaled down first.
            upsample: How many times dlib doubles the image before scanning; None upsamples
                once only working copies whose shorter side is under two scan windows (small
                crops, where it is cheap) and never larger ones.

        Raises:
            ImportError: dlib is not installed.
        """
        dlib = _load_dlib()
        self._detector = dlib.get_frontal_face_detector()
        self.min_size = min_size
        self.score_threshold = score_threshold
        self.max_side = max_side
        self.upsample = upsample
        # dlib's detector object is not documented as thread-safe: one scan at a time.
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[Face]:
        """Finds faces; see `FaceDetector.detect`."""
        return detect_in_frame(image, self._detect_work, max_side=self.max_side)

    def _detect_work(self, work: np.ndarray, scale: float) -> list[Face]:
        min_side = self.min_size * scale
        upsample = self.upsample
        if upsample is None:
            upsample = 1 if min(work.shape[:2]) < 2 * HOG_WINDOW else 0
        with self._lock:
            rects, scores, _ = self._detector.run(
                np.ascontiguousarray(work), upsample, self.score_threshold
            )
        faces = []
        for rect, score in zip(rects, scores, strict=True):
            width, height = rect.width(), rect.height()
            if min(width, height) < min_side:
                continue
            faces.append(
                Face(
                    x=rect.left(),
                    y=rect.top(),
                    width=max(1, width),
                    height=max(1, height),
                    score=_unit_score(score),
                )
            )
        return faces


def _unit_score(margin: float) -> float:
    """Maps dlib's SVM margin (about -1..3) into 0..1, keeping the order."""
    return float(1.0 / (1.0 + np.exp(-2.0 * margin)))
