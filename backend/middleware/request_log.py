"""The access log: one line per request, and the request's id.

The id is the caller's `X-Request-ID` when it is a sane token, else a new one; it is echoed in
the response's `X-Request-ID` and kept in `request_id_var` (backend/core/logs.py), which tags
every log line emitted for the request, those of its worker threads included.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.logs import request_id_var
from backend.core.request_info import route_template, verdict_of

REQUEST_ID_HEADER = b"x-request-id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_log = logging.getLogger("backend.access")


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            return text if SANE_REQUEST_ID.fullmatch(text) else None
    return None


def _printable(text: str) -> str:
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _verdict_text(verdict: str | dict[str, int]) -> str:
    if isinstance(verdict, dict):
        return ",".join(f"{k}:{v}" for k, v in verdict.items())
    return str(verdict)


class RequestLogMiddleware:
    """Pure ASGI (streams and Server-Sent Events pass through untouched): sets the request id,
    echoes it, and logs one line when the response has been sent."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        status = 500  # unless the app sends one: an exception escaped it

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", []) if k != REQUEST_ID_HEADER],
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, send_with_id)
            failed = False
        finally:
            _log_access(scope, status, time.perf_counter() - start, failed)
            request_id_var.reset(token)


def _log_access(scope: Scope, status: int, seconds: float, failed: bool) -> None:
    path = scope.get("path", "")
    fields: dict[str, Any] = {
        "method": scope["method"],
        "route": route_template(scope) or path,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": (scope.get("client") or (None,))[0],
    }
    message = f"{scope['method']} {_printable(path)} {status} {fields['duration_ms']} ms"
    verdict = verdict_of(scope)
    if verdict is not None:
        fields["verdict"] = verdict
        message += f" {_verdict_text(verdict)}"
    level = logging.ERROR if status >= 500 else logging.INFO
    access_log.log(level, "%s", message, extra=fields, exc_info=failed)
