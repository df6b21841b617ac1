"""Request ids and logs: one access line per request, every log line tagged with the id of the
request it was emitted for, as one JSON object per line (LOG_FORMAT=json) or as text.

The id is the caller's `X-Request-ID` when it is a sane token, else a new one; it is echoed in
the response's `X-Request-ID` and kept in a context variable, which the service's worker
threads inherit (`ContextThreadPoolExecutor`), so an analysis' own lines carry it too.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("backend.access")

# what every LogRecord has; anything else on a record came from `extra=` and is a field of its own
_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "color_message"}  # color_message: uvicorn's, for TTYs


# ------------------------------------------------------------------------------ formatting
class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None) on each record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS}


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", "request_id"?, ...extra fields, "exc"?}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        entry.update(_extras(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        try:
            return super().format(record)
        finally:
            del record.rid


_OUR_HANDLER = "faceproof_handler"


def configure_logging(level: str, fmt: str) -> None:
    """Send every log (uvicorn's included) to stderr through one formatter; replaces the
    handler a previous call installed and leaves any other handler (pytest's) alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OUR_HANDLER, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _OUR_HANDLER, True)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's own handlers, when it installed them
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # ours is the access log: uvicorn's would be a second line per request
    logging.getLogger("uvicorn.access").disabled = True


# ------------------------------------------------------------------------------ per request
def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            return text if SANE_REQUEST_ID.fullmatch(text) else None
    return None


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (`/api/jobs/{job_id}`), None when nothing matched."""
    # FastAPI >= 0.130 keeps included routers nested: the route's own path lacks their
    # prefixes, and the full one is on the effective route context it leaves in the scope
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if isinstance(path, str):
        return path
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None


def verdict_of(scope: Scope) -> str | dict[str, int] | None:
    """What the route handler put in `request.state.verdict`: a verdict, or counts of them."""
    return (scope.get("state") or {}).get("verdict")


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
                    (REQUEST_ID_HEADER, request_id.encode())]
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


# ------------------------------------------------------------------------------ threads
class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (so its request id);
    `loop.run_in_executor` alone does not carry it."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(copy_context().run, fn, *args, **kwargs)

    def queued(self) -> int:
        """Tasks waiting for a free thread."""
        return self._work_queue.qsize()
