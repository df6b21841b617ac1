"""Security properties across the service: no name the client sent reaches the filesystem,
CORS only for configured origins, security headers on every kind of response, the API key
on every /api route but health and ready (tests/backend/test_api_key.py has the rest)."""

from __future__ import annotations

import re

import pytest

ID_NAME = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"\.(jpg|png|avi)$"
)


@pytest.mark.parametrize(
    "sent",
    [
        "photo.$(touch pwned)",
        "photo.\u5199\u771f",
        "photo.jpg;rm",
        "photo.J P G",
        "photo.exe",
        "photo.jpg\u202e",
        "photo.",
        "photo",
        "..",
        "photo.php",
    ],
)
def test_kept_uploads_never_carry_a_client_name(make_client, tmp_path, face_jpeg, sent) -> None:
    uploads = tmp_path / "kept"
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=uploads)

    made = client.post("/api/predict", files={"file": (sent, face_jpeg, "image/jpeg")}).json()

    kept = [p.name for p in uploads.iterdir()]
    assert kept == [f"{made['analysis_id']}.jpg"]
    assert ID_NAME.match(kept[0])


def test_a_kept_video_is_named_by_its_id(make_client, tmp_path, face_video) -> None:
    uploads = tmp_path / "kept"
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=uploads)

    made = client.post(
        "/api/predict/video",
        params={"frames": 2},
        files={"file": ("../../c.l.i.p.AVI", face_video, "video/avi")},
    ).json()

    assert [p.name for p in uploads.iterdir()] == [f"{made['analysis_id']}.avi"]
