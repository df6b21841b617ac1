"""UploadLimitMiddleware: oversized bodies are refused while they stream in."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.middleware.upload_limit import MULTIPART_OVERHEAD, UploadLimitMiddleware, upload_limits

LIMIT = 250
CHUNK = b"x" * 100


class FakeClient:
    """Feeds a body in chunks through `receive` and records what was pulled and sent."""

    def __init__(self, chunks: list[bytes]):
        self.chunks = list(chunks)
        self.pulled = 0
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        if self.pulled >= len(self.chunks):
            return {"type": "http.disconnect"}
        self.pulled += 1
        return {
            "type": "http.request",
            "body": self.chunks[self.pulled - 1],
            "more_body": self.pulled < len(self.chunks),
        }

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        [start] = [m for m in self.sent if m["type"] == "http.response.start"]
        return start["status"]

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


class EchoApp:
    """Reads the whole body (as a framework would) and answers with its size."""

    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        try:
            body = await Request(scope, receive).body()
        except Exception:  # like a framework: a failed read becomes its own error answer
            await JSONResponse({"detail": "bad body"}, status_code=400)(scope, receive, send)
            return
        await JSONResponse({"size": len(body)})(scope, receive, send)


def _scope(
    path: str = "/api/predict", method: str = "POST", content_length: int | None = None
) -> dict:
    headers = [(b"content-type", b"application/octet-stream")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": headers,
        "query_string": b"",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
    }


def _run(chunks: list[bytes], limit: int | None = LIMIT, **scope) -> tuple[FakeClient, EchoApp]:
    app, client = EchoApp(), FakeClient(chunks)
    middleware = UploadLimitMiddleware(app, limit_for=lambda path: limit)
    asyncio.run(middleware(_scope(**scope), client.receive, client.send))
    return client, app


def _assert_refused(client: FakeClient) -> None:
    assert client.status == 413
    body = json.loads(client.body)
    assert body["code"] == "file_too_large"
    assert set(body) == {"detail", "code"}
    assert f"{LIMIT:,}" in body["detail"]


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    client, app = _run([CHUNK] * 10, content_length=1000)

    _assert_refused(client)
    assert client.pulled == 0
    assert app.calls == 0


def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    client, app = _run([CHUNK] * 10)  # no Content-Length

    _assert_refused(client)
    assert client.pulled == 3  # 300 bytes > 250: not one chunk more
    assert app.calls == 1
    # one answer only: the app's own error response was replaced, not added to
    assert [m["type"] for m in client.sent] == ["http.response.start", "http.response.body"]


def test_a_lying_content_length_is_still_cut_off() -> None:
    client, _ = _run([CHUNK] * 10, content_length=100)

    _assert_refused(client)
    assert client.pulled == 3


def test_a_body_at_the_limit_passes() -> None:
    client, _ = _run([CHUNK, CHUNK, b"x" * 50], content_length=250)

    assert client.status == 200
    assert json.loads(client.body) == {"size": 250}
    assert client.pulled == 3


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
def test_methods_without_a_body_are_left_alone(method) -> None:
    client, _ = _run([CHUNK] * 10, method=method, content_length=1000)

    assert client.status == 200


def test_no_limit_for_the_path() -> None:
    client, _ = _run([CHUNK] * 10, limit=None, content_length=1000)

    assert client.status == 200
    assert json.loads(client.body) == {"size": 1000}


def test_each_route_has_its_limit(make_settings) -> None:
    settings = make_settings(MAX_IMAGE_BYTES=1000, MAX_VIDEO_BYTES=5000, MAX_BATCH_FILES=3)
    limit_for = upload_limits(settings)

    assert limit_for("/api/predict") == 1000 + MULTIPART_OVERHEAD
    assert limit_for("/predict") == 1000 + MULTIPART_OVERHEAD
    assert limit_for("/api/predict/batch") == 3 * (1000 + MULTIPART_OVERHEAD)
    assert limit_for("/api/predict/video") == 5000 + MULTIPART_OVERHEAD
    assert limit_for("/api/jobs/video") == 5000 + MULTIPART_OVERHEAD
    assert limit_for("/api/history") == 1024 * 1024


def test_the_app_refuses_a_large_upload_early(make_client) -> None:
    client = make_client(MAX_IMAGE_BYTES=10)
    data = b"\xff" * (MULTIPART_OVERHEAD + 100)

    response = client.post("/api/predict", files={"file": ("a.jpg", data, "image/jpeg")})

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/history").json()["total"] == 0


def test_the_app_cuts_off_a_chunked_upload(make_client) -> None:
    client = make_client(MAX_IMAGE_BYTES=10)
    boundary = "b0undary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode(),
        *[b"\xff" * 16384] * 8,
        f"\r\n--{boundary}--\r\n".encode(),
    ]

    response = client.post(
        "/api/predict",
        content=iter(parts),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
