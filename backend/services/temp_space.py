"""Disk space for uploads held in temporary files (videos waiting for or in analysis).

Each queued video job holds its upload (up to MAX_VIDEO_BYTES) until it ends, so without a
bound a queue of uploads fills the disk and the next request fails. Uploads take their bytes
from one budget as they stream in; past it the request is refused with 503 `temp_space_full`
and Retry-After, and its partial file is removed.
"""

from __future__ import annotations

import threading

from backend.core.errors import APIError

RETRY_AFTER_S = 30


class TempSpace:
    """Bytes of temporary upload files alive at once, at most `limit`; thread-safe."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> None:
        """Reserve `size` more bytes, or refuse the upload."""
        with self._lock:
            if self.used + size > self.limit:
                raise APIError.retry_later(
                    "temp_space_full",
                    f"the service holds {self.used:,} bytes of uploads "
                    f"waiting for analysis, its limit is {self.limit:,}; try again later",
                    RETRY_AFTER_S,
                )
            self.used += size

    def give_back(self, size: int) -> None:
        with self._lock:
            self.used = max(0, self.used - size)
