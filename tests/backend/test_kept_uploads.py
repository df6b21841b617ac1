"""Kept uploads (KEEP_UPLOADS) and the history move together: a failure of either leaves
neither, deleting an analysis deletes its file, and a batch whose history fails for one file
lists that file as an error and records the rest exactly once."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import backend.services.kept_uploads
from backend.core.errors import HistoryUnavailableError
from backend.core.settings import Settings
from backend.services.history import HistoryStore
from backend.services.kept_uploads import keep_upload


def _post(client, data: bytes, name: str = "a.jpg"):
    return client.post("/api/predict", files={"file": (name, data, "image/jpeg")})


def _allow(client, code: str) -> None:
    """Let this client see a 503 with `code` (the service's answer to a broken store)."""

    def check(response) -> None:
        response.read()
        assert response.status_code < 500 or (
            response.status_code == 503 and response.json()["code"] == code
        ), response.text

    client.event_hooks = {"request": [], "response": [check]}


@pytest.fixture
def kept(tmp_path: Path) -> Path:
    return tmp_path / "kept"


@pytest.mark.parametrize(
    "upload", [{}, {"data": b"\xff\xd8\xff", "path": Path("v.avi")}], ids=["neither", "both"]
)
def test_an_upload_is_kept_from_its_bytes_or_its_path(kept, upload) -> None:
    """Neither used to leave a partial file behind and fail with a TypeError from
    open(None); both kept the bytes and dropped the path without a word."""
    settings = Settings(_env_file=None, KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    with pytest.raises(ValueError, match="one of the two"):
        keep_upload(settings, "0" * 32, **upload)
    assert not kept.exists() or list(kept.iterdir()) == []


def test_deleting_an_analysis_deletes_its_kept_upload(
    make_client, face_jpeg, face_video, kept
) -> None:
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    image = _post(client, face_jpeg).json()["analysis_id"]
    video = client.post(
        "/api/predict/video",
        params={"frames": 2},
        files={"file": ("v.avi", face_video, "video/x-msvideo")},
    ).json()
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        [f"{image}.jpg", f"{video['analysis_id']}.avi"]
    )

    assert client.delete(f"/api/history/{image}").status_code == 204
    assert client.delete(f"/api/history/{video['analysis_id']}").status_code == 204

    assert list(kept.iterdir()) == []
    assert client.delete(f"/api/history/{image}").status_code == 404


def test_a_full_disk_records_nothing(make_client, face_jpeg, kept, monkeypatch) -> None:
    """The upload cannot be stored: a 503 `storage_unavailable` with Retry-After, no history
    row and no partial file (it used to be a 500 for an analysis already recorded)."""
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    _allow(client, "storage_unavailable")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backend.services.kept_uploads.os, "replace", full)
    response = _post(client, face_jpeg)

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert "No space left" in response.json()["detail"]
    assert response.headers["retry-after"].isdigit()
    assert client.get("/api/history").json()["total"] == 0
    assert list(kept.iterdir()) == []


def test_a_history_failure_removes_the_kept_upload(
    make_client, face_jpeg, kept, monkeypatch
) -> None:
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    _allow(client, "history_unavailable")

    def unavailable(self, record):
        raise HistoryUnavailableError("the history database is unavailable (test)")

    monkeypatch.setattr(HistoryStore, "add", unavailable)
    response = _post(client, face_jpeg)

    assert response.status_code == 503
    assert response.json()["code"] == "history_unavailable"
    assert list(kept.iterdir()) == []


def test_a_batch_lists_the_file_the_history_could_not_record(
    make_client, face_jpeg, kept, monkeypatch
) -> None:
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=kept)
    add = HistoryStore.add

    def fails_for_b(self, record):
        if record.filename == "b.jpg":
            raise HistoryUnavailableError("the history database is unavailable (test)")
        return add(self, record)

    monkeypatch.setattr(HistoryStore, "add", fails_for_b)
    files = [("files", (name, face_jpeg, "image/jpeg")) for name in ("a.jpg", "b.jpg", "c.jpg")]
    response = client.post("/api/predict/batch", files=files)

    assert response.status_code == 200
    body = response.json()
    assert [r["filename"] for r in body["results"]] == ["a.jpg", "c.jpg"]
    assert [(e["index"], e["filename"], e["code"]) for e in body["errors"]] == [
        (1, "b.jpg", "history_unavailable")
    ]
    assert body["summary"]["failed"] == 1
    recorded = client.get("/api/history").json()["items"]
    assert sorted(i["filename"] for i in recorded) == ["a.jpg", "c.jpg"]
    assert sorted(p.stem for p in kept.iterdir()) == sorted(
        r["analysis_id"] for r in body["results"]
    )

    # retrying the listed error records it once; nothing else is duplicated
    monkeypatch.setattr(HistoryStore, "add", add)
    retry = client.post("/api/predict/batch", files=[files[1]]).json()
    assert retry["errors"] == []
    assert client.get("/api/history").json()["total"] == 3
