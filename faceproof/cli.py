"""Command line: `faceproof predict`, `faceproof models`, `faceproof doctor`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np

from faceproof.faces import FACE_DETECTORS

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"}


def default_models_dir() -> Path:
    """`./models` when it exists, else the models shipped beside the package."""
    local = Path("models")
    return local if local.is_dir() else Path(__file__).resolve().parents[1] / "models"


def verdict_text(verdict, fake_probability: float | None) -> str:
    """One number, the same way everywhere: the probability that the face is fake.
    "Fake – 97.3 % fake", "Real – 4.1 % fake", "Uncertain – 38.0 % fake, leans real",
    "No face found – no verdict"."""
    if verdict.value == "NO_FACE" or fake_probability is None:
        return "No face found – no verdict"
    text = f"{verdict.value.title()} – {100 * fake_probability:.1f} % fake"
    if verdict.value == "UNCERTAIN":
        text += f", leans {'fake' if fake_probability >= 0.5 else 'real'}"
    return text


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _build_predictor(args):
    from faceproof.faces import create_face_detector
    from faceproof.predictor import Predictor

    detector = create_face_detector(args.detector, model_path=args.yunet_model)
    names = [n for n in (args.models or "").split(",") if n]
    return Predictor.from_dir(
        args.models_dir,
        names or None,
        detector=detector,
        runtime=args.runtime,
        precision=args.precision,
    )


def _explain_image(prediction, path: Path) -> None:
    """One row per face: the crop, then each model's Grad-CAM overlay."""
    import cv2

    from faceproof.gradcam import encode_png, overlay

    rows = []
    for face in prediction.faces:
        crop = cv2.resize(face.crop, (224, 224), interpolation=cv2.INTER_AREA)
        cells = [crop] + [overlay(crop, face.heatmaps[m]) for m in prediction.models_used]
        rows.append(np.concatenate(cells, axis=1))
    path.write_bytes(encode_png(np.concatenate(rows, axis=0)))


def _explain_path(base: str, i: int, count: int) -> Path:
    path = Path(base)
    return path if count == 1 else path.with_name(f"{path.stem}-{i + 1}{path.suffix}")


def cmd_predict(args) -> int:
    from faceproof.errors import FaceProofError
    from faceproof.video_analysis import analyze_video

    predictor = _build_predictor(args)
    failures = 0
    for i, raw in enumerate(args.paths):
        path = Path(raw)
        summary: dict[str, Any]  # the file's JSON line
        try:
            if path.suffix.lower() in VIDEO_SUFFIXES:
                result = analyze_video(
                    predictor,
                    path,
                    num_frames=args.frames,
                    tta=args.tta,
                    whole_frames=args.whole_image,
                    stability=args.stability,
                )
                summary = {
                    "file": str(path),
                    "kind": "video",
                    "prediction": result.verdict.value,
                    "confidence": _rounded(result.confidence),
                    "fake_probability": _rounded(result.fake_probability),
                    "fake_percentage": round(result.fake_percentage, 2),
                    "frames_analyzed": result.frames_analyzed,
                    "reason": result.reason,
                    "models_used": result.models_used,
                    "processing_time_ms": round(result.processing_time_ms, 1),
                }
                if result.stability:
                    summary["stability"] = result.stability.to_dict("the video")
                verdict = verdict_text(result.verdict, result.fake_probability)
                text = (
                    f"{path}: {verdict}  ({result.frames_analyzed} frames, "
                    f"{result.fake_percentage:.0f}% judged fake; "
                    f"{result.processing_time_ms:.0f} ms)"
                )
                if result.stability:
                    text += f"\n  {summary['stability']['summary']}"
            else:
                result = predictor.predict_path(
                    path,
                    tta=args.tta,
                    explain=bool(args.explain),
                    whole_image=args.whole_image,
                    stability=args.stability,
                )
                summary = {"file": str(path), "kind": "image", **result.to_dict()}
                verdict = verdict_text(result.verdict, result.fake_probability)
                faces = len(result.faces)
                if not faces:
                    text = f"{path}: {verdict}  ({result.processing_time_ms:.0f} ms)"
                else:
                    scores = ", ".join(
                        f"{k} {v:.3f}" for k, v in result.faces[0].model_probabilities.items()
                    )
                    whole = "" if result.face_detected else ", none detected: whole image"
                    text = (
                        f"{path}: {verdict}  ({faces} face{'s' * (faces != 1)}{whole}; "
                        f"{scores}; {result.processing_time_ms:.0f} ms)"
                    )
                if "stability" in summary:
                    text += f"\n  {summary['stability']['summary']}"
                if args.explain:
                    out = _explain_path(args.explain, i, len(args.paths))
                    _explain_image(result, out)
                    summary["explanation"] = str(out)
                    text += f"\n  heatmaps: {out}"
        except (FaceProofError, OSError) as exc:
            failures += 1
            summary = {
                "file": str(path),
                "error": str(exc),
                "code": getattr(exc, "code", "io_error"),
            }
            text = f"{path}: error: {exc}"
        print(json.dumps(summary) if args.json else text, flush=True)
    return 1 if failures else 0


