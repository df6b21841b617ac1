"""Micro-batching: faces from concurrent callers run through each model as one batch.

Callers (request threads) hand in their preprocessed batches per model and block. Each model
has one worker thread (a lane) that owns it: the lane takes what is queued for its model,
waits up to `max_wait_ms` for the other callers that are still preparing their faces (never
when a batch is already full, and never when nobody else is in flight), runs the model once
over everything gathered, and hands each caller its rows. A caller is answered when every
model it asked for has run. The models' lanes run side by side (on 2 cores, each forward on
one thread: a lone request waits for the slower model, not for both in turn); one model never
runs two forwards at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)

Runner = Callable[[np.ndarray], np.ndarray]  # NCHW float batch (array or torch tensor) -> logits
BatchListener = Callable[[str, int, float], None]  # model, faces, seconds


def run_in_chunks(
    runner: Runner, batch: np.ndarray, max_batch: int, lock: threading.Lock
) -> np.ndarray:
    """Logits of `batch`, at most `max_batch` rows per forward, each forward under `lock`."""
    parts = []
    for start in range(0, len(batch), max_batch):
        with lock:
            parts.append(runner(batch[start : start + max_batch]))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _concatenate(batches: list):
    """One batch of several callers' (numpy arrays, or torch tensors from a torch caller)."""
    if len(batches) == 1:
        return batches[0]
    if all(isinstance(b, np.ndarray) for b in batches):
        return np.concatenate(batches)
    import torch

    return torch.cat([torch.as_tensor(b) for b in batches])


@dataclass
class _Request:
    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    error: BaseException | None = None
    remaining: int = 0  # models still to run; guarded by the batcher's condition
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Lane:
    name: str
    runner: Runner
    lock: threading.Lock
    queue: list[_Request] = field(default_factory=list)

    def queued_faces(self) -> int:
        return sum(len(r.inputs[self.name]) for r in self.queue)


class MicroBatcher:
    """Runs `runners` (model name -> batch function) for many threads at once.

    Args:
        runners: each model's runner: NCHW float batch -> (N,) logits.
        max_batch: faces per model per forward at most; a full batch starts at once.
        max_wait_ms: how long the first queued caller waits for others still in flight.
        locks: per model, held around each of its forwards (Grad-CAM shares the modules and
            takes the same lock); new ones when not given.
        listeners: called after every forward with (model, faces, seconds).
    """

    def __init__(
        self,
        runners: Mapping[str, Runner],
        *,
        max_batch: int = 32,
        max_wait_ms: float = 4.0,
        locks: Mapping[str, threading.Lock] | None = None,
        listeners: list[BatchListener] | None = None,
    ):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000.0
        self.listeners = listeners if listeners is not None else []
        self._cond = threading.Condition()
        self._in_flight = 0  # callers inside `session()`, queued or not
        self._closed = False
        self._lanes = {
            name: _Lane(name, runner, (locks or {}).get(name) or threading.Lock())
            for name, runner in runners.items()
        }
        self._threads = [
            threading.Thread(
                target=self._loop, args=(lane,), daemon=True, name=f"micro-batcher-{lane.name}"
            )
            for lane in self._lanes.values()
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ callers
    @contextmanager
    def session(self) -> Iterator[None]:
        """Marks a caller as in flight (preparing faces), so the lanes know whom to wait
        for; wrap a whole request in it."""
        with self._cond:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Logits per model for `inputs` (model -> NCHW batch); blocks until computed."""
        request = _Request({name: batch for name, batch in inputs.items() if len(batch)})
        if not request.inputs:
            return {name: np.zeros(0, dtype=np.float32) for name in inputs}
        unknown = set(request.inputs) - set(self._lanes)
        if unknown:
            raise KeyError(f"no runner for {sorted(unknown)}")
        with self._cond:
            if self._closed:
                raise RuntimeError("the micro-batcher is closed")
            request.remaining = len(request.inputs)
            for name in request.inputs:
                self._lanes[name].queue.append(request)
            self._cond.notify_all()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return {name: request.outputs.get(name, np.zeros(0, dtype=np.float32)) for name in inputs}

    def queue_depth(self) -> int:
        """Faces waiting for a forward (summed over the models)."""
        with self._cond:
            return sum(lane.queued_faces() for lane in self._lanes.values())

    def close(self) -> None:
        """Finish what is queued, then stop the lanes."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    # ------------------------------------------------------------------ lanes
    def _take(self, lane: _Lane) -> list[_Request] | None:
        """The next requests to run together through `lane`'s model; None when closed and
        drained."""
        with self._cond:
            while not lane.queue:
                if self._closed:
                    return None
                self._cond.wait()
            deadline = time.monotonic() + self.max_wait_s
            while not self._closed:
                waiting_for_others = len(lane.queue) < self._in_flight
                remaining = deadline - time.monotonic()
                if (
                    lane.queued_faces() >= self.max_batch
                    or not waiting_for_others
                    or remaining <= 0
                ):
                    break
                self._cond.wait(remaining)
            taken: list[_Request] = []
            faces = 0
            while lane.queue and (
                not taken or faces + len(lane.queue[0].inputs[lane.name]) <= self.max_batch
            ):
                request = lane.queue.pop(0)
                taken.append(request)
                faces += len(request.inputs[lane.name])
            return taken

    def _loop(self, lane: _Lane) -> None:
        while (requests := self._take(lane)) is not None:
            outcome: np.ndarray | BaseException  # the batch's logits, or why there are none
            try:
                batch = _concatenate([r.inputs[lane.name] for r in requests])
                start = time.perf_counter()
                outcome = run_in_chunks(lane.runner, batch, self.max_batch, lane.lock)
                seconds = time.perf_counter() - start
            except BaseException as exc:  # hand the failure to its callers, keep serving
                log.exception("model %s failed on a batch of %d requests", lane.name, len(requests))
                outcome = exc
            else:
                for listener in self.listeners:
                    try:
                        listener(lane.name, len(batch), seconds)
                    except Exception:  # a metrics hook must never break inference
                        log.exception("batch listener failed")
            row = 0
            with self._cond:
                for r in requests:
                    n = len(r.inputs[lane.name])
                    if isinstance(outcome, BaseException):
                        r.error = r.error or outcome
                    else:
                        r.outputs[lane.name] = outcome[row : row + n]
                    row += n
                    r.remaining -= 1
                    if r.remaining == 0:
                        r.done.set()
