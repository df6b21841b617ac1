"""Logs: every line (uvicorn's included) to stderr through one formatter, one JSON object per
line (LOG_FORMAT=json) or text, tagged with the id of the request it was emitted for.

The id lives in `request_id_var`: the access log (backend/middleware/request_log.py) sets it
per request, and the service's thread pools (backend/core/executors.py) carry it to their
tasks, so an analysis' own lines carry it too.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# what every LogRecord has; anything else on a record came from `extra=` and is a field of its own
_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}  # color_message: uvicorn's, for TTYs


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
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
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
        # a copy with the `rid` field: the record goes on to any other handler as it came
        return super().format(
            logging.makeLogRecord({**vars(record), "rid": f" [{rid}]" if rid else ""})
        )


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
