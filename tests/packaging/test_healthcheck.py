"""docker/healthcheck.py, the backend container's HEALTHCHECK: healthy only on a 200 from
/api/ready at FACEPROOF_PORT."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _healthcheck(port: int) -> int:
    env = {**os.environ, "FACEPROOF_PORT": str(port), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "docker" / "healthcheck.py")],
        env=env,
        capture_output=True,
        timeout=30,
    ).returncode


@pytest.fixture
def service() -> Iterator[tuple[int, dict]]:
    state = {"status": 200, "paths": []}

    class Ready(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            state["paths"].append(self.path)
            self.send_response(state["status"])
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, state
    server.shutdown()


def test_ready_is_healthy(service) -> None:
    port, state = service
    assert _healthcheck(port) == 0
    assert state["paths"] == ["/api/ready"]


def test_models_still_loading_is_unhealthy(service) -> None:
    port, state = service
    state["status"] = 503
    assert _healthcheck(port) == 1


def test_nothing_listening_is_unhealthy() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert _healthcheck(port) == 1
