"""Scale-out on real parts: two API processes and a worker process (`python -m backend`,
`python -m backend.worker`) on loopback against one real PostgreSQL database
(tests/postgres.py), as docker-compose.scale.yml runs them.

A video job created through one API is followed to `done` through the other's event stream
while the worker process runs it; 500 concurrent analyses sent across both APIs are each
recorded exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest_plugins = ["tests.postgres"]
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONCURRENT = 500
START_S = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stack(postgres, models_dir: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The base URLs of two API processes and a worker process on one PostgreSQL database."""
    url = postgres.create_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    env |= {
        "FACEPROOF_MODELS_DIR": str(models_dir),
        "FACEPROOF_HISTORY_URL": url,
        "FACEPROOF_JOB_QUEUE": "database",
        "FACEPROOF_JOB_UPLOADS_DIR": str(tmp_path / "jobs"),
        "FACEPROOF_JOB_WORKER_IN_API": "false",
        "FACEPROOF_RUNTIME": "torch",
        "FACEPROOF_CACHE_DIR": str(tmp_path / "cache"),
        "FACEPROOF_TORCH_THREADS": "1",
        "FACEPROOF_STATIC_DIR": str(tmp_path / "no-build"),
        "FACEPROOF_LOG_FORMAT": "text",
        "FACEPROOF_LOG_LEVEL": "WARNING",
        "FACEPROOF_RATE_LIMIT_PER_MINUTE": "0",
        "FACEPROOF_VIDEO_FRAMES": "2",
        "OMP_NUM_THREADS": "1",
    }
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "backend"], cwd=ROOT, env=env | {"FACEPROOF_PORT": str(port)}
        )
        for port in ports
    ]
    # the APIs migrate the database at start (one at a time, under an advisory lock); the
    # worker starts once they are ready
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process in zip(bases, processes, strict=True):
            _wait_ready(base, process)
        processes.append(
            subprocess.Popen([sys.executable, "-m", "backend.worker"], cwd=ROOT, env=env)
        )
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base}: the API exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{base}: not ready within {START_S} s")


def _events(base: str, path: str) -> list[tuple[str, dict]]:
    """The job's Server-Sent Events until the stream ends."""
    events, name = [], None
    with httpx.stream("GET", f"{base}{path}", timeout=120) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and name:
                events.append((name, json.loads(line.split(":", 1)[1])))
    return events


def test_a_job_made_on_one_api_is_streamed_from_the_other(stack, face_video) -> None:
    api_a, api_b = stack
    created = httpx.post(
        f"{api_a}/api/jobs/video",
        timeout=60,
        files={"file": ("clip.avi", face_video, "video/x-msvideo")},
    )
    assert created.status_code == 202
    job = created.json()

    events = _events(api_b, job["events_url"])

    assert events and events[-1][0] == "done"
    assert {name for name, _ in events[:-1]} <= {"progress"}
    final = httpx.get(f"{api_b}{job['status_url']}").json()
    assert final == httpx.get(f"{api_a}{job['status_url']}").json()
    assert (final["status"], final["result"]["frames_analyzed"]) == ("done", 2)
    record = httpx.get(f"{api_a}/api/history/{final['result']['analysis_id']}").json()
    assert record["kind"] == "video"


def test_concurrent_analyses_across_both_apis_are_recorded_once(stack, face_jpeg) -> None:
    api_a, api_b = stack

    async def send_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(timeout=300, limits=limits) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"{(api_a, api_b)[i % 2]}/api/predict",
                        files={"file": (f"face-{i}.jpg", face_jpeg, "image/jpeg")},
                    )
                    for i in range(CONCURRENT)
                )
            )

    responses = asyncio.run(send_all())

    assert [r.status_code for r in responses] == [200] * CONCURRENT
    sent = {r.json()["analysis_id"]: r.json()["filename"] for r in responses}
    assert len(sent) == CONCURRENT
    recorded: dict[str, str] = {}
    for page in (1, 2, 3):
        body = httpx.get(f"{api_b}/api/history", params={"page": page, "page_size": 200}).json()
        assert body["total"] == CONCURRENT
        recorded |= {item["id"]: item["filename"] for item in body["items"]}
    assert recorded == sent  # each once, under its own file name, whichever API took it
