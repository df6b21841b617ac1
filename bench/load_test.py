"""A bounded load test: N concurrent clients for D seconds against a real service on loopback,
mixing single images, batches and video jobs; zero errors expected, p50/p95/p99 latency per
kind, and the service's resident memory in the first and the last window.

    python -m bench.load_test --duration 60 --clients 16 --models-dir models

starts `python -m backend` on 127.0.0.1 (a free port, its own history and temporary files),
or, with `--history-url postgresql+psycopg://... --apis 2 --workers 1`, the scale-out stack of
docker-compose.scale.yml on loopback: that many API processes on one database with the
database job queue, and that many `python -m backend.worker` processes (clients take the APIs
in turn; resident memory is the APIs' sum), warms it up with one request of each kind, runs
the load, stops it with SIGTERM, prints a summary and writes it as JSON (`--output`). Exit
status 1 when any request failed or memory grew by more than `--max-rss-growth` percent. The
per-client rate limit is off: every client here shares one address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import httpx
import numpy as np

from bench.server import Service, Worker

MAX_DURATION_S = 600
MAX_CLIENTS = 64
MIX = {"single": 0.6, "batch": 0.25, "video_job": 0.15}
BATCH_FILES = 4
VIDEO_FRAMES = 8
POLL_S = 0.2


@dataclass
class Media:
    face_jpeg: bytes
    blank_png: bytes
    video: bytes


@dataclass
class Tally:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MIX})


def make_media(folder: Path) -> Media:
    """A face photo, a face-less image and a 2 s video of the face (MJPG)."""
    from skimage import data

    face = cv2.cvtColor(
        cv2.resize(data.astronaut(), (256, 256), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR
    )
    ok_jpeg, jpeg = cv2.imencode(".jpg", face)
    ok_png, png = cv2.imencode(".png", np.full((160, 200, 3), 120, np.uint8))
    path = folder / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (256, 256))
    for i in range(20):
        writer.write(np.roll(face, 3 * i, axis=1))
    writer.release()
    assert ok_jpeg and ok_png and path.stat().st_size > 0
    return Media(jpeg.tobytes(), png.tobytes(), path.read_bytes())


async def one_operation(client: httpx.AsyncClient, kind: str, media: Media, tally: Tally) -> None:
    """One operation of `kind`; its latency (a job: from upload to done) goes to `tally`."""
    started = time.perf_counter()
    try:
        if kind == "single":
            response = await client.post(
                "/api/predict", files={"file": ("face.jpg", media.face_jpeg, "image/jpeg")}
            )
            tally.requests += 1
            _check(response, 200)
        elif kind == "batch":
            files = [
                ("files", (f"{i}.jpg", media.face_jpeg, "image/jpeg"))
                for i in range(BATCH_FILES - 1)
            ]
            files.append(("files", ("blank.png", media.blank_png, "image/png")))
            response = await client.post("/api/predict/batch", files=files)
            tally.requests += 1
            _check(response, 200)
            if response.json()["summary"]["failed"]:
                raise RuntimeError(f"batch item failed: {response.json()['errors']}")
        else:
            response = await client.post(
                "/api/jobs/video",
                params={"frames": VIDEO_FRAMES},
                files={"file": ("clip.avi", media.video, "video/avi")},
            )
            tally.requests += 1
            _check(response, 202)
            status_url = response.json()["status_url"]
            while True:
                await asyncio.sleep(POLL_S)
                job = await client.get(status_url)
                tally.requests += 1
                _check(job, 200)
                if job.json()["status"] == "done":
                    break
                if job.json()["status"] == "failed":
                    raise RuntimeError(f"job failed: {job.json()['error']}")
    except (httpx.HTTPError, RuntimeError) as exc:
        tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])
        return
    tally.latencies[kind].append(time.perf_counter() - started)


def _check(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:200]}"
        )


async def client_loop(
    client: httpx.AsyncClient, media: Media, tally: Tally, until: float, rng: random.Random
) -> None:
    kinds, weights = list(MIX), list(MIX.values())
    while time.perf_counter() < until:
        await one_operation(client, rng.choices(kinds, weights)[0], media, tally)


class Stack:
    """Several API processes (and worker processes) seen as one service: clients take the
    APIs in turn, resident memory is the APIs' sum."""

    def __init__(self, services: list[Service]):
        self.services = services
        self.base_url = services[0].base_url
        self.ready_s = max(s.ready_s for s in services)

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.services)


