"""A real FaceProof service in a subprocess on a free loopback port, for benchmarks.

`with Service(env={...}) as service:` starts `python -m backend`, waits for /api/ready and
stops it on exit; `service.rss_mb()` reads its resident memory from /proc. Loopback only.
Heatmap warm-up off unless `env` turns it on (FACEPROOF_WARM_HEATMAPS).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`python -m backend` with FACEPROOF_* settings from `env` on 127.0.0.1."""

    def __init__(self, env: dict[str, str] | None = None, *, ready_timeout_s: float = 180.0):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="faceproof-bench-")
        self.env = {
            **os.environ,
            "FACEPROOF_HOST": "127.0.0.1",
            "FACEPROOF_PORT": str(self.port),
            "FACEPROOF_HISTORY_URL": f"sqlite:///{self._tmp.name}/history.db",
            "FACEPROOF_LOG_LEVEL": "WARNING",
            "FACEPROOF_STATIC_DIR": self._tmp.name,
            # the benchmarks ask for no heatmap: measure the lean start, without a
            # Grad-CAM warm-up sharing the cores with the first timed requests
            "FACEPROOF_WARM_HEATMAPS": "false",
            **(env or {}),
        }
        self.ready_timeout_s = ready_timeout_s
        self.process: subprocess.Popen | None = None
        self.ready_s = float("nan")

    def __enter__(self) -> Service:
        start = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend"], cwd=REPO, env=self.env, stdout=subprocess.DEVNULL
        )
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            while True:
                try:
                    if client.get("/api/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise RuntimeError(f"the service exited with {self.process.returncode}")
                if time.perf_counter() - start > self.ready_timeout_s:
                    self.__exit__(None, None, None)
                    raise RuntimeError("the service did not become ready")
                time.sleep(0.05)
        self.ready_s = time.perf_counter() - start
        return self

    def rss_mb(self) -> float:
        """Resident memory of the service process, MiB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._tmp.cleanup()


class Worker:
    """`python -m backend.worker` with the settings of a service (`env`), stopped with
    SIGTERM (it finishes the job it holds)."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend.worker"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
