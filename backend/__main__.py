"""`python -m backend`: serve the API (and the built app) with uvicorn on HOST:PORT."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

import uvicorn

from backend.request_log import configure_logging
from backend.settings import get_settings

M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads that allocate at once malloc arenas of their own; with 16 inference
    workers freed decode buffers spread over them: resident memory grew by 637 MB over the
    benchmark's 1,000 requests, and by 367 MB over 1,000 requests from 16 clients with two
    arenas. Linux/glibc only; must run before the worker threads start. MALLOC_ARENA_MAX in
    the environment wins."""
    if sys.platform != "linux" or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to limit
        pass


def main() -> None:
    settings = get_settings()
    # Idle OpenMP threads sleep instead of spinning: the models share the cores with decoding
    # and face detection in the request threads. Read when torch loads, so set before that.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    limit_malloc_arenas()
    # uvicorn's lines go through our formatter (log_config=None: uvicorn installs no handler of
    # its own) and the access log is ours (backend/request_log.py), one line per request
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    uvicorn.run("backend.main:create_app", factory=True, host=settings.HOST, port=settings.PORT,
                log_level=settings.LOG_LEVEL.lower(), log_config=None, access_log=False,
                timeout_graceful_shutdown=60)


if __name__ == "__main__":
    main()
