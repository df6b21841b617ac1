"""Keeping resident memory down under glibc: few malloc arenas, and freed heap pages handed
back after the requests that allocate the most (batches and videos).

glibc raises its mmap threshold each time a large block is freed, so decoded frames and
batches (MBs each) soon come from the heap and stay resident after they are freed; and each
thread allocating at once gets an arena of its own. A fixed 1 MiB mmap threshold kept memory
down but cost 30 ms per 224 px face (model activations page-faulted on every forward), so
instead: two arenas, and `malloc_trim` after a batch or a video. Linux/glibc only; elsewhere
both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger("backend.memory")
M_ARENA_MAX = -8  # glibc's mallopt parameter


def _libc():
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


LIBC = _libc()


def limit_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` malloc arenas (before worker threads start; MALLOC_ARENA_MAX in the
    environment wins)."""
    if LIBC is not None and "MALLOC_ARENA_MAX" not in os.environ:
        LIBC.mallopt(M_ARENA_MAX, arenas)


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (a few ms)."""
    if LIBC is not None:
        LIBC.malloc_trim(0)
