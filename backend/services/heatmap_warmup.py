"""WARM_HEATMAPS: once the service is ready, build in the background what Grad-CAM needs.

A start served by a compiled runtime from a warm cache imports no torch, so its first
explained photo paid for torch, timm, building the model and the first backward (4.5 s where
the next took 58 ms). A daemon thread pays that after ready instead, for the models a request
naming none explains (the ensemble's weighted members; the others start on demand). It takes
the locks the lazy build and Grad-CAM take, so a request arriving meanwhile waits for it
rather than doing the work twice. No lower priority: a thread's nice value would pass to the
OpenMP threads it starts, which later serve the requests' forwards too.
"""

from __future__ import annotations

import logging
import threading
import time

from faceproof.predictor import Predictor

log = logging.getLogger("backend.warmup")


class HeatmapWarmup:
    """The background thread; `done` is set when it has finished (or stopped)."""

    def __init__(self, predictor: Predictor):
        self.predictor = predictor
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heatmap-warmup", daemon=True)

    def start(self) -> HeatmapWarmup:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Skip the models not started yet and wait up to `timeout` s for the current one."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            for name in self.predictor.select(None):
                if self._stop.is_set():
                    return
                try:
                    self.predictor.warm_explain(name)
                except Exception:  # the first explained request meets it again, and says so
                    log.exception("heatmap warm-up of %s failed", name)
            log.info("heatmap models ready in %.1f s", time.perf_counter() - start)
        finally:
            self.done.set()
