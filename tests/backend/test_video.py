"""POST /api/predict/video: a video analysed synchronously, its temporary copy removed."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest


def _post(client, data: bytes, filename: str = "clip.avi", frames=None, **form):
    params = {} if frames is None else {"frames": frames}
    return client.post(
        "/api/predict/video",
        params=params,
        data=form,
        files={"file": (filename, data, "video/x-msvideo")},
    )


def _leftovers() -> list[str]:
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob("faceproof-*"))


def test_a_video_with_a_face(client, face_video, model_p, decode_data_url) -> None:
    response = _post(client, face_video, frames=5)

    assert response.status_code == 200
    body = response.json()
    assert body["frames_analyzed"] == 5
    assert body["frames_with_faces"] == 5
    assert body["face_detected"] is True
    assert body["prediction"] == "FAKE"
    assert body["fake_probability"] == pytest.approx(model_p["ensemble"], abs=1e-4)
    assert body["fake_percentage"] == 100.0
    assert body["models_used"] == ["fake", "real"]
    assert body["processing_time_ms"] > 0
    assert 1.0 <= body["duration_s"] < 2.0
    timeline = body["timeline"]
    assert len(timeline) == 5
    assert [t["frame"] for t in timeline] == sorted({t["frame"] for t in timeline})
    assert all(t["face_count"] == 1 and t["prediction"] == "FAKE" for t in timeline)
    assert 1 <= len(body["keyframes"]) <= 4
    for keyframe in body["keyframes"]:
        assert keyframe["thumbnail"].startswith("data:image/jpeg;base64,")
        assert decode_data_url(keyframe["thumbnail"], "image/jpeg")[:2] == b"\xff\xd8"
        assert keyframe["box"]["width"] > 0
        assert keyframe["frame"] in {t["frame"] for t in timeline}


def test_frames_default_to_the_setting(client, face_video) -> None:
    body = _post(client, face_video).json()

    assert body["frames_analyzed"] == 4  # VIDEO_FRAMES of the test settings
    assert len(body["timeline"]) == 4


def test_a_model_subset(client, face_video) -> None:
    body = _post(client, face_video, frames=2, models="real").json()

    assert body["models_used"] == ["real"]
    assert body["prediction"] == "REAL"
    assert body["fake_percentage"] == 0.0


def test_the_video_is_recorded(client, face_video) -> None:
    body = _post(client, face_video, "holiday.avi", frames=3).json()

    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert item["kind"] == "video"
    assert item["filename"] == "holiday.avi"
    assert item["sha256"] == hashlib.sha256(face_video).hexdigest()
    assert item["size_bytes"] == len(face_video)
    assert item["details"]["frames_analyzed"] == 3
    assert len(item["details"]["timeline"]) == 3


def test_a_video_reports_its_stability_when_asked(client, face_video) -> None:
    assert _post(client, face_video, frames=3).json()["stability"] is None
    body = _post(client, face_video, frames=3, stability="true").json()
    assert body["stability"]["unstable"] is False
    assert body["stability"]["low"] == pytest.approx(body["fake_probability"], abs=1e-4)
    assert "the video" in body["stability"]["summary"]


def test_too_many_frames(make_client, face_video, temp_files) -> None:
    client = make_client(MAX_VIDEO_FRAMES=8)

    response = _post(client, face_video, frames=9)

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_frames"
    assert temp_files == []  # refused before the upload was stored


def test_too_many_frames_by_default(make_client, face_video) -> None:
    client = make_client(VIDEO_FRAMES=20, MAX_VIDEO_FRAMES=8)

    assert _post(client, face_video).json()["code"] == "too_many_frames"


@pytest.mark.parametrize("frames", [0, -1, "many"])
def test_invalid_frames(client, face_video, frames) -> None:
    response = _post(client, face_video, frames=frames)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_a_text_file_is_not_a_video(client, temp_files) -> None:
    response = _post(client, b"just some text, no video here\n" * 20, "notes.avi")

    assert response.status_code == 422
    assert response.json()["code"] == "unreadable_video"
    assert len(temp_files) == 1
    assert not temp_files[0].exists()
    assert client.get("/api/history").json()["total"] == 0


def test_a_blank_video(client, blank_video) -> None:
    response = _post(client, blank_video, frames=3)

    assert response.status_code == 200
    body = response.json()
    assert body["face_detected"] is False
    assert (body["prediction"], body["fake_probability"]) == ("NO_FACE", None)
    assert body["reason"].startswith("No face was found")
    assert body["frames_analyzed"] == 3
    assert body["frames_with_faces"] == 0
    assert [t["face_count"] for t in body["timeline"]] == [0, 0, 0]


def test_temporary_files_are_removed(client, face_video, blank_video, temp_files) -> None:
    before = _leftovers()

    assert _post(client, face_video, frames=2).status_code == 200
    assert _post(client, blank_video, frames=2).status_code == 200
    assert _post(client, b"", "empty.avi").json()["code"] == "empty_file"

    assert len(temp_files) == 3
    assert all(p.name.startswith("faceproof-") for p in temp_files)
    assert [p.suffix for p in temp_files[:2]] == [".avi", ".avi"]
    assert not any(p.exists() for p in temp_files)
    assert _leftovers() == before == []


def test_an_oversized_video_is_refused_and_removed(make_client, face_video, temp_files) -> None:
    client = make_client(MAX_VIDEO_BYTES=len(face_video) - 1)

    response = _post(client, face_video)

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not any(p.exists() for p in temp_files)
    assert _leftovers() == []


def test_a_video_over_the_length_limit(make_client, face_video) -> None:
    client = make_client(MAX_VIDEO_SECONDS=1.0)

    response = _post(client, face_video, frames=2)

    assert response.status_code == 422
    assert response.json()["code"] == "unreadable_video"
    assert "limit" in response.json()["detail"]


def test_more_frames_than_the_video_has(make_client, face_video) -> None:
    client = make_client(MAX_VIDEO_FRAMES=64)

    body = _post(client, face_video, frames=20).json()

    assert body["frames_analyzed"] == 10
    assert [t["frame"] for t in body["timeline"]] == list(range(10))
