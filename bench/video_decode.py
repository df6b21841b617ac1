"""Video frame reading against its reference, interleaved in one run (`make bench-video`).

For each clip (the DFDC clips in ../shared/data/videos and the main benchmark's synthetic
10 s 1080p clip) it reads the same number of sampled frames with the OpenCV reader FaceProof
used before (`bench.opencv_frames`, the reference) and with `faceproof.video.read_frames`,
alternating which goes first, `--runs` times each, and reports medians and their ratio. It
checks that both read the same frames (same indices and pixels) and reports where their
times differ. With `--models-dir` it also times face detection on the sampled frames and the
whole `analyze_video` with each reader (the service's default detector and runtime), so the
share of decoding in the end-to-end time shows.

    python -m bench.video_decode --runs 5 --models-dir models
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench import opencv_frames
from bench.benchmark import SHARED, write_synthetic_video
from faceproof import video, video_analysis


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare_frames(path: Path, frames: int, max_pixels: int | None) -> dict:
    """Whether the two readers give the same frames; where their times differ."""
    old = list(opencv_frames.read_frames(path, frames, max_pixels=max_pixels))
    new = list(video.read_frames(path, frames, max_pixels=max_pixels))
    same_indices = [f.index for f in old] == [f.index for f in new]
    pixel_diff = (
        max(
            int(np.abs(a.image.astype(int) - b.image.astype(int)).max())
            for a, b in zip(old, new, strict=True)
        )
        if same_indices
        else None
    )
    time_diff = (
        max(abs(a.time_s - b.time_s) for a, b in zip(old, new, strict=True))
        if same_indices
        else None
    )
    return {
        "frames": len(new),
        "same_indices": same_indices,
        "max_pixel_diff": pixel_diff,
        "max_time_diff_s": time_diff,
    }


def interleaved(runs: int, candidates: dict[str, Callable[[], object]]) -> dict:
    """Medians of `runs` timings of each candidate, the order alternating between runs."""
    names = list(candidates)
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        for name in names if run % 2 == 0 else names[::-1]:
            times[name].append(_seconds(candidates[name]))
    return {name: {"median_s": statistics.median(t), "runs_s": t} for name, t in times.items()}


def bench_clip(path: Path, args: argparse.Namespace, predictor) -> dict:
    bound = video_analysis.frame_pixel_bound(
        args.frames, video_analysis.MAX_FRAME_PIXELS, video_analysis.MAX_TOTAL_PIXELS
    )
    result = {"clip": path.name, "check": compare_frames(path, args.frames, bound)}
    result["decode"] = interleaved(
        args.runs,
        {
            "reference": lambda: list(
                opencv_frames.read_frames(path, args.frames, max_pixels=bound)
            ),
            "new": lambda: list(video.read_frames(path, args.frames, max_pixels=bound)),
        },
    )
    if predictor is not None:
        frames = list(video.read_frames(path, args.frames, max_pixels=bound))
        result["detect"] = interleaved(
            args.runs, {"detect": lambda: [predictor.detector.detect(f.image) for f in frames]}
        )["detect"]

        def analyze_with(reader) -> Callable[[], object]:
            def run() -> object:
                saved = video_analysis.read_frames
                video_analysis.read_frames = reader
                try:
                    return video_analysis.analyze_video(predictor, path, num_frames=args.frames)
                finally:
                    video_analysis.read_frames = saved

            return run

        analyze_with(video.read_frames)()  # warm the models up
        result["end_to_end"] = interleaved(
            args.runs,
            {
                "reference": analyze_with(opencv_frames.read_frames),
                "new": analyze_with(video.read_frames),
            },
        )
    return result


def _line(name: str, figures: dict) -> str:
    ref, new = figures["reference"]["median_s"], figures["new"]["median_s"]
    return f"  {name}: reference {ref:.2f} s, new {new:.2f} s, new/reference {new / ref:.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--models-dir", type=Path, help="also time detection and analyze_video")
    parser.add_argument("--video", type=Path, nargs="*", help="clips instead of the default ones")
    parser.add_argument("--output", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    predictor = None
    if args.models_dir:
        from backend.core.lifespan import load_predictor
        from backend.core.settings import Settings

        predictor = load_predictor(Settings(MODELS_DIR=args.models_dir))
    with tempfile.TemporaryDirectory(prefix="faceproof-video-") as workdir:
        clips = args.video or [
            *sorted((SHARED / "videos").glob("*.mp4")),
            write_synthetic_video(Path(workdir) / "synthetic-1080p.mp4"),
        ]
        results = []
        for clip in clips:
            result = bench_clip(clip, args, predictor)
            results.append(result)
            print(f"{clip.name}: {json.dumps(result['check'])}", flush=True)
            print(_line("decode", result["decode"]), flush=True)
            if "detect" in result:
                print(
                    f"  detect {args.frames} frames: {result['detect']['median_s']:.2f} s",
                    flush=True,
                )
                print(_line("analyze_video", result["end_to_end"]), flush=True)
    if args.output:
        args.output.write_text(json.dumps({"runs": args.runs, "clips": results}, indent=2))


if __name__ == "__main__":
    main()
