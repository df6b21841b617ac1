"""The service's speed against a reference measured in the same run (`make bench`).

Starts the real service twice on loopback with the same bundles: once served the plain way (the
reference: torch, fp32, eager, one face per forward, one request at a time, PIL/torchvision
preprocessing, Haar's full search on face crops) and once as configured by default (the fast path:
the runtime and precision `FACEPROOF_RUNTIME=auto` picks per model on this CPU, micro-batching,
OpenCV preprocessing, Haar's crop-first search), both without the heatmap warm-up (bench/server.py:
no figure asks for a heatmap, so the memory figures are the lean start's and no Grad-CAM shares the
cores with the first timed requests). The fast path is started twice: once with an empty cache
(exporting, compiling and timing the candidates: the first start after an install) and then,
measured, with the cache that start filled. For each it measures single-image latency (a 224 px face
crop and a 1080p photo with face detection), throughput in faces per second with 1, 4 and 16
concurrent clients, the batch endpoint, a 10 s 1080p video end to end, resident memory after loading
and after 1,000 requests, and the time from process start to ready.
It also measures this machine's fp32 and bf16 matrix-multiply peaks, which give
the compute floor of the two models. Every figure is printed next to the reference's, as a
ratio, and written as JSON and a Markdown table (`--readme` rewrites README's Performance
table between its markers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx
import numpy as np
import torch

from bench.server import REPO, Service
from faceproof.runner_choice import NOT_STARTED

SHARED = REPO.parent / "shared" / "data"
REFERENCE_ENV = {
    "FACEPROOF_RUNTIME": "torch",
    "FACEPROOF_INFERENCE_PRECISION": "fp32",
    "FACEPROOF_MICRO_BATCHING": "false",
    "FACEPROOF_MAX_BATCH": "1",
    "FACEPROOF_INFERENCE_WORKERS": "1",
    "FACEPROOF_PREPROCESSING": "pil",
    "FACEPROOF_HAAR_CROP_FIRST": "false",  # Haar's full search on face crops too
    "FACEPROOF_TORCH_THREADS": str(os.cpu_count() or 1),
}  # torch's own default
FAST_ENV: dict[str, str] = {}  # the service's defaults


# ---------------------------------------------------------------------------- inputs
@dataclass
class Media:
    crop: bytes  # a 224 px face crop, JPEG
    photo: bytes  # a 1080p photo with a face, JPEG
    video: Path  # a 10 s 1080p video with a face
    source: str


def _jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return buf.tobytes()


def load_media(workdir: Path) -> Media:
    """Real DFDC media from ../shared when it is there, else synthetic stand-ins."""
    crops_tar = SHARED / "dfdc-faces" / "part-00.tar"
    videos = sorted((SHARED / "videos").glob("*.mp4"))
    if crops_tar.is_file() and videos:
        with tarfile.open(crops_tar) as tar:
            member = next(m for m in tar if m.name.endswith(".jpg"))
            crop = tar.extractfile(member).read()
        capture = cv2.VideoCapture(str(videos[0]))
        ok, frame = capture.read()
        capture.release()
        assert ok, f"cannot read {videos[0]}"
        return Media(
            crop,
            _jpeg(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)),
            videos[0],
            f"DFDC crop {member.name}; first frame of and whole {videos[0].name}",
        )
    face, canvas = synthetic_face()
    video = write_synthetic_video(workdir / "synthetic-1080p.mp4")
    return Media(_jpeg(face), _jpeg(canvas), video, "synthetic (astronaut face on a canvas)")


def synthetic_face() -> tuple[np.ndarray, np.ndarray]:
    """A 224 px face crop and a 1080p canvas holding it (RGB)."""
    from skimage import data

    face = cv2.resize(data.astronaut()[30:230, 130:330], (224, 224))
    canvas = np.full((1080, 1920, 3), 90, np.uint8)
    canvas[300:524, 850:1074] = face
    return face, canvas


def write_synthetic_video(path: Path) -> Path:
    """A 10 s 1080p 30 fps MPEG-4 clip of the synthetic canvas sliding right."""
    canvas = synthetic_face()[1]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (1920, 1080))
    for i in range(300):
        writer.write(cv2.cvtColor(np.roll(canvas, i, axis=1), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


# ---------------------------------------------------------------------------- machine
def matmul_peak_gflops(dtype: torch.dtype, n: int = 2048, seconds: float = 2.0) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    torch.mm(a, b)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        runs += 1
    return 2 * n**3 * runs / (time.perf_counter() - start) / 1e9


def model_gflops(models_dir: Path) -> dict[str, float]:
    """GFLOP per face of each bundle at its input size (multiply-adds count 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    from faceproof.bundle import find_bundles, load_bundle

    out = {}
    for folder in find_bundles(models_dir):
        bundle = load_bundle(folder)
        size = bundle.config.input_size
        with torch.inference_mode(), FlopCounterMode(display=False) as counter:
            bundle.model(torch.zeros(1, 3, size, size))
        out[bundle.name] = counter.get_total_flops() / 1e9
    return out


def machine_info() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "load_average": os.getloadavg(),
    }


