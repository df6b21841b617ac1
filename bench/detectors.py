"""Face detectors side by side: time per image and recall on the shared data's faces.

`python -m bench.detectors [--yunet-model ../shared/models/yunet/face_detection_yunet_2026may.onnx]
[--per-source 200]`

Every image of the four training sources holds one face (they are face crops or portraits), so
the share of images in which a detector finds a face is its recall here. For each detector
available (Haar always; dlib's HOG detector where dlib is installed; YuNet when its model
file is given: OpenCV ships none, `../shared/models/yunet/` holds one) it reports, per source,
the recall and the median time per image on one thread, and the same for a 1080p photo (a
face image scaled into a larger scene), and for each detector after the first (Haar's full
search) how often it picks the same best face. Printed as a Markdown table; `--output` also
writes JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from faceproof.decode import load_image
from faceproof.faces import create_face_detector

SOURCES = ("dfdc-faces", "real-faces", "generated-faces", "faceswap-faces")


def sample_paths(data_dir: Path, source: str, n: int, seed: int = 0) -> list[Path]:
    rows = (data_dir / source / "metadata.csv").read_text(encoding="utf-8").splitlines()[1:]
    files = [data_dir / source / row.split(",")[0] for row in rows if row]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(files), size=min(n, len(files)), replace=False)
    return [files[i] for i in sorted(picked)]


def in_scene(face: np.ndarray, width: int = 1920, height: int = 1080) -> np.ndarray:
    """The face at a third of a 1080p frame's height, on a plain background."""
    scene = np.full((height, width, 3), 90, np.uint8)
    side = height // 3
    scene[height // 3 : height // 3 + side, width // 2 : width // 2 + side] = cv2.resize(
        face, (side, side), interpolation=cv2.INTER_AREA
    )
    return scene


def iou(a, b) -> float:
    ax1, ay1, bx1, by1 = a.x + a.width, a.y + a.height, b.x + b.width, b.y + b.height
    w = max(0, min(ax1, bx1) - max(a.x, b.x))
    h = max(0, min(ay1, by1) - max(a.y, b.y))
    inter = w * h
    return inter / (a.width * a.height + b.width * b.height - inter)


def measure(detector, images: list[np.ndarray], reference: list | None = None) -> dict:
    """Recall and median time; with `reference` (the full search's best faces per image),
    also how often the same best face (IoU >= 0.9) and the same number of faces come out."""
    found, seconds, best = 0, [], []
    for image in images:
        start = time.perf_counter()
        faces = detector.detect(image)
        seconds.append(time.perf_counter() - start)
        found += bool(faces)
        best.append(faces)
    out = {
        "images": len(images),
        "recall": found / max(1, len(images)),
        "ms_median": 1000 * statistics.median(seconds) if seconds else float("nan"),
    }
    if reference is not None:
        pairs = list(zip(best, reference, strict=True))
        out["same_best_face"] = float(
            np.mean(
                [
                    (not a and not b) or (bool(a) and bool(b) and iou(a[0], b[0]) >= 0.9)
                    for a, b in pairs
                ]
            )
        )
        out["same_face_count"] = float(np.mean([len(a) == len(b) for a, b in pairs]))
    return out, best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="the sources unpacked by `make data`"
    )
    parser.add_argument("--per-source", type=int, default=200)
    parser.add_argument("--yunet-model", type=Path)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    # Haar's full search first (it cut the training crops before 2026-12): the others are
    # compared with it; then Haar as served, which looks for a face filling a small image first
    detectors = {
        "haar, full search": create_face_detector("haar", crop_first=False),
        "haar": create_face_detector("haar"),
    }
    if args.yunet_model:
        detectors["yunet"] = create_face_detector("yunet", model_path=args.yunet_model)
    try:
        detectors["dlib"] = create_face_detector("dlib")
    except ImportError as exc:
        print(f"dlib not measured: {exc}")
    results: dict[str, dict] = {name: {} for name in detectors}
    groups = [
        (source, [load_image(p) for p in sample_paths(args.data_dir, source, args.per_source)])
        for source in SOURCES
    ]
    groups.append(("1080p scene", [in_scene(im) for _, ims in groups for im in ims[:10]]))
    for what, images in groups:
        reference = None
        for name, detector in detectors.items():
            results[name][what], faces = measure(detector, images, reference)
            reference = faces if reference is None else reference
    lines = [
        "| detector | images | recall | same best face as Haar's full search "
        "| median ms per image |",
        "|---|---|---:|---:|---:|",
    ]
    for name, by in results.items():
        for what, r in by.items():
            same = f"{100 * r['same_best_face']:.1f} %" if "same_best_face" in r else "-"
            lines.append(
                f"| {name} | {what} ({r['images']}) | {100 * r['recall']:.1f} % | "
                f"{same} | {r['ms_median']:.1f} |"
            )
    print("\n".join(lines))
    if not args.yunet_model:
        print("\nYuNet not measured: give --yunet-model (OpenCV ships no YuNet model).")
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
