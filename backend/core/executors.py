"""The service's thread pools: their tasks run in a copy of the submitter's context, so an
analysis logs with the id of the request that queued it (backend/core/logs.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (so its request id);
    `loop.run_in_executor` alone does not carry it."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(copy_context().run, fn, *args, **kwargs)

    def queued(self) -> int:
        """Tasks waiting for a free thread."""
        return self._work_queue.qsize()
