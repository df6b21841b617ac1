"""Measure the face margin a data set's crops were cut with, so serving cuts the same way.

Models learn the framing of their training crops; cropping detected faces differently at
inference (looser or tighter) is a silent train/serve mismatch. The margin is measured by
running the serving face detector on training crops: crop side / detected box side - 1.
"""

from __future__ import annotations

import numpy as np

from faceproof.decode import load_image
from faceproof.faces import create_face_detector
from training.datasets import Sample


def measure_face_margin(
    samples: list[Sample],
    *,
    count: int = 300,
    seed: int = 0,
    detector: str = "haar",
    detector_model: str | None = None,
    crop_first: bool = True,
) -> dict:
    """Median margin over up to `count` random crops (rounded to 0.05, at least 0)."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(samples), size=min(count, len(samples)), replace=False)
    face_detector = create_face_detector(
        detector, model_path=detector_model or None, crop_first=crop_first
    )
    ratios, missed = [], 0
    for i in picks:
        image = load_image(samples[i].path)
        faces = face_detector.detect(image)
        if not faces:
            missed += 1
            continue
        ratios.append(max(image.shape[:2]) / max(faces[0].width, faces[0].height))
    if not ratios:
        return {"face_margin": 0.0, "measured_on": 0, "no_face": missed}
    median = float(np.median(ratios))
    return {
        "face_margin": max(0.0, round((median - 1) / 0.05) * 0.05),
        "crop_to_box_median": round(median, 4),
        "crop_to_box_p25_p75": [round(float(np.percentile(ratios, q)), 4) for q in (25, 75)],
        "measured_on": len(ratios),
        "no_face": missed,
        "detector": detector,
    }
