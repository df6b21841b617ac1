"""OpenCV's YuNet face detector: a small CNN, better than Haar on turned and small faces."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from faceproof.faces.base import DEFAULT_MAX_SIDE, Face, detect_in_frame

_INITIAL_SIZE = (320, 320)


class YuNetFaceDetector:
    """Finds faces and five landmarks with a YuNet ONNX model through `cv2.FaceDetectorYN`.

    Attributes:
        name: "yunet".
    """

    name = "yunet"

    def __init__(
        self,
        model_path: str | Path,
        score_threshold: float = 0.6,
        nms_threshold: float = 0.3,
        min_size: int = 20,
        max_side: int = DEFAULT_MAX_SIDE,
    ) -> None:
        """Loads the model.

        Args:
            model_path: The YuNet `.onnx` file.
            score_threshold: Lowest score kept.
            nms_threshold: Overlap (IoU) above which the weaker of two boxes is dropped.
            min_size: Smallest face side kept, in pixels of the original image.
            max_side: Longest side detection runs at; larger images are scaled down first.

        Raises:
            FileNotFoundError: `model_path` is not a file.
        """
        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"YuNet model not found: {path}")
        self._net = cv2.FaceDetectorYN.create(
            str(path), "", _INITIAL_SIZE, score_threshold, nms_threshold
        )
        self.model_path = path
        self.min_size = min_size
        self.max_side = max_side
        # The input size is state on the shared detector: set it and detect as one step.
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[Face]:
        """Finds faces with landmarks; see `FaceDetector.detect`."""
        return detect_in_frame(image, self._detect_work, max_side=self.max_side)

    def _detect_work(self, work: np.ndarray, scale: float) -> list[Face]:
        bgr = cv2.cvtColor(work, cv2.COLOR_RGB2BGR)
        with self._lock:
            self._net.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, rows = self._net.detect(bgr)
        if rows is None:
            return []
        min_side = self.min_size * scale
        faces = []
        for row in rows:
            x, y, w, h = (float(v) for v in row[:4])
            if min(w, h) < min_side:
                continue
            points = row[4:14].reshape(5, 2)
            faces.append(
                Face(
                    x=round(x),
                    y=round(y),
                    width=max(1, round(w)),
                    height=max(1, round(h)),
                    score=float(row[14]),
                    landmarks=tuple((float(px), float(py)) for px, py in points),
                )
            )
        return faces
