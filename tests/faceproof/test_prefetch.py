"""prefetch: same items in order, errors reach the consumer, early stops close the source."""

from __future__ import annotations

import threading

import pytest

from faceproof.prefetch import prefetch


def test_yields_everything_in_order_from_another_thread():
    threads = set()

    def source():
        for i in range(50):
            threads.add(threading.current_thread().name)
            yield i

    assert list(prefetch(source(), depth=3)) == list(range(50))
    assert threads == {"prefetch"}


def test_an_error_in_the_source_reaches_the_consumer_after_the_items_before_it():
    def source():
        yield 1
        yield 2
        raise ValueError("broken frame")

    got = []
    with pytest.raises(ValueError, match="broken frame"):
        for item in prefetch(source()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_closes_the_source():
    closed = threading.Event()

    def source():
        try:
            yield from range(10_000)
        finally:
            closed.set()

    for item in prefetch(source(), depth=2):
        if item == 5:
            break
    assert closed.wait(5)
