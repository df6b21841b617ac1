"""Latency of POST /api/predict for one 224 px face crop against a real running service.

`python bench/predict_latency.py [--models-dir models] [-n 50]` starts uvicorn on a free
loopback port, waits until ready, sends one warm-up and then N sequential requests, and
prints the median, p95 and the server-side processing time. Loopback only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED_CROP = REPO.parent / "shared" / "data" / "dfdc-faces" / "part-00.tar"


def face_crop_jpeg() -> tuple[bytes, str]:
    """A real 224 px DFDC face crop when ../shared is there, else the astronaut's face."""
    if SHARED_CROP.is_file():
        import tarfile

        with tarfile.open(SHARED_CROP) as tar:
            member = next(m for m in tar if m.name.endswith(".jpg"))
            return tar.extractfile(member).read(), f"DFDC crop {member.name}"
    from skimage import data

    face = Image.fromarray(data.astronaut()[40:200, 145:305]).resize((224, 224))
    buf = io.BytesIO()
    face.save(buf, "JPEG", quality=92)
    return buf.getvalue(), "astronaut face crop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=str(REPO / "models"))
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="faceproof-bench-")
    env = {**os.environ, "FACEPROOF_MODELS_DIR": args.models_dir, "FACEPROOF_PORT": str(port),
           "FACEPROOF_HISTORY_URL": f"sqlite:///{tmp}/history.db", "FACEPROOF_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "backend"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            start = time.perf_counter()
            while True:
                try:
                    if client.get("/api/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - start > 120 or server.poll() is not None:
                    raise SystemExit("service did not become ready")
                time.sleep(0.2)
            ready_s = time.perf_counter() - start
            image, source = face_crop_jpeg()
            files = {"file": ("face.jpg", image, "image/jpeg")}
            client.post("/api/predict", files=files).raise_for_status()  # warm-up
            wall, server_ms = [], []
            for _ in range(args.n):
                t = time.perf_counter()
                response = client.post("/api/predict", files=files)
                wall.append((time.perf_counter() - t) * 1000)
                response.raise_for_status()
                server_ms.append(response.json()["processing_time_ms"])
            models = response.json()["models_used"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    wall.sort()
    print(json.dumps({
        "input": source, "requests": args.n, "models": models,
        "median_ms": round(statistics.median(wall), 1),
        "p95_ms": round(wall[int(0.95 * (len(wall) - 1))], 1),
        "server_processing_median_ms": round(statistics.median(server_ms), 1),
        "ready_after_s": round(ready_s, 1), "cpu_count": os.cpu_count(),
    }, indent=2))


if __name__ == "__main__":
    main()
