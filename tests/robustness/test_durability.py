"""History durability against a real process, on SQLite and on PostgreSQL: 1,000 concurrent
analyses are recorded exactly once, and a service killed with SIGKILL mid-load keeps every
record it had answered for (a commit is made before the response leaves: with SQLite it is
then in the WAL, which outlives the process; PostgreSQL's server outlives it anyway)."""

from __future__ import annotations

import asyncio
import signal
import time

import cv2
import httpx
import numpy as np
import pytest

from backend.schemas import HistoryItem
from tests.robustness.live_service import LiveService

pytest_plugins = ["tests.postgres"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True),
]
ANALYSES = 1000
CONCURRENCY = 32
AFTER_KILL = 300  # requests of the second wave, cut by SIGKILL part-way


@pytest.fixture(scope="module")
def small_png() -> bytes:
    """A 48 px face-less image: the cheapest analysis (NO_FACE: decoded, searched, recorded;
    no model runs)."""
    ok, data = cv2.imencode(
        ".png", np.random.default_rng(0).integers(0, 255, (48, 48, 3), dtype=np.uint8)
    )
    assert ok
    return data.tobytes()


async def _analyse(
    base_url: str, image: bytes, count: int, *, stop_after: float | None = None
) -> tuple[list[str], int]:
    """`count` analyses, CONCURRENCY at a time: (ids answered 200, requests that got no
    answer). With `stop_after`, requests still unanswered then are abandoned."""
    ids: list[str] = []
    failed = 0
    queue = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failed
        while not queue.empty():
            i = queue.get_nowait()
            try:
                response = await client.post(
                    "/api/predict", files={"file": (f"{i}.png", image, "image/png")}
                )
            except httpx.TransportError:
                failed += 1
                continue
            assert response.status_code == 200, response.text
            ids.append(response.json()["analysis_id"])

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return ids, failed


def _all_rows(base_url: str) -> list[dict]:
    rows, page = [], 1
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while True:
            body = client.get("/api/history", params={"page": page, "page_size": 200}).json()
            rows += body["items"]
            if len(rows) >= body["total"] or not body["items"]:
                return rows
            page += 1


def test_concurrent_analyses_recorded_once_and_kept_through_sigkill(
    models_dir, tmp_path, small_png, history_url
) -> None:
    live = LiveService(tmp_path, MODELS_DIR=models_dir, HISTORY_URL=history_url).start()
    try:
        started = time.monotonic()
        ids, lost = asyncio.run(_analyse(live.base_url, small_png, ANALYSES))
        took = time.monotonic() - started
        assert lost == 0 and len(ids) == ANALYSES
        rows = _all_rows(live.base_url)
        # exactly once: one row per answered analysis, no other row, no duplicate
        assert sorted(r["id"] for r in rows) == sorted(ids)

        # a second wave, killed part-way with SIGKILL
        more_ids, cut = asyncio.run(_wave_killed(live, small_png, AFTER_KILL))
        live.wait(10)
    finally:
        live.kill()

    # restarted on the same database: every answered record is there, complete
    with LiveService(tmp_path, MODELS_DIR=models_dir, HISTORY_URL=history_url) as again:
        rows = _all_rows(again.base_url)
    kept = {r["id"] for r in rows}
    answered = set(ids) | set(more_ids)
    assert answered <= kept, f"{len(answered - kept)} answered analyses lost"
    assert len(rows) == len(kept)  # no duplicate
    # beyond the answered ones, at most the requests in flight when it died
    assert len(kept - answered) <= cut
    for row in rows:
        HistoryItem.model_validate(row)
    print(
        f"\ndurability ({history_url.partition(':')[0]}): {ANALYSES} concurrent analyses "
        f"in {took:.1f} s recorded exactly once; "
        f"SIGKILL after {len(more_ids)} more: {len(answered)} answered, {len(kept)} kept, "
        f"0 lost"
    )


async def _wave_killed(live: LiveService, image: bytes, count: int) -> tuple[list[str], int]:
    """Send `count` analyses; SIGKILL the service once a third of them are answered."""
    ids: list[str] = []
    cut = 0
    queue = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    killed = asyncio.Event()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal cut
        while not queue.empty():
            i = queue.get_nowait()
            try:
                response = await client.post(
                    "/api/predict", files={"file": (f"k{i}.png", image, "image/png")}
                )
            except httpx.TransportError:
                cut += 1
                continue
            assert response.status_code == 200, response.text
            ids.append(response.json()["analysis_id"])
            if len(ids) >= count // 3 and not killed.is_set():
                killed.set()
                live.signal(signal.SIGKILL)

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=live.base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    assert killed.is_set()
    return ids, cut
