"""Tests for faceproof.predictor: faces in, calibrated scores and verdicts out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from faceproof.bundle import load_bundle
from faceproof.errors import BundleError, DecodeError, UnknownModelError
from faceproof.predictor import Predictor
from faceproof.verdict import Verdict

# Constant-logit models: logit / temperature is exact in fp16, so the probabilities are exact.
LITE_LOGIT, LITE_T = 4.0, 2.0  # sigmoid(2.0) ~ 0.881
RESNET_LOGIT, RESNET_T = 1.5, 1.5  # sigmoid(1.0) ~ 0.731
P_LITE = 1 / (1 + math.exp(-LITE_LOGIT / LITE_T))
P_RESNET = 1 / (1 + math.exp(-RESNET_LOGIT / RESNET_T))
# Rules: lite (0.4 in [0.3, 0.45]); resnet (0.6 in [0.5, 0.95]); ensemble mean (0.5 in
# [0.4, 0.7]). The ensemble (0.806) is FAKE; resnet alone (0.731) is UNCERTAIN by its own rule
# but would be FAKE by the ensemble's.
ENSEMBLE_RULE = (0.5, 0.4, 0.7)


@pytest.fixture(scope="module")
def models_dir(tiny_bundle_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("predictor") / "models"
    tiny_bundle_dir(
        "lite",
        "efficientnet_lite0",
        32,
        parent=parent,
        logit=LITE_LOGIT,
        temperature=LITE_T,
        threshold=0.4,
        low=0.3,
        high=0.45,
    )
    tiny_bundle_dir(
        "resnet",
        "resnet50",
        48,
        parent=parent,
        logit=RESNET_LOGIT,
        temperature=RESNET_T,
        threshold=0.6,
        low=0.5,
        high=0.95,
    )
    return parent


@pytest.fixture(scope="module")
def predictor(models_dir: Path) -> Predictor:
    return Predictor.from_dir(models_dir)


def _overlap(box: dict, x0: int, y0: int, x1: int, y1: int) -> float:
    """Intersection over the reference box."""
    w = min(box["x"] + box["width"], x1) - max(box["x"], x0)
    h = min(box["y"] + box["height"], y1) - max(box["y"], y0)
    return max(w, 0) * max(h, 0) / ((x1 - x0) * (y1 - y0))


def test_ensemble_on_a_real_face(predictor: Predictor, astronaut: np.ndarray) -> None:
    result = predictor.predict_image(astronaut)
    assert result.models_used == ["lite", "resnet"]
    assert result.face_detected
    assert len(result.faces) == 1
    face = result.faces[0]
    assert _overlap(face.face.to_dict(), 177, 63, 272, 176) > 0.6
    assert face.model_probabilities["lite"] == pytest.approx(P_LITE, abs=1e-6)
    assert face.model_probabilities["resnet"] == pytest.approx(P_RESNET, abs=1e-6)
    expected = (P_LITE + P_RESNET) / 2
    assert face.fake_probability == pytest.approx(expected, abs=1e-6)
    assert result.fake_probability == pytest.approx(expected, abs=1e-6)
    assert result.verdict is Verdict.FAKE
    assert result.confidence == pytest.approx(expected, abs=1e-6)
    assert predictor.rule(["lite", "resnet"]).low == pytest.approx(ENSEMBLE_RULE[1])
    assert predictor.rule(["lite", "resnet"]).high == pytest.approx(ENSEMBLE_RULE[2])
    assert "1 face found" in result.reason
    assert (result.width, result.height) == (512, 512)
    assert face.crop.ndim == 3 and face.crop.shape[0] == face.crop.shape[1]
    assert face.heatmaps == {}


def test_one_model_uses_its_own_rule(predictor: Predictor, astronaut: np.ndarray) -> None:
    result = predictor.predict_image(astronaut, models=["resnet"])
    assert result.models_used == ["resnet"]
    assert list(result.faces[0].model_probabilities) == ["resnet"]
    assert result.fake_probability == pytest.approx(P_RESNET, abs=1e-6)
    assert result.verdict is Verdict.UNCERTAIN  # the ensemble's rule would say FAKE
    assert "too close to call" in result.reason


def test_unknown_model(predictor: Predictor, astronaut: np.ndarray) -> None:
    with pytest.raises(UnknownModelError, match="nope"):
        predictor.predict_image(astronaut, models=["lite", "nope"])


def test_no_face_gives_no_verdict(predictor: Predictor) -> None:
    """The models judge faces: with none there is no probability and no verdict, and no
    model runs."""
    blank = np.full((96, 128, 3), 128, np.uint8)
    seen: list[int] = []
    predictor.add_batch_listener(lambda model, faces, seconds: seen.append(faces))
    result = predictor.predict_image(blank)
    assert (result.verdict, result.fake_probability, result.confidence) == (
        Verdict.NO_FACE,
        None,
        None,
    )
    assert result.faces == [] and not result.face_detected
    assert "No face was found (faces smaller than 40 pixels" in result.reason
    assert result.to_dict()["prediction"] == "NO_FACE"
    assert seen == []


def test_no_face_classifies_the_whole_image_when_asked(predictor: Predictor) -> None:
    blank = np.full((96, 128, 3), 128, np.uint8)
    result = predictor.predict_image(blank, whole_image=True)
    assert not result.face_detected
    assert len(result.faces) == 1
    box = result.faces[0].face
    assert (box.x, box.y, box.width, box.height) == (0, 0, 128, 96)
    assert box.score == 0.0
    assert "no face found" in result.reason
    assert result.fake_probability == pytest.approx((P_LITE + P_RESNET) / 2, abs=1e-6)


def test_tta_keeps_a_constant_score(predictor: Predictor, astronaut: np.ndarray) -> None:
    plain = predictor.predict_image(astronaut)
    tta = predictor.predict_image(astronaut, tta=True)
    assert tta.tta
    assert tta.fake_probability == pytest.approx(plain.fake_probability, abs=1e-6)


def test_explain_gives_a_heatmap_per_model(predictor: Predictor, astronaut: np.ndarray) -> None:
    result = predictor.predict_image(astronaut, explain=True)
    heatmaps = result.faces[0].heatmaps
    assert set(heatmaps) == {"lite", "resnet"}
    assert heatmaps["lite"].shape == (32, 32)
    assert heatmaps["resnet"].shape == (48, 48)
    for cam in heatmaps.values():
        assert cam.min() >= 0.0 and cam.max() <= 1.0


def test_explain_on_a_model_with_real_gradients(tiny_bundle_dir, astronaut: np.ndarray) -> None:
    predictor = Predictor([load_bundle(tiny_bundle_dir("random", input_size=32))])
    cam = predictor.predict_image(astronaut, explain=True).faces[0].heatmaps["random"]
    assert cam.shape == (32, 32)
    assert cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)


def test_warming_the_heatmaps_changes_no_answer(tiny_bundle_dir, astronaut: np.ndarray) -> None:
    folder = tiny_bundle_dir("random", input_size=32)
    cold, warmed = Predictor([load_bundle(folder)]), Predictor([load_bundle(folder)])

    warmed.warm_explain("random")

    before = cold.predict_image(astronaut, explain=True).faces[0]
    after = warmed.predict_image(astronaut, explain=True).faces[0]
    assert after.fake_probability == before.fake_probability
    np.testing.assert_array_equal(after.heatmaps["random"], before.heatmaps["random"])


def test_predict_bytes(predictor: Predictor, astronaut: np.ndarray) -> None:
    ok, png = cv2.imencode(".png", cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    assert ok
    result = predictor.predict_bytes(png.tobytes(), models=["lite"])
    assert result.face_detected
    assert result.fake_probability == pytest.approx(P_LITE, abs=1e-6)
    with pytest.raises(DecodeError):
        predictor.predict_bytes(b"definitely not an image")


def test_to_dict_is_json(predictor: Predictor, astronaut: np.ndarray) -> None:
    data = json.loads(json.dumps(predictor.predict_image(astronaut).to_dict()))
    assert data["prediction"] == "FAKE"
    assert data["face_detected"] is True
    assert data["models_used"] == ["lite", "resnet"]
    assert set(data["faces"][0]["model_probabilities"]) == {"lite", "resnet"}
    assert data["image"] == {"width": 512, "height": 512}
    assert {"confidence", "fake_probability", "reason", "tta", "processing_time_ms"} <= data.keys()


def test_score_crops_shape(predictor: Predictor) -> None:
    crops = [np.zeros((20, 20, 3), np.uint8), np.zeros((70, 70, 3), np.uint8)]
    scores = predictor.score_crops(crops)
    assert scores.shape == (2, 2)
    np.testing.assert_allclose(scores, [[P_LITE, P_RESNET]] * 2, atol=1e-6)
    assert predictor.score_crops([], ["lite"]).shape == (0, 1)


def test_from_dir_with_names(models_dir: Path) -> None:
    predictor = Predictor.from_dir(models_dir, ["resnet"])
    assert predictor.model_names == ["resnet"]


def test_from_dir_with_an_unknown_name(models_dir: Path) -> None:
    with pytest.raises(UnknownModelError, match="missing_one"):
        Predictor.from_dir(models_dir, ["lite", "missing_one"])


def test_from_dir_with_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no model bundle"):
        Predictor.from_dir(tmp_path)


def test_duplicate_names_are_rejected(models_dir: Path) -> None:
    bundle = load_bundle(models_dir / "lite")
    with pytest.raises(BundleError, match="share a name"):
        Predictor([bundle, bundle])


def test_no_face_scores_the_unpadded_whole_image(predictor: Predictor) -> None:
    blank = np.full((90, 150, 3), 128, dtype=np.uint8)
    result = predictor.predict_image(blank, whole_image=True)
    assert not result.face_detected
    assert result.faces[0].crop.shape == blank.shape


def _three_faces(astronaut: np.ndarray) -> np.ndarray:
    face = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    return np.concatenate([face, (face * 0.6).astype(np.uint8), face[:, ::-1]], axis=1)


def test_the_deciding_face_is_the_most_suspicious_first_on_a_tie(
    predictor: Predictor, astronaut: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_score = predictor.score_faces

    def uneven(*args, **kwargs):
        _probs, crops = real_score(*args, **kwargs)
        return np.array([[0.2, 0.2], [0.9, 0.9], [0.9, 0.9]]), crops

    monkeypatch.setattr(predictor, "score_faces", uneven)
    result = predictor.predict_image(_three_faces(astronaut))
    assert len(result.faces) == 3
    assert result.deciding_face == 1
    assert result.fake_probability == result.faces[1].fake_probability
    assert result.to_dict()["deciding_face"] == 1


def test_no_face_has_no_deciding_face(predictor: Predictor) -> None:
    result = predictor.predict_image(np.full((120, 160, 3), 128, np.uint8))
    assert result.deciding_face is None


def test_progress_reports_each_stage_as_it_starts(
    predictor: Predictor, astronaut: np.ndarray
) -> None:
    steps = []
    predictor.predict_image(_three_faces(astronaut), explain=True, progress=steps.append)
    assert [(s.stage, s.faces, s.face) for s in steps] == [
        ("detecting", 0, None),
        ("faces_found", 3, None),
        ("scoring", 3, None),
        ("heatmap", 3, 1),
        ("heatmap", 3, 2),
        ("heatmap", 3, 3),
    ]


def test_tta_leaves_out_the_mirror_for_a_model_that_averages_over_it(tiny_bundle_dir) -> None:
    from faceproof.tta import tta_views

    folder = tiny_bundle_dir("mirrored", input_size=32, mirror_average=True)
    predictor = Predictor.from_dir(folder.parent)
    crop = np.random.default_rng(0).integers(0, 255, (40, 40, 3), dtype=np.uint8)
    original, colour = tta_views(crop, mirror=False)
    plain = predictor.score_crops([original, np.ascontiguousarray(crop[:, ::-1]), colour])[:, 0]
    assert plain[0] == pytest.approx(plain[1], abs=1e-6)  # its mirror scores the same
    tta = predictor.score_crops([crop], tta=True)[0, 0]
    assert tta == pytest.approx((plain[0] + plain[2]) / 2, abs=1e-6)
