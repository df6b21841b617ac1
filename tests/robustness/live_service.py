"""A real `python -m backend` (uvicorn) on a free loopback port, for the faults an in-process
client cannot show: signals, killed processes, dropped connections.

Its temporary files go to a folder of the test's own (TMPDIR), so what it leaves behind is
visible; its log (text format) goes to a file the test reads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.server import REPO, free_port

START_TIMEOUT_S = 120.0


class LiveService:
    """`LiveService(folder, MODELS_DIR=..., ...)`: FACEPROOF_* settings from keyword arguments;
    `start()` waits for /api/ready (or for the process to exit when `expect_exit`)."""

    def __init__(self, folder: Path, **settings):
        self.folder = folder
        self.tmp = folder / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        values = {
            "HOST": "127.0.0.1",
            "PORT": self.port,
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
            "HISTORY_URL": f"sqlite:///{folder}/history.db",
            "STATIC_DIR": folder / "no-build",
            "TORCH_THREADS": 1,
            "RATE_LIMIT_PER_MINUTE": 0,
            **settings,
        }
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
        self.env |= {f"FACEPROOF_{k}": str(v) for k, v in values.items()}
        self.env |= {"TMPDIR": str(self.tmp), "OMP_NUM_THREADS": "1"}
        self.process: subprocess.Popen | None = None
        self.log_path = folder / f"service-{self.port}.log"

    def start(self, *, expect_exit: bool = False) -> LiveService:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend"],
            cwd=REPO,
            env=self.env,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    if expect_exit:
                        return self
                    raise RuntimeError(
                        f"the service exited ({self.process.returncode}):\n" + self.log()
                    )
                if not expect_exit:
                    try:
                        if client.get("/api/ready").status_code == 200:
                            return self
                    except httpx.TransportError:
                        pass
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("the service did not start in time:\n" + self.log())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def wait(self, timeout_s: float = 90.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout_s)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> int:
        """SIGTERM, then the exit status (SIGKILL after 90 s)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.signal(signal.SIGTERM)
        try:
            return self.wait()
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def leftovers(self) -> list[Path]:
        """Files the service left in its temporary folder."""
        return sorted(self.tmp.rglob("*"))

    def __enter__(self) -> LiveService:
        return self.start()

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.kill()
