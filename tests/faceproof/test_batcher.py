"""The micro-batcher: right rows back to the right caller, batching under concurrency, no
waiting when nothing else is in flight or the batch is full, failures handed to the callers."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from faceproof.batcher import MicroBatcher


class RecordingRunner:
    """Logit of a row = the sum of its values; remembers the batch sizes it saw."""

    def __init__(self, fail_when=None):
        self.sizes: list[int] = []
        self.fail_when = fail_when

    def __call__(self, batch: torch.Tensor) -> np.ndarray:
        self.sizes.append(len(batch))
        if self.fail_when is not None and self.fail_when(batch):
            raise ValueError("boom")
        return batch.flatten(1).sum(1).numpy().astype(np.float32)


def rows(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32).view(-1, 1, 1, 1)


def run_concurrently(batcher, inputs, in_session=True):
    results, barrier = [None] * len(inputs), threading.Barrier(len(inputs))

    def call(i):
        barrier.wait()
        if in_session:
            with batcher.session():
                results[i] = batcher.run(inputs[i])
        else:
            results[i] = batcher.run(inputs[i])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_concurrent_callers_share_batches_and_get_their_own_rows():
    a, b = RecordingRunner(), RecordingRunner()
    batcher = MicroBatcher({"a": a, "b": b}, max_batch=64, max_wait_ms=200)
    inputs = [{"a": rows([i, 100 + i]), "b": rows([-i])} for i in range(8)]
    results = run_concurrently(batcher, inputs)
    batcher.close()
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result["a"], [i, 100 + i])
        np.testing.assert_array_equal(result["b"], [-i])
    assert sum(a.sizes) == 16 and sum(b.sizes) == 8
    assert max(a.sizes) > 2, f"no batching happened: {a.sizes}"


def test_a_lone_caller_does_not_wait_for_the_window():
    batcher = MicroBatcher({"a": RecordingRunner()}, max_wait_ms=5000)
    start = time.perf_counter()
    with batcher.session():
        out = batcher.run({"a": rows([1, 2])})
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(out["a"], [1, 2])
    batcher.close()


def test_a_full_batch_never_waits():
    runner = RecordingRunner()
    batcher = MicroBatcher({"a": runner}, max_batch=4, max_wait_ms=5000)
    with batcher.session(), batcher.session():  # another caller in flight that never comes
        start = time.perf_counter()
        out = batcher.run({"a": rows([1, 2, 3, 4])})
        assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(out["a"], [1, 2, 3, 4])
    batcher.close()


def test_the_wait_for_callers_in_flight_is_bounded():
    batcher = MicroBatcher({"a": RecordingRunner()}, max_batch=32, max_wait_ms=50)
    with batcher.session(), batcher.session():
        start = time.perf_counter()
        batcher.run({"a": rows([1])})
        elapsed = time.perf_counter() - start
    assert 0.04 <= elapsed < 1.0
    batcher.close()


def test_big_requests_are_cut_into_max_batch_chunks():
    runner = RecordingRunner()
    batcher = MicroBatcher({"a": runner}, max_batch=4)
    out = batcher.run({"a": rows(range(10))})
    batcher.close()
    np.testing.assert_array_equal(out["a"], np.arange(10))
    assert runner.sizes == [4, 4, 2]


def test_a_failing_forward_reaches_its_callers_and_the_worker_keeps_serving():
    runner = RecordingRunner(fail_when=lambda batch: bool((batch < 0).any()))
    seen = []
    batcher = MicroBatcher({"a": runner}, listeners=[lambda *args: seen.append(args)])
    with pytest.raises(ValueError, match="boom"):
        batcher.run({"a": rows([-1])})
    np.testing.assert_array_equal(batcher.run({"a": rows([3])})["a"], [3])
    batcher.close()
    assert seen and seen[-1][:2] == ("a", 1)


def test_empty_inputs_unknown_models_and_closing():
    batcher = MicroBatcher({"a": RecordingRunner()})
    assert batcher.run({"a": rows([])})["a"].shape == (0,)
    with pytest.raises(KeyError):
        batcher.run({"zzz": rows([1])})
    assert batcher.queue_depth() == 0
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.run({"a": rows([1])})
    with pytest.raises(ValueError):
        MicroBatcher({"a": RecordingRunner()}, max_batch=0)


class SlowRunner(RecordingRunner):
    """Sleeps in each forward and records how many of its forwards overlapped."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds, self.active, self.most_active = seconds, 0, 0
        self._count = threading.Lock()

    def __call__(self, batch):
        with self._count:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        time.sleep(self.seconds)
        with self._count:
            self.active -= 1
        return super().__call__(batch)


def test_models_run_side_by_side_but_each_one_forward_at_a_time():
    a, b = SlowRunner(0.3), SlowRunner(0.3)
    batcher = MicroBatcher({"a": a, "b": b}, max_batch=1, max_wait_ms=0)
    start = time.perf_counter()
    out = batcher.run({"a": rows([1]), "b": rows([2])})
    assert time.perf_counter() - start < 0.55, "the two models ran one after the other"
    assert out["a"] == [1] and out["b"] == [2]
    run_concurrently(batcher, [{"a": rows([i])} for i in range(4)], in_session=False)
    batcher.close()
    assert a.most_active == 1 and b.most_active == 1


def test_one_failing_model_fails_the_request_and_not_the_other_lane():
    bad = RecordingRunner(fail_when=lambda batch: True)
    good = RecordingRunner()
    batcher = MicroBatcher({"bad": bad, "good": good})
    with pytest.raises(ValueError, match="boom"):
        batcher.run({"bad": rows([1]), "good": rows([1])})
    np.testing.assert_array_equal(batcher.run({"good": rows([5])})["good"], [5])
    batcher.close()
