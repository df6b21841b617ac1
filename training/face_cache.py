"""Training crops cut the way the service cuts them, with 68 facial landmarks, cached once.

Every image goes through the serving face detector (`faceproof.faces`) and `crop_face` with
the bundle's margin, so the model trains on the crops it will be shown. Where no face is
found the service scores the whole image, and so does this cache (the sample is flagged;
`no_face: drop` in a config keeps such images out of training). Landmarks (dlib's 68-point
shape predictor, a training-only dependency) are computed once per detected face, in the
crop's pixel coordinates at the cached size, for the self-blended fakes (`training.sbi`).

The cache (`faces-<size>-<key>.u8` with `.landmarks.npy` and `.json`) is keyed by the file
list, sizes, the side, the margin and the detector; its JSON records, per source, how many
faces were found, how many images fell back to the whole image, and how large the image was
next to the face found in it (image side / box side: 1 for a tight crop, more with context).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from faceproof.decode import load_image
from faceproof.faces import create_face_detector, crop_face
from faceproof.preprocess import Preprocessor
from training.datasets import Sample

log = logging.getLogger(__name__)

LANDMARKS = 68
CACHE_VERSION = "faces-v1"


def landmark_model_path() -> Path | None:
    """dlib's 68-point model from the `face-recognition-models` package, if installed.

    Found without importing the package, whose `__init__` needs setuptools' pkg_resources.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "models" / "shape_predictor_68_face_landmarks.dat"
        if path.is_file():
            return path
    return None


class LandmarkFinder:
    """68 landmarks inside a face box (dlib), one predictor per thread."""

    def __init__(self, model_path: str | Path | None = None):
        try:
            import dlib  # noqa: F401  (the `train` extra: dlib-bin)
        except ImportError as exc:
            raise RuntimeError("landmarks need dlib: pip install -e '.[train]'") from exc
        path = model_path or landmark_model_path()
        if path is None or not Path(path).is_file():
            raise RuntimeError(
                "the 68-point landmark model is missing: pip install "
                "face-recognition-models (the `train` extra)"
            )
        self.path = str(path)
        self._local = threading.local()

    def __call__(self, image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        """(68, 2) float32 points in `image`'s pixels for the face in `box` (x, y, w, h)."""
        import dlib

        predictor = getattr(self._local, "predictor", None)
        if predictor is None:
            predictor = self._local.predictor = dlib.shape_predictor(self.path)
        x, y, w, h = box
        shape = predictor(np.ascontiguousarray(image), dlib.rectangle(x, y, x + w, y + h))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)


@dataclass
class FaceCache:
    images: np.ndarray  # (N, S, S, 3) uint8 memmap: the served crop of each sample
    landmarks: np.ndarray  # (N, 68, 2) float32 in cached pixels; NaN where none
    detected: np.ndarray  # (N,) bool: a face was found (else the whole image is cached)
    meta: dict  # per-source face statistics and the cache's settings

    def has_landmarks(self) -> np.ndarray:
        return ~np.isnan(self.landmarks[:, 0, 0])


def fingerprint(
    samples: list[Sample],
    size: int,
    margin: float,
    detector: str,
    landmarks: bool,
    detector_model: str | Path | None = None,
    crop_first: bool = False,
) -> str:
    # a detector's model file (YuNet's) counts by name and size, Haar's crop-first search by
    # a suffix; without either the key is as it always was (Haar's full search), so caches
    # already cut stay valid
    if detector_model:
        detector = f"{detector}={Path(detector_model).name}:{Path(detector_model).stat().st_size}"
    if crop_first and detector == "haar":
        detector = "haar+crop_first"
    digest = hashlib.sha256(f"{CACHE_VERSION}:{size}:{margin}:{detector}:{landmarks}".encode())
    for s in samples:
        digest.update(f"{s.path}\0{s.path.stat().st_size}\0".encode())
    return digest.hexdigest()[:16]


def served_crop(
    image: np.ndarray, detector, margin: float
) -> tuple[np.ndarray, tuple[int, int, int, int] | None, tuple[int, int, int]]:
    """The crop the service would score for the best face, its box, and the crop's
    (left, top, side) in the image; the whole image and no box when no face is found."""
    faces = detector.detect(image)
    if not faces:
        h, w = image.shape[:2]
        return image, None, (0, 0, max(h, w))
    face = faces[0]
    crop = crop_face(image, face, margin)
    side = crop.shape[0]
    left = round(face.x + face.width / 2 - side / 2)
    top = round(face.y + face.height / 2 - side / 2)
    return crop, face.box, (left, top, side)


