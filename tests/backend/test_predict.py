"""POST /api/predict: one image, its faces, scores, verdict, heatmaps and history record."""

from __future__ import annotations

import hashlib
import uuid

import cv2
import numpy as np
import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _post(client, data: bytes, filename: str = "face.jpg", path: str = "/api/predict", **form):
    return client.post(path, files={"file": (filename, data, "image/jpeg")}, data=form)


def test_predict_a_face(client, face_jpeg, model_p, decode_data_url) -> None:
    response = _post(client, face_jpeg)

    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == "FAKE"
    assert body["fake_probability"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert body["confidence"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert body["processing_time_ms"] > 0
    assert body["face_detected"] is True
    assert "1 face found" in body["reason"]
    assert body["models_used"] == ["fake", "real"]
    assert body["decision"] == {"threshold": 0.5, "low": 0.5, "high": 0.5, "owner": "ensemble"}
    assert body["tta"] is False
    assert body["image"] == {"width": 256, "height": 256}
    assert body["filename"] == "face.jpg"
    uuid.UUID(body["analysis_id"])

    [face] = body["faces"]
    box = face["box"]
    # Haar finds her face near x 177-272, y 66-161 of the 512 px original: halve it
    assert box["x"] < 110 < box["x"] + box["width"]
    assert box["y"] < 55 < box["y"] + box["height"]
    assert face["detection_score"] > 0
    assert face["prediction"] == "FAKE"
    assert face["model_probabilities"] == {
        "fake": pytest.approx(model_p["fake"], abs=1e-4),
        "real": pytest.approx(model_p["real"], abs=1e-4),
    }
    assert face["heatmaps"] is None
    jpeg = decode_data_url(face["thumbnail"], "image/jpeg")
    thumbnail = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert thumbnail.shape == (160, 160, 3)


def test_a_png_works_too(client, face_png) -> None:
    response = _post(client, face_png, "face.png")

    assert response.status_code == 200
    assert response.json()["face_detected"] is True


@pytest.mark.parametrize(
    ("models", "used", "verdict"),
    [
        ("real", ["real"], "REAL"),
        ("fake", ["fake"], "FAKE"),
        (" real , fake ", ["real", "fake"], "FAKE"),
        ("fake,fake", ["fake"], "FAKE"),
    ],
)
def test_a_subset_of_models(client, face_jpeg, model_p, models, used, verdict) -> None:
    body = _post(client, face_jpeg, models=models).json()

    assert body["models_used"] == used
    assert body["prediction"] == verdict
    assert set(body["faces"][0]["model_probabilities"]) == set(used)
    if used == ["real"]:
        assert body["fake_probability"] == pytest.approx(model_p["real"], abs=1e-4)
        assert body["confidence"] == pytest.approx(1 - model_p["real"], abs=1e-4)


def test_an_unknown_model_is_refused(client, face_jpeg) -> None:
    response = _post(client, face_jpeg, models="fake,nope")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_model"
    assert "nope" in response.json()["detail"]
    assert client.get("/api/history").json()["total"] == 0


def test_tta(client, face_jpeg, model_p) -> None:
    body = _post(client, face_jpeg, tta="true").json()

    assert body["tta"] is True
    # constant models: the views agree, so their mean is the same score
    assert body["fake_probability"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert client.get(f"/api/history/{body['analysis_id']}").json()["details"]["tta"] is True


def test_explain_gives_a_png_heatmap_per_model(client, face_jpeg, decode_data_url) -> None:
    body = _post(client, face_jpeg, explain="true").json()

    heatmaps = body["faces"][0]["heatmaps"]
    assert set(heatmaps) == {"fake", "real"}
    for url in heatmaps.values():
        png = decode_data_url(url, "image/png")
        assert png.startswith(PNG_SIGNATURE)
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
        assert image.shape == (160, 160, 4)


def test_no_face_gives_no_verdict(client, blank_png) -> None:
    """No face: the models have nothing to judge; the answer says so and is recorded so."""
    body = _post(client, blank_png, "blank.png").json()

    assert (body["prediction"], body["fake_probability"], body["confidence"]) == (
        "NO_FACE",
        None,
        None,
    )
    assert body["face_detected"] is False and body["faces"] == []
    assert body["reason"].startswith("No face was found")
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert (item["prediction"], item["fake_probability"], item["confidence"]) == (
        "NO_FACE",
        None,
        None,
    )


def test_no_face_classifies_the_whole_image_when_asked(client, blank_png) -> None:
    response = client.post(
        "/api/predict",
        data={"whole_image": "true"},
        files={"file": ("blank.png", blank_png, "image/png")},
    )
    body = response.json()

    assert body["face_detected"] is False
    assert "no face" in body["reason"]
    [whole] = body["faces"]
    assert whole["box"] == {"x": 0, "y": 0, "width": 160, "height": 128}
    assert body["prediction"] == "FAKE"


def test_the_analysis_is_recorded(client, face_jpeg, model_p) -> None:
    body = _post(client, face_jpeg, "my face.jpg").json()

    response = client.get(f"/api/history/{body['analysis_id']}")

    assert response.status_code == 200
    item = response.json()
    assert item["id"] == body["analysis_id"]
    assert item["kind"] == "image"
    assert item["filename"] == "my face.jpg"
    assert item["sha256"] == hashlib.sha256(face_jpeg).hexdigest()
    assert item["size_bytes"] == len(face_jpeg)
    assert item["prediction"] == "FAKE"
    assert item["fake_probability"] == pytest.approx(body["fake_probability"])
    assert item["models"] == ["fake", "real"]
    assert item["model_scores"] == pytest.approx(
        {"fake": model_p["fake"], "real": model_p["real"]}, abs=1e-4
    )
    assert item["details"]["face_detected"] is True
    assert len(item["faces"]) == 1
    assert item["batch_id"] is None


def test_stability_is_reported_and_recorded_when_asked(client, face_jpeg, model_p) -> None:
    plain = _post(client, face_jpeg).json()
    assert plain["stability"] is None and plain["faces"][0]["stability"] is None

    body = _post(client, face_jpeg, stability="true").json()

    # the test models are constant: every change scores the same, the verdict cannot move
    stability = body["stability"]
    assert stability["unstable"] is False
    assert set(stability["changes"]) == {"jpeg_50", "downscale_0.5", "noise_5"}
    assert stability["low"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert stability["verdicts"] == ["FAKE"]
    assert stability["summary"].startswith("Stable")
    assert body["faces"][0]["stability"]["high"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert body["prediction"] == plain["prediction"]  # asking never changes the answer
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert item["details"]["stability"]["unstable"] is False
    assert "stability" in item["faces"][0]


def test_uploads_are_kept_only_when_asked(make_client, face_jpeg, tmp_path) -> None:
    kept = tmp_path / "kept"
    plain = make_client()
    _post(plain, face_jpeg)
    assert not (tmp_path / "uploads").exists()

    keeping = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    body = _post(keeping, face_jpeg, "../x.JPG").json()

    assert [p.name for p in kept.iterdir()] == [f"{body['analysis_id']}.jpg"]
    assert (kept / f"{body['analysis_id']}.jpg").read_bytes() == face_jpeg


def test_the_prototype_route_still_works(client, face_jpeg) -> None:
    response = _post(client, face_jpeg, path="/predict")

    assert response.status_code == 200
    assert response.json()["prediction"] == "FAKE"
    assert client.get(f"/api/history/{response.json()['analysis_id']}").status_code == 200
