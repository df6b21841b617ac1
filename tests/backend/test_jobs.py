"""Background video jobs: POST /api/jobs/video, polling, Server-Sent Events, expiry, and
the JobManager's shutdown."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

import backend.api.routes.jobs
import backend.services.jobs
from backend.services.jobs import JobManager
from faceproof.errors import VideoError

WAIT_S = 20.0


def _start(client, data: bytes, filename: str = "clip.avi", frames: int = 4, **form):
    return client.post(
        "/api/jobs/video",
        params={"frames": frames},
        data=form,
        files={"file": (filename, data, "video/x-msvideo")},
    )


def _wait(client, status_url: str) -> dict:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        body = client.get(status_url).json()
        if body["status"] in {"done", "failed"}:
            return body
        time.sleep(0.02)
    raise AssertionError(f"job {status_url} did not finish in {WAIT_S} s")


def _events(client, events_url: str, on_first=None) -> list[tuple[str, dict]]:
    """(event, data) pairs of an SSE stream, read until the server ends it."""
    events, name = [], None
    with client.stream("GET", events_url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.removeprefix("data:").strip())))
                if len(events) == 1 and on_first:
                    on_first()
    return events


@pytest.fixture
def held_worker(client) -> Iterator[threading.Event]:
    """The video worker kept busy until the event is set, so new jobs stay queued."""
    release = threading.Event()
    client.app.state.video_executor.submit(release.wait, WAIT_S)
    try:
        yield release
    finally:
        release.set()


def test_a_job_runs_to_done(client, face_video, temp_files) -> None:
    response = _start(client, face_video, "clip.avi", frames=3)

    assert response.status_code == 202
    created = response.json()
    job_id = created["job_id"]
    assert created["status"] in {"queued", "running"}
    assert created["status_url"] == f"/api/jobs/{job_id}"
    assert created["events_url"] == f"/api/jobs/{job_id}/events"

    job = _wait(client, created["status_url"])
    assert job["status"] == "done"
    assert job["progress"] == 1.0
    assert job["filename"] == "clip.avi"
    assert job["finished_at"] >= job["created_at"]
    assert job["error"] is None
    result = job["result"]
    assert result["frames_analyzed"] == 3
    assert len(result["timeline"]) == 3
    assert result["prediction"] == "FAKE"
    assert client.get(f"/api/history/{result['analysis_id']}").json()["kind"] == "video"
    # the job's temporary copy of the upload is gone
    assert len(temp_files) == 1
    assert not temp_files[0].exists()


def test_a_job_reports_stability_when_asked(client, face_video) -> None:
    job = _wait(client, _start(client, face_video, frames=2, stability="true").json()["status_url"])
    assert job["status"] == "done"
    assert job["result"]["stability"]["unstable"] is False


@pytest.fixture
def slow_frames(client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Face detection takes 50 ms a frame and the event stream looks every 10 ms, so the
    stream sees the job's steps."""
    detector = client.app.state.predictor.detector
    detect = detector.detect

    def slow_detect(image):
        time.sleep(0.05)
        return detect(image)

    monkeypatch.setattr(detector, "detect", slow_detect)
    monkeypatch.setattr(backend.api.routes.jobs, "POLL_S", 0.01)


def test_events_stream_progress_then_done(client, face_video, held_worker, slow_frames) -> None:
    created = _start(client, face_video, frames=4).json()

    events = _events(client, created["events_url"], on_first=held_worker.set)

    names = [name for name, _ in events]
    assert names[-1] == "done"
    assert names[:-1] == ["progress"] * (len(events) - 1)
    assert len(events) >= 3  # queued, then at least one step while running
    assert events[0][1]["status"] == "queued"
    progress = [data["progress"] for _, data in events]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert any(data["status"] == "running" and 0 < data["progress"] < 1 for _, data in events[:-1])
    assert all("result" not in data for _, data in events[:-1])
    done = events[-1][1]
    assert done["status"] == "done"
    assert done["job_id"] == created["job_id"]
    assert done["result"]["frames_analyzed"] == 4


def test_events_of_a_finished_job(client, face_video) -> None:
    created = _start(client, face_video, frames=2).json()
    _wait(client, created["status_url"])

    events = _events(client, created["events_url"])

    assert [name for name, _ in events] == ["done"]
    assert events[0][1]["result"]["frames_analyzed"] == 2


def test_a_failing_job(client, temp_files) -> None:
    created = _start(client, b"this is not a video at all\n" * 10, "notes.avi").json()

    job = _wait(client, created["status_url"])

    assert job["status"] == "failed"
    assert job["result"] is None
    assert job["error"]["code"] == "unreadable_video"
    assert job["error"]["detail"]
    events = _events(client, created["events_url"])
    assert [name for name, _ in events] == ["failed"]
    assert events[0][1]["error"]["code"] == "unreadable_video"
    assert not temp_files[0].exists()
    assert client.get("/api/history").json()["total"] == 0


