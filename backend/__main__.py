"""`python -m backend`: serve the API (and the built app) with uvicorn on HOST:PORT."""

from __future__ import annotations

import os
import sys

import uvicorn

from backend.core.errors import HistoryUnavailableError
from backend.core.logs import configure_logging
from backend.core.memory import limit_malloc_arenas
from backend.core.migrate import HistorySchemaError
from backend.core.settings import get_settings
from backend.services.history import HistoryStore


def main() -> None:
    settings = get_settings()
    # Idle OpenMP threads sleep instead of spinning: the models share the cores with decoding
    # and face detection in the request threads. Read when torch loads, so set before that.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    limit_malloc_arenas()
    # uvicorn's lines go through our formatter (log_config=None: uvicorn installs no handler of
    # its own) and the access log is ours (backend/middleware/request_log.py), one line per request
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    # the history's schema upgraded (or the start refused) here, before the models load, so a
    # database this code cannot use is one line, not uvicorn's traceback of the lifespan
    try:
        HistoryStore(settings.HISTORY_URL).close()
    except (HistorySchemaError, HistoryUnavailableError) as exc:
        sys.exit(f"cannot start: {exc}")
    uvicorn.run(
        "backend.main:create_app",
        factory=True,
        host=settings.HOST,
        port=settings.PORT,
        # the compiled loop and parser: p50 16.77 -> 16.33 ms here (make bench-http)
        loop=settings.SERVER_LOOP,
        http=settings.SERVER_HTTP,
        log_level=settings.LOG_LEVEL.lower(),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=60,
    )


if __name__ == "__main__":
    main()
