"""The HTTP server's own cost: uvicorn on Python's asyncio loop with the pure-Python h11
parser (the reference) against what the service runs by default (`FACEPROOF_SERVER_LOOP` and
`FACEPROOF_SERVER_HTTP` on auto: uvloop and httptools, which ship with it), in one run
(`make bench-http`).

Both services run side by side with the same bundles and settings; they are measured in
alternating blocks (which goes first alternates too), each block a run of single-image
requests of the DFDC crop (latency) and then `--clients` concurrent clients for `--seconds`
(throughput), so a machine that slows down mid-run slows both alike. It reports the medians
over all blocks and their ratio (speed-up > 1: the default is better).

    python -m bench.http_server --models-dir models
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import tempfile
from pathlib import Path

import httpx

from bench.benchmark import load_media, pct, post_image, throughput
from bench.server import Service

REFERENCE = {"FACEPROOF_SERVER_LOOP": "asyncio", "FACEPROOF_SERVER_HTTP": "h11"}


def default_stack() -> str:
    """What `auto` picks in this environment (the services run in it too)."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


async def measure(services: dict[str, Service], data: bytes, args) -> dict:
    """Per service: every single request's time and each block's faces per second."""
    clients = {
        name: httpx.AsyncClient(base_url=s.base_url, timeout=300) for name, s in services.items()
    }
    figures: dict[str, dict[str, list[float]]] = {
        name: {"latency_ms": [], "faces_per_s": []} for name in services
    }
    try:
        for client in clients.values():  # warm: first requests build and compile
            for _ in range(5):
                await post_image(client, data)
        for block in range(args.blocks):
            order = list(clients) if block % 2 == 0 else list(reversed(clients))
            for name in order:
                client = clients[name]
                figures[name]["latency_ms"] += [
                    (await post_image(client, data))[0] for _ in range(args.requests)
                ]
                t = await throughput(client, data, args.clients, args.seconds)
                figures[name]["faces_per_s"].append(t["faces_per_s"])
    finally:
        for client in clients.values():
            await client.aclose()
    return figures


def summarize(figures: dict[str, dict[str, list[float]]]) -> dict:
    p50 = {name: pct(f["latency_ms"], 50) for name, f in figures.items()}
    rate = {name: statistics.median(f["faces_per_s"]) for name, f in figures.items()}
    return {
        "p50_ms": p50,
        "faces_per_s": rate,
        "latency_speedup": p50["reference"] / p50["default"],
        "throughput_speedup": rate["default"] / rate["reference"],
        "requests": {name: len(f["latency_ms"]) for name, f in figures.items()},
        "blocks": len(figures["reference"]["faces_per_s"]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--requests", type=int, default=60, help="single requests per block")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0, help="throughput per block")
    parser.add_argument("--output", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    env = {"FACEPROOF_MODELS_DIR": str(args.models_dir), "FACEPROOF_RATE_LIMIT_PER_MINUTE": "0"}
    with tempfile.TemporaryDirectory(prefix="faceproof-http-") as workdir:
        media = load_media(Path(workdir))
        with Service({**env, **REFERENCE}) as reference, Service(env) as default:
            figures = asyncio.run(
                measure({"reference": reference, "default": default}, media.crop, args)
            )
    result = {"default_stack": default_stack(), "media": media.source, **summarize(figures)}
    p50, rate = result["p50_ms"], result["faces_per_s"]
    print(f"reference asyncio + h11, default {result['default_stack']}; {media.source}")
    print(
        f"single request p50: {p50['reference']:.2f} ms -> {p50['default']:.2f} ms "
        f"({result['latency_speedup']:.2f}x)"
    )
    print(
        f"{args.clients} clients: {rate['reference']:.1f} -> {rate['default']:.1f} faces/s "
        f"({result['throughput_speedup']:.2f}x), medians of {result['blocks']} blocks"
    )
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
