"""The history database locked, read-only or gone: predictions answer 503
`history_unavailable` (never a 500), nothing half-written is left, and the service recovers
once the database does."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

import backend.services.history
from tests.robustness.conftest import allow_history_unavailable


def _predict(client, data: bytes, name: str = "a.jpg"):
    return client.post("/api/predict", files={"file": (name, data, "image/jpeg")})


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked database is given up on after 50 ms instead of 5 s."""
    monkeypatch.setattr(backend.services.history, "BUSY_TIMEOUT_MS", 50)


def _db_path(client) -> Path:
    return Path(client.app.state.settings.HISTORY_URL.removeprefix("sqlite:///"))


def test_a_locked_database_is_a_503(make_client, face_jpeg, short_busy_timeout) -> None:
    client = make_client()
    allow_history_unavailable(client)
    assert _predict(client, face_jpeg).status_code == 200
    locker = sqlite3.connect(_db_path(client), timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = _predict(client, face_jpeg)
        batch = client.post(
            "/api/predict/batch", files=[("files", ("b.jpg", face_jpeg, "image/jpeg"))]
        )
    finally:
        locker.rollback()
        locker.close()

    assert response.status_code == 503
    assert response.json()["code"] == "history_unavailable"
    assert "locked" in response.json()["detail"]
    assert response.headers["retry-after"].isdigit()
    assert time.monotonic() - started < 10
    # a batch lists the file it could not record instead of failing as a whole
    assert batch.status_code == 200
    assert [e["code"] for e in batch.json()["errors"]] == ["history_unavailable"]
    assert batch.json()["results"] == []
    # nothing half-written, and the service works again once the lock is gone
    assert client.get("/api/history").json()["total"] == 1
    assert _predict(client, face_jpeg).status_code == 200
    assert client.get("/api/history").json()["total"] == 2


def test_a_read_only_database_is_a_503(make_client, face_jpeg, tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/history.db"
    writable = make_client(HISTORY_URL=url)
    made = _predict(writable, face_jpeg).json()["analysis_id"]

    # the same file opened read-only (chmod would not stop root, who runs CI)
    client = make_client(HISTORY_URL=f"sqlite:///file:{tmp_path}/history.db?mode=ro&uri=true")
    allow_history_unavailable(client)
    response = _predict(client, face_jpeg)

    assert response.status_code == 503
    assert response.json()["code"] == "history_unavailable"
    assert "readonly" in response.json()["detail"].replace("-", "").replace(" ", "")
    # reading still works
    assert client.get(f"/api/history/{made}").status_code == 200
    assert client.get("/api/history").json()["total"] == 1
    assert client.delete(f"/api/history/{made}").json()["code"] == "history_unavailable"


def test_a_video_job_ends_failed_with_the_reason(
    make_client, face_video, tmp_path, temp_files, monkeypatch
) -> None:
    client = make_client()

    def unavailable(_record):
        raise backend.services.history.HistoryUnavailableError(
            "the history database is unavailable"
        )

    monkeypatch.setattr(client.app.state.history, "add", unavailable)
    created = client.post(
        "/api/jobs/video",
        params={"frames": 2},
        files={"file": ("v.avi", face_video, "video/x-msvideo")},
    ).json()
    deadline = time.monotonic() + 20
    while (job := client.get(created["status_url"]).json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.02)

    assert job["status"] == "failed"
    assert job["error"]["code"] == "history_unavailable"
    assert not any(p.exists() for p in temp_files)


def test_a_database_that_is_not_one_stops_the_start(make_settings, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from backend.main import create_app

    bad = tmp_path / "history.db"
    bad.write_bytes(b"this is not an SQLite file" * 100)
    app = create_app(make_settings(HISTORY_URL=f"sqlite:///{bad}"))

    with (
        pytest.raises(backend.services.history.HistoryUnavailableError, match="history"),
        TestClient(app),
    ):
        pass
