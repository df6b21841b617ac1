"""The history keeps the rule that decided an analysis, so its bars and timeline are drawn
against the same REAL / UNCERTAIN / FAKE regions as the live result (issue 14)."""

from __future__ import annotations


def _post(client, path: str, data: bytes, filename: str, mime: str, **form):
    return client.post(path, files={"file": (filename, data, mime)}, data=form).json()


def test_a_photo_keeps_its_rule(client, face_jpeg) -> None:
    body = _post(client, "/api/predict", face_jpeg, "face.jpg", "image/jpeg")
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert item["details"]["decision"] == body["decision"]


def test_a_single_model_keeps_its_own_rule(client, face_jpeg) -> None:
    body = _post(client, "/api/predict", face_jpeg, "face.jpg", "image/jpeg", models="real")
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert body["models_used"] == ["real"]
    assert item["details"]["decision"] == body["decision"]


def test_a_video_keeps_its_rule(client, face_video) -> None:
    body = client.post(
        "/api/predict/video",
        params={"frames": 2},
        files={"file": ("clip.avi", face_video, "video/x-msvideo")},
    ).json()
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert item["details"]["decision"] == body["decision"]
