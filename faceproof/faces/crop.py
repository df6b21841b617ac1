"""Cutting a face out of an image the way the models were trained to see it."""

from __future__ import annotations

import cv2
import numpy as np

from faceproof.faces.base import Face


def crop_face(image: np.ndarray, face: Face, margin: float = 0.3) -> np.ndarray:
    """Cuts a square around a face, padding by edge replication where it leaves the image.

    Square because the models take square inputs: resizing a non-square crop would distort the
    face. Replicated edges rather than black bars keep the crop's statistics close to the
    face's own.

    Args:
        image: RGB uint8 array of shape (height, width, 3).
        face: The face, in `image`'s coordinates; its box must overlap the image.
        margin: Context added around the face, as a fraction of its larger side, in total
            (0.3 adds 15 % on each side).

    Returns:
        A C-contiguous uint8 array of shape (side, side, 3), side = max(w, h) * (1 + margin).

    Raises:
        ValueError: Negative margin, empty box or a box that misses the image.
    """
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}.")
    if face.width <= 0 or face.height <= 0:
        raise ValueError(f"The face box is empty: {face.box}.")
    height, width = image.shape[:2]
    side = max(1, round(max(face.width, face.height) * (1.0 + margin)))
    left = round(face.x + face.width / 2 - side / 2)
    top = round(face.y + face.height / 2 - side / 2)
    right, bottom = left + side, top + side
    src_left, src_top = max(left, 0), max(top, 0)
    src_right, src_bottom = min(right, width), min(bottom, height)
    if src_right <= src_left or src_bottom <= src_top:
        raise ValueError(f"The face box {face.box} misses the {width}x{height} image.")
    crop = image[src_top:src_bottom, src_left:src_right]
    pads = (src_top - top, bottom - src_bottom, src_left - left, right - src_right)
    if any(pads):
        crop = cv2.copyMakeBorder(crop, *pads, cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(crop)


def whole_image_face(image: np.ndarray) -> Face:
    """A stand-in face covering the whole image, with score 0.0.

    Used when no face was found: the whole image is classified, and the zero score tells the
    caller to say so.
    """
    height, width = image.shape[:2]
    return Face(x=0, y=0, width=width, height=height, score=0.0)
