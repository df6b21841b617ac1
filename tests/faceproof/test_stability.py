"""Tests for faceproof.stability: a face re-scored under benign changes, and the range's verdict."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from faceproof.predictor import Predictor
from faceproof.stability import (
    BENIGN_CHANGES,
    STABILITY_CHANGES,
    changed_crops,
    describe,
    face_stability,
)
from faceproof.verdict import DecisionRule, Verdict
from faceproof.video_analysis import analyze_video

LOGIT = 2.0
P_CONST = 1 / (1 + math.exp(-LOGIT))
RULE = DecisionRule(0.5, 0.4, 0.6)


def test_the_changes_are_deterministic_and_keep_the_shape(astronaut: np.ndarray) -> None:
    crop = np.ascontiguousarray(astronaut[60:180, 170:290])
    first, again = changed_crops(crop), changed_crops(crop)
    assert len(first) == len(STABILITY_CHANGES) and set(STABILITY_CHANGES) <= set(BENIGN_CHANGES)
    for a, b in zip(first, again, strict=True):
        assert a.shape == crop.shape and a.dtype == np.uint8
        assert np.array_equal(a, b)  # the noise is seeded: the same file, the same range
        assert not np.array_equal(a, crop)  # every change changes the pixels


@pytest.mark.parametrize(
    ("clean", "changed", "verdicts", "unstable"),
    [
        (0.7, {"a": 0.65, "b": 0.9}, ["FAKE"], False),
        (0.3, {"a": 0.1, "b": 0.39}, ["REAL"], False),
        (0.5, {"a": 0.45}, ["UNCERTAIN"], False),
        (0.65, {"a": 0.55, "b": 0.7}, ["UNCERTAIN", "FAKE"], True),
        (0.3, {"a": 0.61}, ["REAL", "UNCERTAIN", "FAKE"], True),
        (0.6, {"a": 0.6}, ["FAKE"], False),  # the rule's cut is inclusive at `high`
    ],
)
def test_a_range_is_unstable_when_it_crosses_a_cut(
    clean: float, changed: dict, verdicts: list, unstable: bool
) -> None:
    s = face_stability(clean, changed, RULE)
    assert (s.low, s.high) == (min(clean, *changed.values()), max(clean, *changed.values()))
    assert [v.value for v in s.verdicts] == verdicts
    assert s.unstable is unstable
    assert describe(s).startswith("Unstable" if unstable else "Stable")
    body = s.to_dict()
    assert body["unstable"] is unstable and body["changes"] == changed


@pytest.fixture
def const_predictor(tiny_bundle_dir) -> Predictor:
    folder = tiny_bundle_dir(
        "const_stab", input_size=32, logit=LOGIT, threshold=0.5, low=0.4, high=0.6
    )
    return Predictor.from_dir(folder)


def test_a_constant_model_is_stable(const_predictor: Predictor, astronaut: np.ndarray) -> None:
    plain = const_predictor.predict_image(astronaut)
    result = const_predictor.predict_image(astronaut, stability=True)
    assert plain.stability is None and plain.faces[0].stability is None
    assert "stability" not in plain.to_dict()
    face = result.faces[0].stability
    assert face is not None and not face.unstable
    assert list(face.changed) == list(STABILITY_CHANGES)
    assert face.low == pytest.approx(P_CONST, abs=1e-6) and face.high == pytest.approx(P_CONST)
    assert result.fake_probability == pytest.approx(plain.fake_probability)  # unchanged answer
    body = result.to_dict()
    assert body["stability"]["unstable"] is False
    assert body["faces"][0]["stability"]["verdicts"] == ["FAKE"]


def _sharpness(crop: np.ndarray) -> float:
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F)).mean())


def test_a_model_that_reads_fine_detail_is_flagged_unstable(
    const_predictor: Predictor, astronaut: np.ndarray, monkeypatch
) -> None:
    """A scorer driven by high-frequency detail: noise raises it, half size lowers it; centred
    on the clean crop, the range crosses both cuts of the rule."""
    faces, _ = const_predictor.detect(astronaut)
    clean_crop = const_predictor.crops_for(astronaut, faces, ["const_stab"])["const_stab"][0]
    centre = _sharpness(clean_crop)

    def score_model_crops(crops, *, tta=False):
        values = [1 / (1 + math.exp(-(_sharpness(c) - centre))) for c in crops["const_stab"]]
        return np.array(values)[:, None]

    monkeypatch.setattr(const_predictor, "score_model_crops", score_model_crops)
    result = const_predictor.predict_image(astronaut, stability=True)
    s = result.faces[0].stability
    expected = {
        name: score_model_crops({"const_stab": [c]})[0, 0]
        for name, c in zip(STABILITY_CHANGES, changed_crops(clean_crop), strict=True)
    }
    assert s.changed == pytest.approx(expected)
    assert result.fake_probability == pytest.approx(0.5)
    assert s.changed["noise_5"] > 0.6 and s.changed["downscale_0.5"] < 0.4
    assert s.unstable and s.verdicts == (Verdict.REAL, Verdict.UNCERTAIN, Verdict.FAKE)
    assert result.stability.unstable  # the image's range is its deciding face's here
    assert result.verdict is Verdict.UNCERTAIN  # the verdict itself is not changed


def test_a_video_gets_the_range_of_its_mean(
    const_predictor: Predictor, astronaut: np.ndarray, tmp_path: Path
) -> None:
    path = tmp_path / "face.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 4.0, (256, 256))
    for _ in range(4):
        writer.write(cv2.cvtColor(cv2.resize(astronaut, (256, 256)), cv2.COLOR_RGB2BGR))
    writer.release()
    plain = analyze_video(const_predictor, path, num_frames=4)
    result = analyze_video(const_predictor, path, num_frames=4, stability=True)
    assert plain.stability is None
    assert result.stability is not None and not result.stability.unstable
    assert result.stability.low == pytest.approx(result.fake_probability, abs=1e-6)
    assert list(result.stability.changed) == list(STABILITY_CHANGES)