# ---------------------------------------------------------------------------- workloads
def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def post_image(client: httpx.AsyncClient, data: bytes) -> tuple[float, int]:
    start = time.perf_counter()
    r = await client.post("/api/predict", files={"file": ("face.jpg", data, "image/jpeg")})
    r.raise_for_status()
    return (time.perf_counter() - start) * 1000, len(r.json()["faces"])


async def latency(client: httpx.AsyncClient, data: bytes, n: int) -> dict:
    times = [(await post_image(client, data))[0] for _ in range(n)]
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "n": n}


async def throughput(client: httpx.AsyncClient, data: bytes, clients: int, seconds: float) -> dict:
    """`clients` loops posting `data` for `seconds`: faces per second and latencies."""
    deadline = time.perf_counter() + seconds
    times: list[float] = []
    faces = 0

    async def loop():
        nonlocal faces
        while time.perf_counter() < deadline:
            ms, n = await post_image(client, data)
            times.append(ms)
            faces += n

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {
        "faces_per_s": faces / elapsed,
        "requests": len(times),
        "p50_ms": pct(times, 50),
        "p95_ms": pct(times, 95),
        "clients": clients,
    }


async def batch_throughput(
    client: httpx.AsyncClient, data: bytes, files: int, seconds: float
) -> dict:
    deadline, faces, requests, start = time.perf_counter() + seconds, 0, 0, time.perf_counter()
    while time.perf_counter() < deadline:
        r = await client.post(
            "/api/predict/batch",
            files=[("files", (f"face{i}.jpg", data, "image/jpeg")) for i in range(files)],
        )
        r.raise_for_status()
        faces += sum(len(item.get("faces", [])) for item in r.json()["results"])
        requests += 1
    return {
        "faces_per_s": faces / (time.perf_counter() - start),
        "requests": requests,
        "files_per_request": files,
    }


async def video(client: httpx.AsyncClient, path: Path, frames: int, runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with path.open("rb") as fh:
            r = await client.post(
                "/api/predict/video",
                data={"frames": str(frames)},
                files={"file": (path.name, fh, "video/mp4")},
            )
        r.raise_for_status()
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "frames": frames, "runs": runs}


async def soak(client: httpx.AsyncClient, data: bytes, total: int, clients: int = 4) -> int:
    """Send single-image requests until `total` were sent; returns how many this added."""
    sent = 0

    async def loop():
        nonlocal sent
        while sent < total:
            sent += 1
            await post_image(client, data)

    await asyncio.gather(*(loop() for _ in range(clients)))
    return sent