async def sample_rss(
    service: Service | Stack, samples: list[tuple[float, float]], start: float, until: float
) -> None:
    while time.perf_counter() < until:
        samples.append((time.perf_counter() - start, service.rss_mb()))
        await asyncio.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def run_load(
    service: Service | Stack,
    media: Media,
    *,
    duration_s: float,
    clients: int,
    window_s: float,
    seed: int = 0,
) -> dict:
    tally = Tally()
    timeout = httpx.Timeout(300.0)
    services = service.services if isinstance(service, Stack) else [service]
    limits = httpx.Limits(max_connections=clients)
    sessions = [
        httpx.AsyncClient(base_url=s.base_url, timeout=timeout, limits=limits) for s in services
    ]
    try:
        for session in sessions:
            for kind in MIX:  # warm-up, not counted: first-call allocations, model caches
                await one_operation(session, kind, media, Tally())
        start = time.perf_counter()
        until = start + duration_s
        samples: list[tuple[float, float]] = []
        await asyncio.gather(
            sample_rss(service, samples, start, until),
            *(
                client_loop(
                    sessions[i % len(sessions)], media, tally, until, random.Random(seed + i)
                )
                for i in range(clients)
            ),
        )
        elapsed = time.perf_counter() - start
    finally:
        for session in sessions:
            await session.aclose()
    window = min(window_s, elapsed / 3)
    first = [rss for t, rss in samples if t <= window]
    last = [rss for t, rss in samples if t >= elapsed - window]
    rss_first, rss_last = statistics.fmean(first), statistics.fmean(last)
    operations = sum(len(v) for v in tally.latencies.values())
    return {
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "requests": tally.requests,
        "operations": operations,
        "errors": len(tally.errors),
        "error_samples": tally.errors[:10],
        "throughput_rps": round(tally.requests / elapsed, 2),
        "latency_ms": {
            kind: {
                "count": len(v),
                "p50": round(percentile(v, 50) * 1000, 1),
                "p95": round(percentile(v, 95) * 1000, 1),
                "p99": round(percentile(v, 99) * 1000, 1),
            }
            for kind, v in tally.latencies.items()
        },
        "rss_mb": {
            "window_s": round(window, 1),
            "first": round(rss_first, 1),
            "last": round(rss_last, 1),
            "max": round(max(r for _, r in samples), 1),
            "growth_percent": round((rss_last - rss_first) / rss_first * 100, 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument(
        "--window",
        type=float,
        default=20.0,
        help="seconds at the start and the end whose memory is compared",
    )
    parser.add_argument("--max-rss-growth", type=float, default=10.0, help="percent")
    parser.add_argument("--output", type=Path, default=Path("runs/load-test.json"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--history-url", help="a PostgreSQL URL: run the scale-out stack on it")
    parser.add_argument("--apis", type=int, default=2, help="API processes (with --history-url)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (with --history-url)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION_S or not 0 < args.clients <= MAX_CLIENTS:
        parser.error(f"bounded: 0 < duration <= {MAX_DURATION_S}, 0 < clients <= {MAX_CLIENTS}")

    with tempfile.TemporaryDirectory(prefix="faceproof-load-") as tmp:
        media = make_media(Path(tmp))
        env = {
            "FACEPROOF_MODELS_DIR": str(args.models_dir.resolve()),
            "FACEPROOF_RATE_LIMIT_PER_MINUTE": "0",
            "TMPDIR": tmp,
        }
        with contextlib.ExitStack() as stack:
            if args.history_url:
                env |= {
                    "FACEPROOF_HISTORY_URL": args.history_url,
                    "FACEPROOF_JOB_QUEUE": "database",
                    "FACEPROOF_JOB_WORKER_IN_API": "false",
                    "FACEPROOF_JOB_UPLOADS_DIR": str(Path(tmp) / "jobs"),
                }
                service = Stack([stack.enter_context(Service(env)) for _ in range(args.apis)])
                for _ in range(args.workers):
                    stack.enter_context(Worker(service.services[0].env))
            else:
                service = stack.enter_context(Service(env))
            report = asyncio.run(
                run_load(
                    service,
                    media,
                    duration_s=args.duration,
                    clients=args.clients,
                    window_s=args.window,
                    seed=args.seed,
                )
            )
            report["ready_s"] = round(service.ready_s, 1)
            if args.history_url:
                report["stack"] = {
                    "apis": args.apis,
                    "workers": args.workers,
                    "history": "PostgreSQL",
                    "job_queue": "database",
                }
    report["models_dir"] = str(args.models_dir)
    report["ok"] = (
        report["errors"] == 0 and report["rss_mb"]["growth_percent"] < args.max_rss_growth
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(
        f"{report['clients']} clients for {report['duration_s']} s: {report['requests']} "
        f"requests ({report['throughput_rps']}/s), {report['errors']} errors"
    )
    for kind, figures in report["latency_ms"].items():
        print(
            f"  {kind:10s} n={figures['count']:5d}  p50 {figures['p50']:8.1f} ms  "
            f"p95 {figures['p95']:8.1f} ms  p99 {figures['p99']:8.1f} ms"
        )
    rss = report["rss_mb"]
    print(
        f"  RSS first {rss['window_s']} s {rss['first']} MiB, last {rss['last']} MiB: "
        f"{rss['growth_percent']:+.2f} % (max {rss['max']} MiB)"
    )
    for sample in report["error_samples"]:
        print(f"  error: {sample}", file=sys.stderr)
    print(f"written to {args.output}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
