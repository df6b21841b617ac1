"""glibc tuning: harmless calls that do what they say where glibc is there."""

from __future__ import annotations

import sys

from backend import memory


def test_trim_and_arena_limit_run(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # the environment wins: no mallopt call
    memory.limit_malloc_arenas()
    memory.release_free_memory()
    if sys.platform == "linux":
        assert memory.LIBC is not None


def test_without_glibc_both_are_no_ops(monkeypatch):
    monkeypatch.setattr(memory, "LIBC", None)
    memory.limit_malloc_arenas()
    memory.release_free_memory()