def open_face_cache(
    samples: list[Sample],
    cache_dir: str | Path,
    size: int,
    *,
    margin: float,
    detector: str = "haar",
    detector_model: str | Path | None = None,
    crop_first: bool = True,
    landmarks: bool = True,
    workers: int | None = None,
) -> FaceCache:
    """The served crops of `samples` at `size` px (with landmarks), built on first use;
    `detector_model` is the detector's model file where it needs one (YuNet), `crop_first`
    Haar's search for a frame-filling face first (as `create_face_detector`)."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = fingerprint(samples, size, margin, detector, landmarks, detector_model, crop_first)
    data_path = cache_dir / f"faces-{size}-{key}.u8"
    marks_path = data_path.with_suffix(".landmarks.npy")
    meta_path = data_path.with_suffix(".json")
    shape = (len(samples), size, size, 3)
    if not (data_path.is_file() and meta_path.is_file() and marks_path.is_file()):
        _build(
            samples,
            data_path,
            marks_path,
            meta_path,
            shape,
            margin=margin,
            detector=detector,
            detector_model=detector_model,
            crop_first=crop_first,
            landmarks=landmarks,
            workers=workers,
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return FaceCache(
        np.memmap(data_path, dtype=np.uint8, mode="r", shape=shape),
        np.load(marks_path),
        np.array(meta.pop("detected"), dtype=bool),
        meta,
    )


def _build(
    samples,
    data_path,
    marks_path,
    meta_path,
    shape,
    *,
    margin,
    detector,
    detector_model,
    crop_first,
    landmarks,
    workers,
) -> None:
    size = shape[1]
    log.info(
        "cutting served face crops of %d images into %s (margin %.2f, %s detector%s)",
        len(samples),
        data_path,
        margin,
        detector,
        ", landmarks" if landmarks else "",
    )
    partial = data_path.with_suffix(f".partial-{os.getpid()}")
    out = np.memmap(partial, dtype=np.uint8, mode="w+", shape=shape)
    marks = np.full((len(samples), LANDMARKS, 2), np.nan, dtype=np.float32)
    ratios = np.full(len(samples), np.nan)  # image side / face box side, where found
    face_detector = create_face_detector(
        detector, model_path=detector_model or None, crop_first=crop_first
    )
    finder = LandmarkFinder() if landmarks else None
    resize = Preprocessor(size, (0, 0, 0), (1, 1, 1), "bicubic").resize

    def work(i: int) -> None:
        image = load_image(samples[i].path)
        crop, box, (left, top, side) = served_crop(image, face_detector, margin)
        out[i] = resize(crop)
        if box is None:
            return
        ratios[i] = max(image.shape[:2]) / max(box[2], box[3])
        if finder is not None:
            points = finder(image, box)
            marks[i] = (points - np.array([left, top], dtype=np.float32)) * (size / side)

    # OpenCV's detector and decoders release the GIL: threads use every core
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        list(
            tqdm(
                pool.map(work, range(len(samples))),
                total=len(samples),
                desc="face crops",
                unit="img",
                mininterval=5.0,
            )
        )
    out.flush()
    detected = ~np.isnan(ratios)
    meta = {
        "size": size,
        "margin": margin,
        "detector": detector,
        "crop_first": crop_first and detector == "haar",
        "landmarks": landmarks,
        "count": len(samples),
        "by_source": face_stats(samples, detected, ratios),
        "detected": detected.tolist(),
    }
    np.save(marks_path, marks)
    partial.rename(data_path)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


def face_stats(samples: list[Sample], detected: np.ndarray, ratios: np.ndarray) -> dict:
    """Per source: images, faces found, whole-image fallbacks, image/box ratio quartiles."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(samples):
        by_source[s.source or s.dataset].append(i)
    stats = {}
    for source, idx in sorted(by_source.items()):
        found = [i for i in idx if detected[i]]
        r = ratios[found]
        stats[source] = {
            "images": len(idx),
            "face_found": len(found),
            "whole_image": len(idx) - len(found),
            "image_to_box_p25_p50_p75": (
                [round(float(np.percentile(r, q)), 3) for q in (25, 50, 75)] if len(r) else None
            ),
        }
    return stats
