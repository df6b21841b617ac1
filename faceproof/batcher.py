"""Micro-batching: faces from concurrent callers run through each model as one batch.

Callers (request threads) hand in their preprocessed batches per model and block. One worker
thread owns the models: it takes what is queued, waits up to `max_wait_ms` for the other
callers that are still preparing their faces (never when a batch is already full, and never
when nobody else is in flight), runs each model once over everything gathered, and hands each
caller its rows. One worker means one forward at a time, so the intra-op threads are never
oversubscribed by two models competing for the cores.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

log = logging.getLogger(__name__)

Runner = Callable[[torch.Tensor], np.ndarray]
BatchListener = Callable[[str, int, float], None]  # model, faces, seconds


@dataclass
class _Request:
    inputs: dict[str, torch.Tensor]
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def faces(self) -> int:
        return max((len(t) for t in self.inputs.values()), default=0)


def run_in_chunks(runner: Runner, batch: torch.Tensor, max_batch: int,
                  lock: threading.Lock) -> np.ndarray:
    """Logits of `batch`, at most `max_batch` rows per forward, each forward under `lock`."""
    parts = []
    for start in range(0, len(batch), max_batch):
        with lock:
            parts.append(runner(batch[start:start + max_batch]))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


class MicroBatcher:
    """Runs `runners` (model name -> batch function) for many threads at once.

    Args:
        runners: each model's runner: NCHW float batch -> (N,) logits.
        max_batch: faces per model per forward at most; a full batch starts at once.
        max_wait_ms: how long the first queued caller waits for others still in flight.
        lock: held around every forward (shared with Grad-CAM, which uses the same modules).
        listeners: called after every forward with (model, faces, seconds).
    """

    def __init__(self, runners: Mapping[str, Runner], *, max_batch: int = 32,
                 max_wait_ms: float = 4.0, lock: threading.Lock | None = None,
                 listeners: list[BatchListener] | None = None):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.runners = dict(runners)
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000.0
        self.lock = lock or threading.Lock()
        self.listeners = listeners if listeners is not None else []
        self._queue: list[_Request] = []
        self._in_flight = 0           # callers inside `session()`, queued or not
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name="micro-batcher", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------------ callers
    @contextmanager
    def session(self) -> Iterator[None]:
        """Marks a caller as in flight (preparing faces), so the worker knows whom to wait
        for; wrap a whole request in it."""
        with self._cond:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def run(self, inputs: Mapping[str, torch.Tensor]) -> dict[str, np.ndarray]:
        """Logits per model for `inputs` (model -> NCHW batch); blocks until computed."""
        request = _Request({name: batch for name, batch in inputs.items() if len(batch)})
        if not request.inputs:
            return {name: np.zeros(0, dtype=np.float32) for name in inputs}
        unknown = set(request.inputs) - set(self.runners)
        if unknown:
            raise KeyError(f"no runner for {sorted(unknown)}")
        with self._cond:
            if self._closed:
                raise RuntimeError("the micro-batcher is closed")
            self._queue.append(request)
            self._cond.notify_all()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return {name: request.outputs.get(name, np.zeros(0, dtype=np.float32))
                for name in inputs}

    def queue_depth(self) -> int:
        """Faces waiting for a forward."""
        with self._cond:
            return sum(r.faces for r in self._queue)

    def close(self) -> None:
        """Finish what is queued, then stop the worker."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join()

    # ------------------------------------------------------------------ worker
    def _take(self) -> list[_Request] | None:
        """The next requests to run together; None when closed and drained."""
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                self._cond.wait()
            deadline = time.monotonic() + self.max_wait_s
            while not self._closed:
                queued = sum(r.faces for r in self._queue)
                waiting_for_others = len(self._queue) < self._in_flight
                remaining = deadline - time.monotonic()
                if queued >= self.max_batch or not waiting_for_others or remaining <= 0:
                    break
                self._cond.wait(remaining)
            taken, faces = [], 0
            while self._queue and (not taken or faces + self._queue[0].faces <= self.max_batch):
                request = self._queue.pop(0)
                taken.append(request)
                faces += request.faces
            return taken

    def _loop(self) -> None:
        while (requests := self._take()) is not None:
            names = list(dict.fromkeys(n for r in requests for n in r.inputs))
            for name in names:
                members = [r for r in requests if name in r.inputs and r.error is None]
                if not members:
                    continue
                try:
                    batch = torch.cat([r.inputs[name] for r in members])
                    start = time.perf_counter()
                    logits = run_in_chunks(self.runners[name], batch, self.max_batch, self.lock)
                    seconds = time.perf_counter() - start
                except BaseException as exc:  # hand the failure to its callers, keep serving
                    log.exception("model %s failed on a batch of %d", name, sum(
                        len(r.inputs[name]) for r in members))
                    for r in members:
                        r.error = exc
                    continue
                for listener in self.listeners:
                    try:
                        listener(name, len(batch), seconds)
                    except Exception:  # a metrics hook must never break inference
                        log.exception("batch listener failed")
                row = 0
                for r in members:
                    n = len(r.inputs[name])
                    r.outputs[name] = logits[row:row + n]
                    row += n
            for r in requests:
                r.done.set()
