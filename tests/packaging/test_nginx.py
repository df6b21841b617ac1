"""docker/nginx.conf, run by a real nginx on loopback in front of a stub backend: SPA fallback,
caching, gzip, what reaches the backend, upload limits and unbuffered job events.

Only the container's addresses are swapped for local ones (port, web root, backend address,
log path). Skipped without an nginx binary (`make nginx` installs Debian's)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="no nginx binary (make nginx)")

INDEX = "<!doctype html><title>FaceProof</title><div id=root></div>"
SCRIPT = "console.log('faceproof');\n" * 200  # over gzip_min_length


class StubBackend(BaseHTTPRequestHandler):
    """Answers /api/echo with what it received; streams job events on a signal."""

    second_event = threading.Event()

    def log_message(self, *args) -> None:
        pass

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.endswith("/events"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(b"data: first\n\n")
            self.wfile.flush()
            self.second_event.wait(timeout=10)
            self.wfile.write(b"data: second\n\n")
            self.wfile.flush()
            self.close_connection = True
            return
        self._json({"path": self.path, "headers": dict(self.headers.items())})

    def do_POST(self) -> None:
        # answers at once without reading the body: only nginx's own limit is under test
        self.close_connection = True
        self._json({"path": self.path, "length": self.headers.get("Content-Length")})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of an nginx running docker/nginx.conf against a stub backend."""
    tmp = tmp_path_factory.mktemp("nginx")
    html = tmp / "html"
    (html / "assets").mkdir(parents=True)
    (html / "index.html").write_text(INDEX)
    (html / "assets" / "index-AbC123.js").write_text(SCRIPT)

    backend = ThreadingHTTPServer(("127.0.0.1", 0), StubBackend)
    backend.daemon_threads = True
    threading.Thread(target=backend.serve_forever, daemon=True).start()

    port = _free_port()
    site = (ROOT / "docker" / "nginx.conf").read_text()
    replacements = {
        "listen 8080;": f"listen 127.0.0.1:{port};",
        "root /usr/share/nginx/html;": f"root {html};",
        "http://backend:8000": f"http://127.0.0.1:{backend.server_port}",
        "/var/log/nginx/access.log": str(tmp / "access.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"docker/nginx.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    # what the nginx image's own nginx.conf provides around conf.d/default.conf
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the tmp files
    (tmp / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_temp;
    proxy_temp_path {tmp}/proxy_temp;
    fastcgi_temp_path {tmp}/fastcgi_temp;
    uwsgi_temp_path {tmp}/uwsgi_temp;
    scgi_temp_path {tmp}/scgi_temp;
    include {tmp}/site.conf;
}}
""")
    config = ["-p", str(tmp), "-c", str(tmp / "nginx.conf")]
    test = subprocess.run([NGINX, "-t", *config], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    server = subprocess.Popen([NGINX, *config])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp / "error.log").read_text()
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
        backend.shutdown()


def _get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_any_app_path_answers_index_html_uncached(nginx: int) -> None:
    for path in ("/", "/history/abc", "/models"):
        response = _get(nginx, path)
        assert response.status == 200
        assert response.body.decode() == INDEX
        assert response.getheader("Cache-Control") == "no-cache"
        assert response.getheader("X-Frame-Options") == "DENY"
        assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_hashed_assets_are_cached_for_a_year_and_gzipped(nginx: int) -> None:
    response = _get(nginx, "/assets/index-AbC123.js", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"
    assert len(response.body) < len(SCRIPT) / 10
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_a_missing_asset_is_a_404_not_the_app(nginx: int) -> None:
    # else a stale page asking for an old bundle would get index.html, cached for a year
    assert _get(nginx, "/assets/index-gone.js").status == 404


def test_api_requests_reach_the_backend_with_request_id_and_client(nginx: int) -> None:
    response = _get(
        nginx, "/api/echo?x=1", {"X-Request-ID": "abc-123", "X-Forwarded-For": "6.6.6.6"}
    )
    seen = json.loads(response.body)
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert seen["path"] == "/api/echo?x=1"
    assert headers["x-request-id"] == "abc-123"
    # the address nginx saw, not the one the client claimed
    assert headers["x-forwarded-for"] == "127.0.0.1"

    generated = json.loads(_get(nginx, "/api/echo").body)["headers"]
    assert re.fullmatch(
        r"[0-9a-f]{32}", {k.lower(): v for k, v in generated.items()}["x-request-id"]
    )


def _post_declaring(port: int, path: str, length: int) -> int:
    """The status nginx answers to a POST declaring `length` bytes (none are sent)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_upload_limits_let_the_services_largest_requests_through(nginx: int) -> None:
    mib = 1024 * 1024
    # a 200 MiB video (FACEPROOF_MAX_VIDEO_BYTES) plus its form
    assert _post_declaring(nginx, "/api/jobs/video", 200 * mib + 64 * 1024) == 200
    assert _post_declaring(nginx, "/api/predict", 211 * mib) == 413
    # 32 images of 20 MiB (MAX_BATCH_FILES x MAX_IMAGE_BYTES) plus their forms
    assert _post_declaring(nginx, "/api/predict/batch", 32 * (20 * mib + 64 * 1024)) == 200
    assert _post_declaring(nginx, "/api/predict/batch", 651 * mib) == 413


def test_job_events_are_passed_on_unbuffered(nginx: int) -> None:
    StubBackend.second_event.clear()
    conn = http.client.HTTPConnection("127.0.0.1", nginx, timeout=10)
    started = time.monotonic()
    conn.request("GET", "/api/jobs/abc/events", headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.getheader("Content-Encoding") is None
    # the backend holds the second event back until the first has arrived here
    assert response.readline() == b"data: first\n"
    assert time.monotonic() - started < 5, "the first event waited for the second: buffered"
    StubBackend.second_event.set()
    assert b"data: second" in response.read()
    conn.close()