def cmd_models(args) -> int:
    from faceproof.bundle import find_bundles, read_config

    folders = find_bundles(args.models_dir)
    if not folders:
        print(f"no bundles in {args.models_dir}", file=sys.stderr)
        return 1
    rows = []
    for folder in folders:
        c = read_config(folder)
        m = c.metrics
        rows.append(
            {
                "name": c.name,
                "arch": c.arch,
                "input": c.input_size,
                "roc_auc": m.get("roc_auc"),
                "accuracy": m.get("accuracy"),
                "threshold": c.threshold,
                "temperature": c.temperature,
                "validation_images": m.get("samples"),
                "path": str(folder),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if args.markdown:
        from faceproof.ensemble import read_ensemble

        print(markdown_table([read_config(f) for f in folders], read_ensemble(args.models_dir)))
        return 0
    print(f"{'name':<22}{'arch':<24}{'input':>6}{'ROC-AUC':>9}{'accuracy':>10}{'threshold':>11}")
    for r in rows:
        auc = f"{r['roc_auc']:.4f}" if r["roc_auc"] is not None else "-"
        acc = f"{100 * r['accuracy']:.2f}%" if r["accuracy"] is not None else "-"
        print(
            f"{r['name']:<22}{r['arch']:<24}{r['input']:>6}{auc:>9}{acc:>10}{r['threshold']:>11.3f}"
        )
    return 0


def _auc(value) -> str:
    return "-" if value is None or value != value else f"{value:.4f}"


def _share(value) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def markdown_table(configs, ensemble=None) -> str:
    """The README's "Models" table, from the bundles' (and the ensemble's) measured metrics:
    pooled and per data set on the validation split, the worst share of genuine faces called
    FAKE among the genuine sources, and the leave-one-source-out ROC-AUC."""
    lines = [
        "| model | input | validation images | ROC-AUC pooled | per data set | genuine "
        "called FAKE (worst source) | fakes called REAL | UNCERTAIN | data set never "
        "trained on |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(c.name, c.input_size, c.metrics) for c in configs]
    if ensemble is not None:
        weights = ", ".join(f"{n} {w:g}" for n, w in ensemble.weights.items())
        rows.append((f"ensemble ({weights})", "-", ensemble.metrics))
    for name, size, m in rows:
        report = m.get("by_source", {})
        pooled = report.get("pooled", {})
        datasets = ", ".join(
            f"{d} {_auc(f['roc_auc'])}"
            for d, f in report.get("datasets", {}).items()
            if _auc(f["roc_auc"]) != "-"
        )
        rates = {
            src: f["real_called_fake"]
            for src, f in report.get("sources", {}).items()
            if f["real"] >= 20 and f["real_called_fake"] is not None
        }
        worst = max(rates, key=lambda src: rates[src]) if rates else None
        unsure = m.get("abstain", {}).get("fraction")
        loo = (
            ", ".join(
                f"{r['source']} {_auc(r['pooled']['roc_auc'])}" for r in m.get("leave_one_out", [])
            )
            or "-"
        )
        lines.append(
            f"| {name} | {size} | {m.get('samples', '-')} | {_auc(m.get('roc_auc'))} "
            f"| {datasets or '-'} "
            f"| {f'{_share(rates[worst])} ({worst})' if worst else '-'} "
            f"| {_share(pooled.get('fake_called_real'))} | {_share(unsure)} | {loo} |"
        )
    return "\n".join(lines)


def cmd_doctor(args) -> int:
    from faceproof.doctor import format_report, report

    data = report(args.models_dir, args.yunet_model, runtime=args.runtime, precision=args.precision)
    print(json.dumps(data, indent=2) if args.json else format_report(data))
    bundles = data["bundles"]
    broken = isinstance(bundles, dict) and any(v["status"] != "ok" for v in bundles.values())
    return 1 if broken else 0


def cmd_provenance(args) -> int:
    from faceproof.provenance import read_provenance

    anchors = None
    if args.trust_anchors:
        try:
            anchors = Path(args.trust_anchors).read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            print(f"faceproof provenance: error: {exc}", file=sys.stderr)
            return 2
    failures = 0
    for raw in args.paths:
        path = Path(raw)
        if not path.is_file():
            failures += 1
            print(
                json.dumps({"file": raw, "error": "no such file", "code": "io_error"})
                if args.json
                else f"{raw}: error: no such file",
                flush=True,
            )
            continue
        is_video = path.suffix.lower() in VIDEO_SUFFIXES
        kind: Literal["image", "video"] = "video" if is_video else "image"
        found = read_provenance(path, kind, trust_anchors=anchors)
        if args.json:
            print(json.dumps({"file": raw, **found.to_dict()}), flush=True)
        else:
            lines = [f"{raw}: Content Credentials {found.content_credentials.status}"]
            lines += [f"  [{f.level}] {f.text}" for f in found.findings]
            lines.append(f"  ({found.note})")
            print("\n".join(lines), flush=True)
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faceproof", description="Tell real faces from deepfakes."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument(
            "--models-dir",
            type=Path,
            default=default_models_dir(),
            help="folder of model bundles (default: %(default)s)",
        )
        p.add_argument("--yunet-model", help="YuNet .onnx file for --detector yunet")
        p.add_argument("--json", action="store_true", help="JSON output")

    predict = sub.add_parser("predict", help="classify images or videos")
    predict.add_argument("paths", nargs="+", help="image or video files")
    predict.add_argument(
        "--models",
        help="comma-separated bundle names (default: those the "
        "fitted ensemble weighs; a member at weight 0 runs only when named)",
    )
    predict.add_argument("--tta", action="store_true", help="test-time augmentation")
    predict.add_argument(
        "--explain",
        metavar="OUT.png",
        help="write Grad-CAM overlays (one row per face, a column per model)",
    )
    predict.add_argument("--detector", default="haar", choices=FACE_DETECTORS)
    predict.add_argument("--frames", type=int, default=32, help="frames sampled per video")
    predict.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "torch", "onnxruntime", "openvino"],
        help="what runs the models (auto: the fastest verified here)",
    )
    predict.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "int8"])
    predict.add_argument(
        "--whole-image",
        action="store_true",
        help="with no face found, score the whole image or frame (for tight "
        "face crops the detector missed) instead of answering NO_FACE",
    )
    predict.add_argument(
        "--stability",
        action="store_true",
        help="re-score each face under JPEG 50, half size and mild noise and "
        "say whether the verdict holds (about 4x the model time)",
    )
    common(predict)
    predict.set_defaults(func=cmd_predict)

    models = sub.add_parser("models", help="list bundles with their measured metrics")
    models.add_argument("--markdown", action="store_true", help="a Markdown table")
    common(models)
    models.set_defaults(func=cmd_models)

    provenance = sub.add_parser(
        "provenance", help="what a file says about its origin: Content Credentials, metadata"
    )
    provenance.add_argument("paths", nargs="+", help="image or video files")
    provenance.add_argument(
        "--trust-anchors", metavar="PEM", help="PEM certificates of the signing roots to trust"
    )
    provenance.add_argument("--json", action="store_true", help="one JSON object per file")
    provenance.set_defaults(func=cmd_provenance)

    doctor = sub.add_parser("doctor", help="versions, hardware, bundles, face detectors")
    common(doctor)
    doctor.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "torch", "onnxruntime", "openvino"],
        help="the runtime setting to resolve per bundle (as the service's)",
    )
    doctor.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "int8"])
    doctor.set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from faceproof.errors import FaceProofError

    try:
        return args.func(args)
    except FaceProofError as exc:  # bad setup (no bundle, unknown model): a message, no trace
        print(f"faceproof {args.command}: error: {exc} ({exc.code})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
