"""OpenCV's Haar cascade face detector: no model file to ship, fast, frontal faces only."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import cv2
import numpy as np

from faceproof.faces.base import DEFAULT_MAX_SIDE, Face, detect_in_frame

CASCADE_PATH = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
WEIGHT_SCALE = 2.0
"""Divides the cascade's level weight before the logistic: weight 0 -> 0.5, 2 -> 0.73,
6 -> 0.95. Clear frontal faces measured 4 to 8 here."""
_MIN_WINDOW = 4


class HaarFaceDetector:
    """Finds frontal faces with `haarcascade_frontalface_default.xml`.

    A Haar cascade gives no probability, so the score is the last stage's level weight squashed
    by a logistic (`WEIGHT_SCALE`): monotone, comparable between faces, not calibrated.

    Attributes:
        name: "haar".
    """

    name = "haar"

    def __init__(
        self,
        min_size: int = 40,
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
        max_side: int = DEFAULT_MAX_SIDE,
    ) -> None:
        """Loads the cascade.

        Args:
            min_size: Smallest face side found, in pixels of the original image.
            scale_factor: Step between the cascade's search scales (smaller is slower and finds
                more).
            min_neighbors: Overlapping hits needed to keep a face (higher: fewer false ones).
            max_side: Longest side detection runs at; larger images are scaled down first.

        Raises:
            FileNotFoundError: The cascade file is missing from this OpenCV install.
        """
        if not CASCADE_PATH.is_file():
            raise FileNotFoundError(f"Haar cascade not found: {CASCADE_PATH}")
        self._cascade = cv2.CascadeClassifier(str(CASCADE_PATH))
        if self._cascade.empty():
            raise FileNotFoundError(f"Haar cascade could not be loaded: {CASCADE_PATH}")
        self.min_size = min_size
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.max_side = max_side
        # OpenCV does not promise that one classifier may run in several threads at once.
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[Face]:
        """Finds frontal faces; see `FaceDetector.detect`."""
        return detect_in_frame(image, self._detect_work, max_side=self.max_side)

    def _detect_work(self, work: np.ndarray, scale: float) -> list[Face]:
        grey = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
        window = max(_MIN_WINDOW, round(self.min_size * scale))
        with self._lock:
            boxes, _, weights = self._cascade.detectMultiScale3(
                grey,
                scaleFactor=self.scale_factor,
                minNeighbors=self.min_neighbors,
                minSize=(window, window),
                outputRejectLevels=True,
            )
        return [
            Face(x=int(x), y=int(y), width=int(w), height=int(h), score=_squash(float(weight)))
            for (x, y, w, h), weight in zip(boxes, np.ravel(weights), strict=True)
        ]


def _squash(weight: float) -> float:
    return 1.0 / (1.0 + math.exp(-weight / WEIGHT_SCALE))