async def measure(name: str, env: dict[str, str], media: Media, args) -> dict:
    # one loopback client sends far more than a person would: no rate limit here
    env = {
        "FACEPROOF_MODELS_DIR": str(args.models_dir),
        "FACEPROOF_RATE_LIMIT_PER_MINUTE": "0",
        **env,
    }
    print(f"== {name}: starting the service", flush=True)
    with Service(env) as service:
        result: dict = {"ready_s": service.ready_s, "rss_after_load_mb": service.rss_mb()}
        async with httpx.AsyncClient(base_url=service.base_url, timeout=300) as client:
            for _ in range(3):
                await post_image(client, media.crop)
            await post_image(client, media.photo)
            sent = 4
            result["crop"] = await latency(client, media.crop, args.n)
            result["photo_1080p"] = await latency(client, media.photo, max(3, args.n // 4))
            sent += args.n + max(3, args.n // 4)
            print(
                f"   latency: crop p50 {result['crop']['p50_ms']:.1f} ms, 1080p photo p50 "
                f"{result['photo_1080p']['p50_ms']:.1f} ms",
                flush=True,
            )
            result["throughput"] = {}
            for clients in args.clients:
                t = await throughput(client, media.crop, clients, args.seconds)
                result["throughput"][str(clients)] = t
                sent += t["requests"]
                print(
                    f"   {clients:>2} clients: {t['faces_per_s']:.1f} faces/s "
                    f"(p50 {t['p50_ms']:.0f} ms)",
                    flush=True,
                )
            result["batch"] = await batch_throughput(client, media.crop, 16, args.seconds)
            sent += result["batch"]["requests"]
            print(f"   batch of 16: {result['batch']['faces_per_s']:.1f} faces/s", flush=True)
            result["video"] = await video(client, media.video, 32, args.video_runs)
            print(f"   video: {result['video']['seconds']:.2f} s", flush=True)
            sent += await soak(client, media.crop, max(0, args.requests - sent))
            result["requests_served"] = sent
            result["rss_after_requests_mb"] = service.rss_mb()
            # read after the requests: a model is built on its first use, and one the ensemble
            # weighs 0 (run only when a request names it) is never built here
            served = (await client.get("/api/info")).json()["runtime"]
            result["runtime"] = {
                m: (
                    f"{r['runtime']} {r['precision']}"
                    if r["runtime"] != NOT_STARTED
                    else "nothing (never run)"
                )
                for m, r in served.items()
            }
            print(
                f"   serving: {', '.join(f'{m} on {r}' for m, r in result['runtime'].items())}",
                flush=True,
            )
        print(
            f"   ready {result['ready_s']:.1f} s; RSS {result['rss_after_load_mb']:.0f} MB "
            f"loaded, {result['rss_after_requests_mb']:.0f} MB after {sent} requests",
            flush=True,
        )
    return result


# ---------------------------------------------------------------------------- report
def summarize(report: dict) -> list[dict]:
    """Rows: figure, reference, fast, ratio (> 1 is better for the fast path), target."""
    ref, fast, floor = report["reference"], report["fast"], report["floor"]
    rows = []

    def add(figure, r, f, unit, lower_is_better, target=None, met=None):
        ratio = (r / f if lower_is_better else f / r) if r and f else float("nan")
        rows.append(
            {
                "figure": figure,
                "reference": r,
                "fast": f,
                "unit": unit,
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )

    add(
        "224 px face, p50",
        ref["crop"]["p50_ms"],
        fast["crop"]["p50_ms"],
        "ms",
        True,
        "≤ 25 ms and ≥ 4×",
        fast["crop"]["p50_ms"] <= 25 and ref["crop"]["p50_ms"] / fast["crop"]["p50_ms"] >= 4,
    )
    add("224 px face, p95", ref["crop"]["p95_ms"], fast["crop"]["p95_ms"], "ms", True)
    add(
        "1080p photo with detection, p50",
        ref["photo_1080p"]["p50_ms"],
        fast["photo_1080p"]["p50_ms"],
        "ms",
        True,
    )
    add(
        "1080p photo with detection, p95",
        ref["photo_1080p"]["p95_ms"],
        fast["photo_1080p"]["p95_ms"],
        "ms",
        True,
    )
    for clients, t in fast["throughput"].items():
        r = ref["throughput"][clients]["faces_per_s"]
        target = met = None
        if clients == "16":
            target = f"≥ ½ of the bf16 floor ({floor['faces_per_s_bf16'] / 2:.0f} faces/s)"
            met = t["faces_per_s"] >= floor["faces_per_s_bf16"] / 2
        add(f"{clients} concurrent clients", r, t["faces_per_s"], "faces/s", False, target, met)
    add(
        "batch endpoint, 16 crops per request",
        ref["batch"]["faces_per_s"],
        fast["batch"]["faces_per_s"],
        "faces/s",
        False,
    )
    add(
        "10 s 1080p video, 32 frames, end to end",
        ref["video"]["seconds"],
        fast["video"]["seconds"],
        "s",
        True,
        "≤ 2 s",
        fast["video"]["seconds"] <= 2,
    )
    add(
        "resident memory after loading",
        ref["rss_after_load_mb"],
        fast["rss_after_load_mb"],
        "MB",
        True,
    )
    add(
        f"resident memory after {fast['requests_served']} requests",
        ref["rss_after_requests_mb"],
        fast["rss_after_requests_mb"],
        "MB",
        True,
        "≤ 1,024 MB",
        fast["rss_after_requests_mb"] <= 1024,
    )
    add(
        "start to ready (compiled models cached)",
        ref["ready_s"],
        fast["ready_s"],
        "s",
        True,
        "≤ 5 s",
        fast["ready_s"] <= 5,
    )
    add(
        "first start to ready (empty cache: export, compile, time)",
        ref["ready_s"],
        fast["ready_cold_s"],
        "s",
        True,
    )
    return rows


def markdown(report: dict) -> str:
    m, floor = report["machine"], report["floor"]
    lines = [
        "| figure | reference | fast path | speed-up | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in report["rows"]:
        fmt = ".0f" if row["unit"] in ("MB", "faces/s") and row["fast"] >= 100 else ".1f"
        if row["unit"] == "s":
            fmt = ".2f"
        target = ""
        if row["target"]:
            target = f"{row['target']}: {'met' if row['met'] else '**missed**'}"
        lines.append(
            f"| {row['figure']} | {row['reference']:{fmt}} {row['unit']} | "
            f"{row['fast']:{fmt}} {row['unit']} | {row['ratio']:.2f}× | {target} |"
        )
    models = ", ".join(f"{k} {v:.2f}" for k, v in floor["gflop_per_face"].items())
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']}; measured matrix-multiply "
        f"peaks {floor['fp32_gflops']:.0f} GFLOP/s fp32 and {floor['bf16_gflops']:.0f} GFLOP/s "
        f"bf16. GFLOP per face: {models}; the bf16 compute floor for both models is "
        f"{floor['ms_per_face_bf16']:.1f} ms per face ({floor['faces_per_s_bf16']:.0f} faces/s)."
        f" Fast path: {', '.join(f'{k} on {v}' for k, v in report['fast']['runtime'].items())}"
        f". Media: {report['media']}. Load average "
        f"at the start {m['load_average'][0]:.2f}. {report['date']}.",
    ]
    return "\n".join(lines)


def update_readme(readme: Path, table: str) -> None:
    import re

    text = readme.read_text(encoding="utf-8")
    new, count = re.subn(
        r"(<!-- performance -->\n).*?(\n<!-- /performance -->)",
        lambda m: m.group(1) + table + m.group(2),
        text,
        flags=re.S,
    )
    if count != 1:
        raise SystemExit(f"{readme} has no <!-- performance --> ... <!-- /performance --> block")
    readme.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("-n", type=int, default=40, help="sequential requests per latency")
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput figure")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument(
        "--requests",
        type=int,
        default=1000,
        help="requests served before the second memory reading",
    )
    parser.add_argument("--video-runs", type=int, default=2)
    parser.add_argument("--video", type=Path, help="another video instead of the 10 s 1080p one")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--readme", type=Path, help="rewrite this README's Performance table")
    args = parser.parse_args(argv)
    if 16 not in args.clients:
        args.clients.append(16)

    machine = machine_info()
    fp32, bf16 = matmul_peak_gflops(torch.float32), matmul_peak_gflops(torch.bfloat16)
    gflop = model_gflops(args.models_dir)
    floor_ms = sum(gflop.values()) / bf16 * 1000
    floor = {
        "fp32_gflops": fp32,
        "bf16_gflops": bf16,
        "gflop_per_face": gflop,
        "ms_per_face_bf16": floor_ms,
        "faces_per_s_bf16": 1000 / floor_ms,
    }
    print(
        f"matmul peaks: fp32 {fp32:.0f} GFLOP/s, bf16 {bf16:.0f} GFLOP/s; floor "
        f"{floor_ms:.1f} ms per face for {', '.join(gflop)}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="faceproof-media-") as workdir:
        media = load_media(Path(workdir))
        if args.video:
            media.video, media.source = args.video, f"{media.source}; video {args.video.name}"
        reference = asyncio.run(measure("reference", REFERENCE_ENV, media, args))
        cache = {"FACEPROOF_CACHE_DIR": str(Path(workdir) / "cache")}
        print("== fast path: first start, empty cache", flush=True)
        with Service({"FACEPROOF_MODELS_DIR": str(args.models_dir), **FAST_ENV, **cache}) as cold:
            ready_cold_s = cold.ready_s
        fast = asyncio.run(measure("fast path", {**FAST_ENV, **cache}, media, args))
        fast["ready_cold_s"] = ready_cold_s
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine,
        "floor": floor,
        "media": media.source,
        "reference_settings": REFERENCE_ENV,
        "reference": reference,
        "fast": fast,
        "command": "make bench",
    }
    report["rows"] = summarize(report)
    table = markdown(report)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.output / "latest.md").write_text(table + "\n")
    print("\n" + table)
    if args.readme:
        update_readme(args.readme, table)


if __name__ == "__main__":
    main()
