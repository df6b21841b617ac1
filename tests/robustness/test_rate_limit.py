"""RATE_LIMIT_PER_MINUTE: past it a client gets 429 `rate_limited` with Retry-After; other
clients, health, readiness and CORS preflights are not counted; 0 turns it off."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend.core.settings import Settings
from backend.main import create_app
from backend.middleware.rate_limit import RateLimitMiddleware


def test_past_the_limit_a_client_waits(make_client) -> None:
    client = make_client(RATE_LIMIT_PER_MINUTE=3)

    answers = [client.get("/api/models") for _ in range(3)]
    refused = client.get("/api/models")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-content-type-options"] == "nosniff"  # still a full response
    # any route counts, uploads are refused before their body is read
    assert client.post("/api/predict", files={"file": ("a.jpg", b"x")}).status_code == 429
    # probes are never limited
    assert all(client.get(p).status_code == 200 for p in ["/api/health", "/api/ready"] * 5)


def test_each_client_has_its_own_count(make_settings) -> None:
    app = create_app(make_settings(RATE_LIMIT_PER_MINUTE=2))

    async def scenario() -> list[int]:
        codes = []
        async with app.router.lifespan_context(app):
            for ip in ("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"):
                transport = httpx.ASGITransport(app=app, client=(ip, 1234))
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                    codes.append((await c.get("/api/info")).status_code)
        return codes

    assert asyncio.run(scenario()) == [200, 200, 429, 200, 200]


def test_cors_preflights_are_not_counted(make_client) -> None:
    origin = "https://app.example.org"
    client = make_client(RATE_LIMIT_PER_MINUTE=1, CORS_ORIGINS=[origin])
    for _ in range(3):
        preflight = client.options(
            "/api/predict", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 200
    assert client.get("/api/models", headers={"Origin": origin}).status_code == 200
    refused = client.get("/api/models", headers={"Origin": origin})
    assert refused.status_code == 429
    # the browser may read the refusal: it carries the CORS header
    assert refused.headers["access-control-allow-origin"] == origin


def test_zero_turns_it_off(make_client) -> None:
    client = make_client(RATE_LIMIT_PER_MINUTE=0)

    assert all(client.get("/api/info").status_code == 200 for _ in range(50))


def test_the_default_leaves_room_for_the_web_app() -> None:
    per_minute = Settings(_env_file=None).RATE_LIMIT_PER_MINUTE
    # the app polls a job once a second and loads a page with a handful of calls
    assert per_minute >= 300


@pytest.mark.parametrize("per_minute", [0, 5])
def test_other_kinds_of_scope_pass(per_minute) -> None:
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(RateLimitMiddleware(app, per_minute)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]
