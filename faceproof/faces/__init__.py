"""Face detection behind one small interface, and cropping faces for the models.

Detectors are created by name with `create_face_detector`; all return `Face` boxes in the
original image's pixels, best first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faceproof.faces.base import Face, FaceDetector
from faceproof.faces.crop import crop_face, whole_image_face
from faceproof.faces.dlib_hog import DlibHogFaceDetector
from faceproof.faces.haar import HaarFaceDetector
from faceproof.faces.yunet import YuNetFaceDetector

__all__ = [
    "FACE_DETECTORS",
    "DlibHogFaceDetector",
    "Face",
    "FaceDetector",
    "HaarFaceDetector",
    "YuNetFaceDetector",
    "available_face_detectors",
    "create_face_detector",
    "crop_face",
    "whole_image_face",
]

FACE_DETECTORS = ("haar", "yunet", "dlib")
"""Names `create_face_detector` knows."""


def create_face_detector(
    name: str = "haar",
    *,
    model_path: str | Path | None = None,
    min_size: int = 40,
    crop_first: bool = True,
    **kwargs: Any,
) -> FaceDetector:
    """Creates a face detector by name.

    Args:
        name: One of `FACE_DETECTORS`.
        model_path: The model file, required by "yunet".
        min_size: Smallest face side found, in pixels of the original image.
        crop_first: "haar" only (see `HaarFaceDetector`): a small image is searched for a
            face filling it first, which skips the costly small scales on face crops. The
            other detectors' cost does not grow with the smallest face, and they ignore it.
        **kwargs: Further options of the detector's class (`HaarFaceDetector`,
            `YuNetFaceDetector`, `DlibHogFaceDetector`).

    Returns:
        The detector.

    Raises:
        ValueError: Unknown name, or "yunet" without `model_path`.
        FileNotFoundError: The model or cascade file is missing.
        ImportError: "dlib" where dlib is not installed.
    """
    if name == "haar":
        return HaarFaceDetector(min_size=min_size, crop_first=crop_first, **kwargs)
    if name == "yunet":
        if model_path is None:
            raise ValueError("The 'yunet' face detector needs model_path (a YuNet .onnx file).")
        return YuNetFaceDetector(model_path, min_size=min_size, **kwargs)
    if name == "dlib":
        return DlibHogFaceDetector(min_size=min_size, **kwargs)
    known = ", ".join(FACE_DETECTORS)
    raise ValueError(f"Unknown face detector {name!r}; known: {known}.")


def available_face_detectors(yunet_model_path: str | Path | None = None) -> dict[str, str]:
    """Says which detectors can be created here, for a `doctor` report.

    Args:
        yunet_model_path: The YuNet model to try; without it YuNet is reported unconfigured.

    Returns:
        Detector name to "ok" or the reason it cannot be used.
    """
    status = {}
    for name in FACE_DETECTORS:
        if name == "yunet" and yunet_model_path is None:
            status[name] = "no model path configured"
            continue
        try:
            create_face_detector(name, model_path=yunet_model_path)
        except Exception as exc:  # a report lists every failure rather than stopping at one
            status[name] = f"unavailable: {exc}"
        else:
            status[name] = "ok"
    return status
