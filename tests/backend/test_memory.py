"""glibc tuning: few malloc arenas unless the environment says otherwise, and free heap pages
really handed back by `release_free_memory`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend.core import memory


class RecordingLibc:
    def __init__(self):
        self.calls: list[tuple] = []

    def mallopt(self, *args):
        self.calls.append(("mallopt", *args))
        return 1

    def malloc_trim(self, *args):
        self.calls.append(("malloc_trim", *args))
        return 1


def test_arena_limit_is_set_unless_the_environment_says(monkeypatch):
    libc = RecordingLibc()
    monkeypatch.setattr(memory, "LIBC", libc)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    memory.limit_malloc_arenas()
    assert libc.calls == [("mallopt", memory.M_ARENA_MAX, 2)]

    libc.calls.clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # the environment wins: no mallopt call
    memory.limit_malloc_arenas()
    memory.release_free_memory()
    assert libc.calls == [("malloc_trim", 0)]


@pytest.mark.skipif(sys.platform != "linux" or memory.LIBC is None, reason="glibc only")
def test_release_free_memory_hands_freed_heap_pages_back():
    """200 MB freed inside the heap (a live block above them keeps glibc from trimming on its
    own) stays resident until `release_free_memory`, which hands most of it back."""
    script = textwrap.dedent("""
        import os
        from backend.core import memory
        page = os.sysconf("SC_PAGE_SIZE")
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * page
        blocks = [bytearray(64 * 1024) for _ in range(3200)]   # heap blocks, not mmap
        pin = bytearray(64 * 1024)                              # above them: no auto trim
        before = rss()
        del blocks
        freed = rss()
        memory.release_free_memory()
        print(before, freed, rss())
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"MALLOC_ARENA_MAX": "1", "PATH": ""},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    before, freed, trimmed = map(int, done.stdout.split())
    assert freed > before - 50e6, "glibc trimmed on its own: the test proves nothing"
    assert trimmed < freed - 150e6


def test_without_glibc_both_are_no_ops(monkeypatch):
    monkeypatch.setattr(memory, "LIBC", None)
    memory.limit_malloc_arenas()
    memory.release_free_memory()
