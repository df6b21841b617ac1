"""POST /api/predict/stream: one photo's analysis as JSON Lines, a `progress` event per stage
of the predictor as it starts, then `done` with the plain endpoint's body, or `failed` with its
error; a refused file or option is a plain 4xx before any event."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import backend.services.analyses
from backend.core.errors import HistoryUnavailableError


@pytest.fixture(scope="module")
def three_faces_png(face_rgb: np.ndarray) -> bytes:
    """The test face three times side by side (as is, darker, mirrored): Haar finds three."""
    row = np.concatenate([face_rgb, (face_rgb * 0.6).astype(np.uint8), face_rgb[:, ::-1]], axis=1)
    ok, data = cv2.imencode(".png", cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


def _stream(client, data: bytes, filename: str = "three.png", **form):
    return client.post(
        "/api/predict/stream", files={"file": (filename, data, "image/jpeg")}, data=form
    )


def _events(response) -> list[dict]:
    assert response.headers["content-type"].startswith("application/jsonl")
    return [json.loads(line) for line in response.text.splitlines()]


def test_the_stages_of_a_photo_with_three_faces(client, three_faces_png) -> None:
    response = _stream(client, three_faces_png, explain="true")

    assert response.status_code == 200
    events = _events(response)
    steps = [(e["stage"], e["faces"], e["face"]) for e in events[:-1]]
    assert steps == [
        ("detecting", 0, None),
        ("faces_found", 3, None),
        ("scoring", 3, None),
        ("heatmap", 3, 1),
        ("heatmap", 3, 2),
        ("heatmap", 3, 3),
        ("recorded", 3, None),
    ]
    assert all(e["event"] == "progress" for e in events[:-1])
    assert [e["face_detected"] for e in events[:-1]] == [False] + [True] * 6
    done = events[-1]
    assert done["event"] == "done"
    result = done["result"]
    assert len(result["faces"]) == 3 and all(f["heatmaps"] for f in result["faces"])
    assert result["deciding_face"] == 0  # the constant test models tie: the first found
    # the same answer as the plain endpoint, recorded once
    plain = client.post(
        "/api/predict",
        files={"file": ("three.png", three_faces_png, "image/jpeg")},
        data={"explain": "true"},
    ).json()
    assert set(result) == set(plain)
    assert {
        k: result[k] for k in ("prediction", "fake_probability", "deciding_face", "reason")
    } == {k: plain[k] for k in ("prediction", "fake_probability", "deciding_face", "reason")}
    stored = client.get(f"/api/history/{result['analysis_id']}").json()
    assert stored["deciding_face"] == 0 and len(stored["faces"]) == 3
    assert client.get("/api/history").json()["total"] == 2


def test_stability_is_a_stage_and_heatmaps_only_when_asked(client, three_faces_png) -> None:
    events = _events(_stream(client, three_faces_png, stability="true"))
    assert [e["stage"] for e in events[:-1]] == [
        "detecting",
        "faces_found",
        "scoring",
        "stability",
        "recorded",
    ]
    assert events[-1]["result"]["stability"] is not None


def test_no_face_ends_after_detection(client, blank_png) -> None:
    events = _events(_stream(client, blank_png, "blank.png"))
    assert [(e.get("stage"), e.get("faces")) for e in events] == [
        ("detecting", 0),
        ("faces_found", 0),
        ("recorded", 0),
        (None, None),
    ]
    assert events[-1]["result"]["prediction"] == "NO_FACE"
    assert events[-1]["result"]["deciding_face"] is None


@pytest.mark.parametrize(
    ("data", "form", "status", "code"),
    [
        (b"", {}, 400, "empty_file"),
        (b"\xff\xd8\xff\xe0 this is not really a JPEG", {}, 422, "undecodable_image"),
        (None, {"models": "nope"}, 400, "unknown_model"),
    ],
)
def test_a_refused_request_is_plain_json_before_any_event(
    client, face_jpeg, data, form, status, code
) -> None:
    response = _stream(client, face_jpeg if data is None else data, **form)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == code
    assert client.get("/api/history").json()["total"] == 0


def test_a_file_too_large_is_refused_before_any_event(make_client, face_jpeg) -> None:
    client = make_client(MAX_IMAGE_BYTES=len(face_jpeg) - 1)
    response = _stream(client, face_jpeg)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_an_error_during_the_analysis_ends_the_stream_with_its_code(
    client, face_jpeg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history failing once the faces are scored: the plain endpoint answers 503
    `history_unavailable`; the stream, already begun, says so in its last event."""

    def unavailable(*_args, **_kwargs):
        raise HistoryUnavailableError("the history database is unavailable (locked)")

    monkeypatch.setattr(backend.services.analyses, "record", unavailable)
    client.event_hooks = {"request": [], "response": []}  # a 503 is the point here
    plain = client.post("/api/predict", files={"file": ("face.jpg", face_jpeg, "image/jpeg")})
    assert plain.status_code == 503

    response = _stream(client, face_jpeg)
    assert response.status_code == 200  # the events had begun
    events = _events(response)
    assert [e["stage"] for e in events[:-1]] == ["detecting", "faces_found", "scoring"]
    assert events[-1] == {
        "event": "failed",
        "status": 503,
        "error": {"code": "history_unavailable", "detail": plain.json()["detail"]},
    }


def test_an_unexpected_error_is_a_failed_internal_error(
    client, face_jpeg, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(backend.services.analyses, "image_response", broken)
    events = _events(_stream(client, face_jpeg))
    assert events[-1] == {
        "event": "failed",
        "status": 500,
        "error": {"code": "internal_error", "detail": "internal error: RuntimeError"},
    }