def test_input_is_checked_before_the_job_starts(make_client, face_video, temp_files) -> None:
    client = make_client(MAX_VIDEO_FRAMES=4)

    assert _start(client, face_video, frames=5).json()["code"] == "too_many_frames"
    assert _start(client, face_video, models="nope").json()["code"] == "unknown_model"
    assert _start(client, b"").json()["code"] == "empty_file"
    assert client.app.state.jobs.queue_depth == 0
    assert not any(p.exists() for p in temp_files)


@pytest.mark.parametrize("path", ["/api/jobs/0123abcd", "/api/jobs/0123abcd/events"])
def test_an_unknown_job(client, path) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"


def _clock_ahead(monkeypatch, seconds: float) -> None:
    later = time.monotonic() + seconds
    monkeypatch.setattr(
        backend.services.jobs, "time", types.SimpleNamespace(monotonic=lambda: later)
    )


def test_finished_jobs_expire(make_client, face_video, monkeypatch) -> None:
    client = make_client(JOB_TTL_SECONDS=30)
    created = _start(client, face_video, frames=2).json()
    _wait(client, created["status_url"])

    _clock_ahead(monkeypatch, 20)
    assert client.get(created["status_url"]).json()["status"] == "done"

    _clock_ahead(monkeypatch, 31)
    response = client.get(created["status_url"])
    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"
    assert client.get(created["events_url"]).status_code == 404


def test_unfinished_jobs_do_not_expire(client, face_video, held_worker, monkeypatch) -> None:
    created = _start(client, face_video, frames=2).json()
    _clock_ahead(monkeypatch, 10 * client.app.state.jobs.ttl_s)

    assert client.get(created["status_url"]).json()["status"] == "queued"


# ------------------------------------------------------------------ JobManager on its own
def _blocked_work(release: threading.Event, started: threading.Event):
    def work(progress):
        started.set()
        progress(0.5, "halfway")
        release.wait(WAIT_S)
        return None

    return work


def test_shutdown_marks_unfinished_jobs_failed() -> None:
    release, started, queued_started = threading.Event(), threading.Event(), threading.Event()
    cleaned: list[str] = []
    executor = ThreadPoolExecutor(1)

    async def scenario():
        manager = JobManager(executor, ttl_s=60)
        running = manager.submit(
            "a.avi", _blocked_work(release, started), cleanup=lambda: cleaned.append("a")
        )
        queued = manager.submit(
            "b.avi", _blocked_work(release, queued_started), cleanup=lambda: cleaned.append("b")
        )
        await asyncio.to_thread(started.wait, WAIT_S)
        assert (running.status, queued.status) == ("running", "queued")
        assert manager.queue_depth == 2

        await manager.shutdown(timeout_s=0.05)

        for job in (running, queued):
            assert job.status == "failed"
            assert job.finished_at is not None
            assert job.error.code == "service_stopped"
        assert manager.queue_depth == 0
        return running, queued

    try:
        _, queued = asyncio.run(scenario())
    finally:
        release.set()
        executor.shutdown(wait=True)
    assert sorted(cleaned) == ["a", "b"]  # cleanup runs however a job ends
    # a job still queued when the service stopped is not started afterwards
    assert not queued_started.is_set()
    assert (queued.status, queued.stage) == ("failed", "failed")


def test_shutdown_waits_for_jobs_that_finish_in_time() -> None:
    executor = ThreadPoolExecutor(1)

    async def scenario():
        manager = JobManager(executor, ttl_s=60)
        job = manager.submit("a.avi", lambda progress: time.sleep(0.05), cleanup=lambda: None)
        await manager.shutdown(timeout_s=WAIT_S)
        return job

    try:
        job = asyncio.run(scenario())
    finally:
        executor.shutdown(wait=True)
    assert job.status == "done"
    assert job.error is None


def test_a_job_that_raises_a_bug_ends_failed() -> None:
    executor = ThreadPoolExecutor(1)

    def broken(progress):
        raise KeyError("oops")

    def bad_input(progress):
        progress(2.0, "over the top")
        raise VideoError("no frame could be read")

    async def scenario():
        manager = JobManager(executor, ttl_s=60)
        jobs = [
            manager.submit("a", broken, cleanup=lambda: None),
            manager.submit("b", bad_input, cleanup=lambda: None),
        ]
        await manager.shutdown(timeout_s=WAIT_S)
        return jobs

    try:
        bug, bad = asyncio.run(scenario())
    finally:
        executor.shutdown(wait=True)
    assert (bug.status, bug.error.code) == ("failed", "internal_error")
    assert "oops" not in bug.error.detail  # internals stay in the log
    assert (bad.status, bad.error.code) == ("failed", "unreadable_video")
    assert bad.progress <= 1.0


