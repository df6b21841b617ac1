"""Faults against a real uvicorn process: clients that disconnect mid-upload and mid-job,
SIGTERM while jobs run, bundles missing or corrupt at start."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import sqlite3
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from tests.robustness.live_service import LiveService

pytestmark = pytest.mark.slow
WAIT_S = 60.0


@pytest.fixture(scope="module")
def long_video(face_rgb, tmp_path_factory) -> bytes:
    """200 frames of the face, moving: a job over 128 of them takes a few seconds."""
    path = tmp_path_factory.mktemp("video") / "long.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (256, 256))
    for i in range(200):
        frame = np.roll(face_rgb, i, axis=1)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


@pytest.fixture(scope="module")
def service(models_dir, tmp_path_factory):
    with LiveService(tmp_path_factory.mktemp("live"), MODELS_DIR=models_dir) as live:
        yield live


def _wait_job(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end")


def _wait_no_leftovers(service: LiveService) -> None:
    deadline = time.monotonic() + WAIT_S
    while service.leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.leftovers() == []


def _raw_upload(service: LiveService, path: str, declared: int, sent: bytes) -> None:
    """Start a multipart upload that declares `declared` bytes, send `sent`, hang up."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary=XyZ\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
        sock.sendall(head + sent)
        time.sleep(0.2)  # the server is reading the body now


def _part(filename: str, data: bytes) -> bytes:
    return (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="'
        + filename.encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
    )


def test_disconnects_mid_upload(service, long_video, face_jpeg) -> None:
    for path, data in (
        ("/api/predict/video?frames=4", long_video),
        ("/api/jobs/video?frames=4", long_video),
        ("/api/predict", face_jpeg),
        ("/api/predict/batch", face_jpeg),
    ):
        body = _part("x.avi", data)
        _raw_upload(service, path, declared=len(body) + 1000, sent=body[: len(body) // 2])

    _wait_no_leftovers(service)
    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/history").json()["total"] == 0  # nothing half-recorded
        assert client.get("/metrics").status_code in {200, 404}
    assert "Traceback" not in service.log()


def test_a_disconnect_mid_analysis_still_records_it(service, long_video) -> None:
    """The client hangs up while its video is analysed: the analysis finishes and is
    recorded, its temporary file removed."""
    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        before = client.get("/api/history").json()["total"]
    body = _part("clip.avi", long_video) + b"\r\n--XyZ--\r\n"
    _raw_upload(service, "/api/predict/video?frames=32", declared=len(body), sent=body)

    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        deadline = time.monotonic() + WAIT_S
        while client.get("/api/history").json()["total"] == before:
            assert time.monotonic() < deadline, "the analysis was not recorded"
            time.sleep(0.1)
    _wait_no_leftovers(service)


def test_a_disconnect_from_the_event_stream_leaves_the_job_running(service, long_video) -> None:
    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        job_id = client.post(
            "/api/jobs/video",
            params={"frames": 16},
            files={"file": ("clip.avi", long_video, "video/x-msvideo")},
        ).json()["job_id"]
        with client.stream("GET", f"/api/jobs/{job_id}/events") as events:
            next(events.iter_lines())  # one line, then hang up

        assert _wait_job(client, job_id)["status"] == "done"
    _wait_no_leftovers(service)


def test_a_job_whose_worker_breaks_ends_failed(service) -> None:
    """A file that passes the upload but breaks the decoder mid-way: the job ends failed
    with a code, never stays running, and leaves no file."""
    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        job_id = client.post(
            "/api/jobs/video",
            params={"frames": 4},
            files={
                "file": (
                    "clip.avi",
                    b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 5000,
                    "video/x-msvideo",
                )
            },
        ).json()["job_id"]
        job = _wait_job(client, job_id)

    assert job["status"] == "failed"
    assert job["error"]["code"] == "unreadable_video"
    _wait_no_leftovers(service)


def test_sigterm_during_jobs(models_dir, tmp_path, long_video) -> None:
    """SIGTERM while one job runs and another waits: both finish (or are marked failed),
    the process exits cleanly, no temporary file is left and the finished ones are in the
    history."""
    live = LiveService(tmp_path, MODELS_DIR=models_dir).start()
    try:
        with httpx.Client(base_url=live.base_url, timeout=30) as client:
            ids = [
                client.post(
                    "/api/jobs/video",
                    params={"frames": 64},
                    files={"file": ("clip.avi", long_video, "video/x-msvideo")},
                ).json()["job_id"]
                for _ in range(2)
            ]
            deadline = time.monotonic() + WAIT_S
            while client.get(f"/api/jobs/{ids[0]}").json()["status"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert client.get(f"/api/jobs/{ids[1]}").json()["status"] == "queued"

        started = time.monotonic()
        # uvicorn shuts down gracefully, then re-raises the signal it caught: -SIGTERM
        assert live.stop() in {0, -signal.SIGTERM}
        stopped_in = time.monotonic() - started
    finally:
        live.kill()

    log = live.log()
    assert "Application shutdown complete" in log
    ends = {job_id: re.search(rf"job {job_id} (done|failed)", log) for job_id in ids}
    assert all(ends.values()), log[-3000:]  # each job ended, none left running
    assert ends[ids[0]].group(1) == "done"  # the running one was given time to finish
    assert live.leftovers() == []
    with sqlite3.connect(tmp_path / "history.db") as db:
        videos = db.execute("SELECT COUNT(*) FROM analyses WHERE kind = 'video'").fetchone()[0]
    assert videos == sum(1 for m in ends.values() if m.group(1) == "done")
    print(
        f"\nSIGTERM with a job running and one queued: stopped gracefully in {stopped_in:.1f} s, "
        f"jobs {[m.group(1) for m in ends.values()]}"
    )


# ------------------------------------------------------------------------ bundles at start
@pytest.fixture
def broken_models(models_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(models_dir / "real", folder / "real")
    shutil.copytree(models_dir / "fake", folder / "broken")
    (folder / "broken" / "model.safetensors").write_bytes(b"\x00garbage" * 64)
    return folder


def test_a_corrupt_bundle_refuses_the_start_and_says_which(broken_models, tmp_path) -> None:
    live = LiveService(tmp_path, MODELS_DIR=broken_models).start(expect_exit=True)

    assert live.process.returncode != 0
    log = live.log()
    assert "broken" in log and "ALLOW_MISSING_MODELS" in log, log[-2000:]


def test_a_missing_bundle_refuses_the_start_and_says_which(models_dir, tmp_path) -> None:
    live = LiveService(tmp_path, MODELS_DIR=models_dir, MODELS="real,nowhere")
    live.start(expect_exit=True)

    assert live.process.returncode != 0
    assert "nowhere: no bundle folder" in live.log()


def test_allowed_missing_models_start_without_the_broken_one(broken_models, tmp_path) -> None:
    with LiveService(tmp_path, MODELS_DIR=broken_models, ALLOW_MISSING_MODELS="true") as live:
        ready = httpx.get(f"{live.base_url}/api/ready", timeout=10).json()
        assert ready["models"] == ["real"]
        assert "broken" in live.log()
