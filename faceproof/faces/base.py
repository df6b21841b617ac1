"""What a face detector returns and promises, and the resizing every detector shares.

Detectors work on a downscaled copy of large images (speed on 1080p photos and video frames)
and on a padded copy of small images (tight face crops, whose face touches the border, defeat
detectors that need some context around it). `detect_in_frame`
does both and maps the boxes back, so a detector only has to find faces in the array it gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import cv2
import numpy as np

DEFAULT_MAX_SIDE = 1024
SMALL_IMAGE_SIDE = 512
"""Images whose longest side is at most this are searched with a replicated border: tight
face crops (a face filling the frame) are only found that way. One padded pass instead of a
plain pass and a padded retry: on 200 DFDC crops it found the same 177 faces (the plain pass
alone 42) in 32 ms per crop instead of 51."""
PAD_FRACTION = 0.25
"""Border added on each side of a small image, as a fraction of its longest side."""


@dataclass(frozen=True)
class Face:
    """One detected face, in pixel coordinates of the image it was found in.

    Attributes:
        x: Left edge of the box.
        y: Top edge of the box.
        width: Box width, at least 1.
        height: Box height, at least 1.
        score: Detector confidence in 0..1; 0.0 for the whole-image stand-in.
        landmarks: (x, y) points where the detector gives them (YuNet: right eye, left eye,
            nose tip, right and left mouth corners); they may lie slightly outside the image.
    """

    x: int
    y: int
    width: int
    height: int
    score: float
    landmarks: tuple[tuple[float, float], ...] | None = None

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The box as (x, y, width, height)."""
        return (self.x, self.y, self.width, self.height)

    def to_dict(self) -> dict[str, Any]:
        """Returns plain JSON-ready values."""
        return {
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "height": self.height,
            "score": self.score,
            "landmarks": (None if self.landmarks is None else [[x, y] for x, y in self.landmarks]),
        }


class FaceDetector(Protocol):
    """Finds faces in an RGB image.

    Attributes:
        name: The name `create_face_detector` knows the detector by.
    """

    name: str

    def detect(self, image: np.ndarray) -> list[Face]:
        """Finds all faces.

        Args:
            image: RGB uint8 array of shape (height, width, 3).

        Returns:
            Faces sorted by score, best first, with boxes in `image`'s pixel coordinates and
            clipped to it; empty when there is none.
        """
        ...


DetectFn = Callable[[np.ndarray, float], list[Face]]
"""Finds faces in a working copy; gets the copy and its scale relative to the original."""


def detect_in_frame(
    image: np.ndarray,
    detect_fn: DetectFn,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
) -> list[Face]:
    """Runs `detect_fn` on a working copy of `image` and maps its faces back.

    The copy is `image` scaled down so that its longest side is at most `max_side`; a small
    image is padded by edge replication instead (see `SMALL_IMAGE_SIDE`).

    Args:
        image: RGB uint8 array of shape (height, width, 3), or a grey (height, width) one
            for detectors that work in grey (cheaper to scale down).
        detect_fn: Finds faces in the working copy, in the copy's coordinates; its second
            argument is the copy's scale (copy pixels per original pixel), for size limits.
        max_side: Longest side detection runs at.

    Returns:
        Faces in `image`'s coordinates, clipped to it, best score first.
    """
    check_image(image, allow_grey=True)
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    work = image
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        work = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    pad = 0
    if max(height, width) <= SMALL_IMAGE_SIDE:
        pad = max(1, round(PAD_FRACTION * max(work.shape[:2])))
        work = cv2.copyMakeBorder(work, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    faces = detect_fn(work, scale)
    mapped = [_map_back(face, pad, scale, width, height) for face in faces]
    return sorted((f for f in mapped if f is not None), key=lambda f: f.score, reverse=True)


def check_image(image: np.ndarray, allow_grey: bool = False) -> None:
    """Raises ValueError unless `image` is a non-empty RGB uint8 array (or grey, if allowed)."""
    grey = allow_grey and image.ndim == 2 and image.dtype == np.uint8
    if not grey and (image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8):
        raise ValueError(f"Expected an RGB uint8 array (H, W, 3), got {image.dtype} {image.shape}.")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"The image is empty: {image.shape}.")


def _map_back(face: Face, pad: int, scale: float, width: int, height: int) -> Face | None:
    """Maps a face from working-copy coordinates to the original image; None if outside."""
    x0 = min(max((face.x - pad) / scale, 0.0), width)
    y0 = min(max((face.y - pad) / scale, 0.0), height)
    x1 = min(max((face.x + face.width - pad) / scale, 0.0), width)
    y1 = min(max((face.y + face.height - pad) / scale, 0.0), height)
    left, top, right, bottom = round(x0), round(y0), round(x1), round(y1)
    if right <= left or bottom <= top:
        return None
    landmarks = face.landmarks
    if landmarks is not None:
        landmarks = tuple(((x - pad) / scale, (y - pad) / scale) for x, y in landmarks)
    return replace(
        face, x=left, y=top, width=right - left, height=bottom - top, landmarks=landmarks
    )
