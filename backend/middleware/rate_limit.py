"""A request rate limit per client IP: RATE_LIMIT_PER_MINUTE requests in any 60 s (a moving
window, so no double burst at a window's edge); past it, 429 `rate_limited` with Retry-After.

Health, readiness and metrics are exempt (probes and scrapers poll them). Behind a reverse
proxy the client address is the one uvicorn resolved from X-Forwarded-For for trusted proxies
(`--forwarded-allow-ips`); the counts live in this process's memory.
"""

from __future__ import annotations

import json
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT_PATHS = frozenset({"/api/health", "/api/ready", "/api/metrics", "/metrics"})


class RateLimitMiddleware:
    """Pure ASGI middleware; `per_minute=0` turns it off."""

    def __init__(self, app: ASGIApp, per_minute: int):
        self.app = app
        self.per_minute = per_minute
        if per_minute > 0:
            self.item = RateLimitItemPerMinute(per_minute)
            self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.per_minute <= 0
            or scope["type"] != "http"
            or scope["path"] in EXEMPT_PATHS
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        if self.limiter.hit(self.item, client):
            await self.app(scope, receive, send)
            return
        reset_at = self.limiter.get_window_stats(self.item, client).reset_time
        await _refuse(send, self.per_minute, max(1, math.ceil(reset_at - time.time())))


async def _refuse(send: Send, per_minute: int, retry_after_s: int) -> None:
    body = json.dumps(
        {
            "detail": f"more than {per_minute} requests in a minute from this "
            f"client; retry in {retry_after_s} s",
            "code": "rate_limited",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after_s).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