# ------------------------------------------------------------------ bounds and final states
def _refused(response, code: str) -> None:
    response.read()
    assert response.status_code == 503, response.text
    assert response.json()["code"] == code
    assert response.headers["retry-after"].isdigit()


def _allow_503(client) -> None:
    client.event_hooks = {"request": [], "response": []}


def test_the_job_queue_is_bounded(make_client, face_video, temp_files) -> None:
    """MAX_QUEUED_JOBS unfinished jobs: the next one is refused with 503 and Retry-After, and
    its upload is not left on disk; once the queue drains a job is accepted again."""
    client = make_client(MAX_QUEUED_JOBS=2)
    _allow_503(client)
    release = threading.Event()
    client.app.state.video_executor.submit(release.wait, WAIT_S)
    try:
        accepted = [_start(client, face_video) for _ in range(2)]
        assert [r.status_code for r in accepted] == [202, 202]
        refused = _start(client, face_video)
        _refused(refused, "job_queue_full")
        assert "2" in refused.json()["detail"]
    finally:
        release.set()
    for response in accepted:
        assert _wait(client, response.json()["status_url"])["status"] == "done"
    last = _start(client, face_video)
    assert last.status_code == 202
    assert len(temp_files) == 2 + 1  # the refused upload was never written
    assert _wait(client, last.json()["status_url"])["status"] == "done"
    assert client.app.state.temp_space.used == 0


def test_temporary_upload_space_is_bounded(make_client, face_video, temp_files) -> None:
    client = make_client(MAX_VIDEO_TEMP_BYTES=len(face_video) - 1)
    _allow_503(client)

    _refused(_start(client, face_video), "temp_space_full")
    _refused(
        client.post(
            "/api/predict/video",
            params={"frames": 2},
            files={"file": ("v.avi", face_video, "video/x-msvideo")},
        ),
        "temp_space_full",
    )

    assert temp_files and not any(p.exists() for p in temp_files)
    assert client.app.state.temp_space.used == 0
    assert client.app.state.jobs.queue_depth == 0


def test_uploads_give_their_space_back(make_client, face_video) -> None:
    client = make_client(MAX_VIDEO_TEMP_BYTES=len(face_video))
    for _ in range(3):  # each fits alone; the space of the last is back before the next
        job = _start(client, face_video).json()
        assert _wait(client, job["status_url"])["status"] == "done"
        assert (
            client.post(
                "/api/predict/video",
                params={"frames": 2},
                files={"file": ("v.avi", face_video, "video/x-msvideo")},
            ).status_code
            == 200
        )
    assert client.app.state.temp_space.used == 0


def test_a_job_failed_at_shutdown_stays_failed() -> None:
    """The service stopped before the job ended: it is failed/service_stopped, and when its
    thread finishes later it neither turns `done` nor reports progress."""
    release, started = threading.Event(), threading.Event()
    finished: list[str] = []
    executor = ThreadPoolExecutor(1)

    def work(progress):
        started.set()
        release.wait(WAIT_S)
        progress(0.9, "late progress")
        return None

    async def scenario():
        manager = JobManager(executor, ttl_s=60)
        manager.finish_listeners.append(lambda job: finished.append(job.status))
        job = manager.submit("a.avi", work, cleanup=lambda: None)
        await asyncio.to_thread(started.wait, WAIT_S)
        await manager.shutdown(timeout_s=0.05)
        return job

    try:
        job = asyncio.run(scenario())
        version = job.version
    finally:
        release.set()
        executor.shutdown(wait=True)
    assert (job.status, job.error.code, job.stage) == ("failed", "service_stopped", "failed")
    assert job.version == version
    assert finished == ["failed"]


def test_job_manager_refuses_past_max_jobs() -> None:
    release = threading.Event()
    executor = ThreadPoolExecutor(1)

    async def scenario():
        manager = JobManager(executor, ttl_s=60, max_jobs=1)
        manager.submit("a.avi", lambda progress: release.wait(WAIT_S), cleanup=lambda: None)
        assert manager.full
        with pytest.raises(backend.services.jobs.QueueFullError):
            manager.submit("b.avi", lambda progress: None, cleanup=lambda: None)
        release.set()
        await manager.shutdown(timeout_s=WAIT_S)
        assert not manager.full

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        executor.shutdown(wait=True)
