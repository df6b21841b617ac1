"""The database job queue (FACEPROOF_JOB_QUEUE=database): two API instances on one database, a
job created on one followed on the other, a worker process killed mid-job, lost leases, and the
queue's limits. Run on SQLite and PostgreSQL (tests/postgres.py)."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from backend.services.history import HistoryStore
from backend.services.job_queue import DatabaseJobQueue, VideoJob
from backend.services.uploads import SavedUpload
from tests.backend.test_jobs import WAIT_S, _allow_503, _events, _refused, _start

pytest_plugins = ["tests.postgres"]
pytestmark = pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]

# a worker whose analysis reports a first step, then hangs: it is killed there
STALLING_WORKER = """
import sys, time
import backend.services.job_queue as queue
def stall(*args, progress, **kwargs):
    progress(0.1, "test: stalled")
    time.sleep(600)
queue.analyse_video = stall
import backend.worker
sys.exit(backend.worker.main())
"""


@pytest.fixture
def make_settings(make_settings, history_url, tmp_path):
    return functools.partial(
        make_settings,
        HISTORY_URL=history_url,
        JOB_QUEUE="database",
        JOB_UPLOADS_DIR=tmp_path / "jobs",
    )


def _wait_for(condition, what: str, timeout_s: float = WAIT_S):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def test_a_job_made_on_one_api_is_followed_on_another(make_client, face_video, tmp_path) -> None:
    api_a = make_client(JOB_WORKER_IN_API=False)  # takes the upload, runs nothing
    created = _start(api_a, face_video, frames=3, stability="true").json()
    assert created["status"] == "queued"
    api_b = make_client()  # another replica, with a worker

    events = _events(api_b, created["events_url"])

    assert events[-1][0] == "done"
    assert all(name == "progress" for name, _ in events[:-1])
    job = api_a.get(created["status_url"]).json()
    assert job == api_b.get(created["status_url"]).json()
    assert (job["status"], job["progress"], job["filename"]) == ("done", 1.0, "clip.avi")
    assert job["result"]["frames_analyzed"] == 3
    assert job["result"]["stability"]["unstable"] is False  # the options travel with the job
    assert api_a.get(f"/api/history/{job['result']['analysis_id']}").json()["kind"] == "video"
    assert list((tmp_path / "jobs").iterdir()) == []  # the shared upload is gone


def _worker(settings, code: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    env |= {
        f"FACEPROOF_{name}": str(getattr(settings, name))
        for name in (
            "MODELS_DIR",
            "HISTORY_URL",
            "JOB_QUEUE",
            "JOB_UPLOADS_DIR",
            "JOB_LEASE_SECONDS",
            "RUNTIME",
            "CACHE_DIR",
            "TORCH_THREADS",
            "VIDEO_FRAMES",
        )
    }
    env |= {"FACEPROOF_LOG_FORMAT": "text", "OMP_NUM_THREADS": "1"}
    args = ["-c", code] if code else ["-m", "backend.worker"]
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env)


def test_a_worker_killed_mid_job_leaves_it_to_another(
    make_client, make_settings, face_video
) -> None:
    api = make_client(JOB_WORKER_IN_API=False, JOB_LEASE_SECONDS=1.0)
    created = _start(api, face_video, frames=2).json()
    doomed = _worker(make_settings(JOB_LEASE_SECONDS=1.0), STALLING_WORKER)
    try:
        _wait_for(
            lambda: api.get(created["status_url"]).json()["stage"] == "test: stalled",
            "the first worker's step",
            timeout_s=120,
        )
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    assert api.get(created["status_url"]).json()["status"] == "running"

    second = _worker(make_settings(JOB_LEASE_SECONDS=1.0))
    try:
        _wait_for(
            lambda: api.get(created["status_url"]).json()["status"] in {"done", "failed"},
            "the second worker's finish",
            timeout_s=120,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0  # stopped cleanly between jobs
    job = api.get(created["status_url"]).json()
    assert job["status"] == "done"
    assert job["result"]["frames_analyzed"] == 2
    with HistoryStore(make_settings().HISTORY_URL).engine.connect() as connection:
        attempts = connection.execute(VideoJob.__table__.select()).one().attempts
    assert attempts == 2


@pytest.fixture
def queue(make_settings):
    def make(**overrides) -> DatabaseJobQueue:
        settings = make_settings(**overrides)
        return DatabaseJobQueue(HistoryStore(settings.HISTORY_URL).engine, settings)

    return make


def _upload(tmp_path: Path, name: str = "v.avi", size: int = 100) -> SavedUpload:
    path = tmp_path / name
    path.write_bytes(b"x" * size)
    return SavedUpload(path, size, "0" * 64)


PARAMS = {"frames": 2, "models": None, "tta": False, "whole_image": False}


@pytest.mark.parametrize(("max_attempts", "after"), [(1, "failed"), (2, "queued")])
def test_a_lost_lease(queue, tmp_path, max_attempts, after) -> None:
    jobs = queue(JOB_MAX_ATTEMPTS=max_attempts)
    job = jobs.submit_video(_upload(tmp_path), "v.avi", PARAMS)
    claimed = jobs.claim("ghost")
    assert (claimed.id, claimed.status, claimed.attempts) == (job.id, "running", 1)
    with jobs.engine.begin() as connection:  # the ghost stops renewing: its lease runs out
        connection.execute(update(VideoJob).values(lease_until=time.time() - 1))

    jobs.reap()

    lost = jobs.get(job.id)
    assert lost.status == after
    assert jobs.finish(job.id, "ghost", status="done") is False  # too late: not its job now
    assert jobs.get(job.id).status == after
    if after == "failed":
        assert lost.error.code == "worker_lost"
        assert lost.finished_at is not None
        assert not Path(claimed.upload_path).exists()
    else:
        assert jobs.claim("next").attempts == 2


def test_a_finished_job_goes_after_its_ttl(queue, tmp_path) -> None:
    jobs = queue(JOB_TTL_SECONDS=60)
    job = jobs.submit_video(_upload(tmp_path), "v.avi", PARAMS)
    claimed = jobs.claim("worker")
    assert jobs.finish(job.id, "worker", status="done", stage="done")
    jobs.reap()
    assert jobs.get(job.id).status == "done"  # within its TTL
    with jobs.engine.begin() as connection:
        connection.execute(update(VideoJob).values(finished_ts=time.time() - 61))

    jobs.reap()

    assert jobs.get(job.id) is None
    assert not Path(claimed.upload_path).exists()


def test_the_queue_limits_count_every_replica(queue, tmp_path) -> None:
    one, other = queue(MAX_QUEUED_JOBS=2, MAX_VIDEO_TEMP_BYTES=250), queue(MAX_QUEUED_JOBS=2)
    one.submit_video(_upload(tmp_path, "a.avi"), "a.avi", PARAMS)
    other.submit_video(_upload(tmp_path, "b.avi"), "b.avi", PARAMS)
    assert one.full and one.queue_depth == 2
    with pytest.raises(Exception) as refused:
        queue(MAX_QUEUED_JOBS=3, MAX_VIDEO_TEMP_BYTES=250).submit_video(
            _upload(tmp_path, "c.avi"), "c.avi", PARAMS
        )
    assert refused.value.code == "temp_space_full"
    assert not (tmp_path / "c.avi").exists()
    assert len(list((tmp_path / "jobs").iterdir())) == 2


def test_job_queue_full_through_the_api(make_client, face_video) -> None:
    api = make_client(JOB_WORKER_IN_API=False, MAX_QUEUED_JOBS=1)
    assert _start(api, face_video).status_code == 202
    _allow_503(api)

    _refused(_start(api, face_video), "job_queue_full")
