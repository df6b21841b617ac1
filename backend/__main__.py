"""`python -m backend`: serve the API (and the built app) with uvicorn on HOST:PORT."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

import uvicorn

from backend.request_log import configure_logging
from backend.settings import get_settings

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters


def tune_malloc(arenas: int = 2, mmap_threshold: int = 1024 * 1024) -> None:
    """Give freed image buffers back to the system. glibc raises its mmap threshold each time
    a large block is freed, so decoded frames and batches (MBs each) soon come from the heap
    and stay resident; and it gives threads that allocate at once arenas of their own. A fixed
    1 MiB threshold and two arenas: resident memory after photos, batches, two videos and 400
    crops 1,112 MB instead of 1,856 MB. Linux/glibc only; runs before any worker thread
    starts. MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ in the environment win."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        if "MALLOC_ARENA_MAX" not in os.environ:
            libc.mallopt(M_ARENA_MAX, arenas)
        if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
            libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        pass


def main() -> None:
    settings = get_settings()
    # Idle OpenMP threads sleep instead of spinning: the models share the cores with decoding
    # and face detection in the request threads. Read when torch loads, so set before that.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    tune_malloc()
    # uvicorn's lines go through our formatter (log_config=None: uvicorn installs no handler of
    # its own) and the access log is ours (backend/request_log.py), one line per request
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    uvicorn.run("backend.main:create_app", factory=True, host=settings.HOST, port=settings.PORT,
                log_level=settings.LOG_LEVEL.lower(), log_config=None, access_log=False,
                timeout_graceful_shutdown=60)


if __name__ == "__main__":
    main()
