"""Every response carries the security headers: API, errors, docs and the web app."""

from __future__ import annotations

import asyncio

import pytest

from backend.middleware.security_headers import SecurityHeadersMiddleware

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/health"),
        ("GET", "/api/models"),
        ("GET", "/api/history/nope"),
        ("GET", "/api/unknown"),
        ("POST", "/api/predict"),
        ("GET", "/api/docs"),
        ("GET", "/api/openapi.json"),
        ("GET", "/"),
    ],
)
def test_headers_everywhere(client, method, path) -> None:
    response = client.request(method, path)

    assert {k: response.headers.get(k) for k in EXPECTED} == EXPECTED


def test_an_app_header_is_kept_not_doubled() -> None:
    sent = []

    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-frame-options", b"SAMEORIGIN")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeadersMiddleware(app)({"type": "http"}, None, send))

    headers = sent[0]["headers"]
    assert [v for k, v in headers if k == b"x-frame-options"] == [b"SAMEORIGIN"]
    assert (b"x-content-type-options", b"nosniff") in headers
