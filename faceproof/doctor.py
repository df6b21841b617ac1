"""`faceproof doctor`: what this machine and installation can do, in one report."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import cv2
import numpy as np
import timm
import torch

import faceproof
from faceproof.bundle import find_bundles, load_bundle
from faceproof.faces import available_face_detectors


def cpu_features() -> dict[str, bool | str]:
    cpu = torch.cpu
    return {
        "capability": torch.backends.cpu.get_cpu_capability(),
        "avx512_bf16": bool(getattr(cpu, "_is_avx512_bf16_supported", lambda: False)()),
        "amx": bool(getattr(cpu, "_is_amx_tile_supported", lambda: False)()),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }


def runtimes() -> dict[str, str]:
    """The compiled runtimes installed, with their versions and native precisions."""
    import faceproof.compiled  # noqa: F401  (before onnxruntime: no usage records)

    out = {}
    try:
        import onnxruntime

        out["onnxruntime"] = f"{onnxruntime.__version__} (fp32)"
    except ImportError:
        out["onnxruntime"] = "not installed"
    try:
        import openvino

        from faceproof.compiled import openvino_precisions

        out["openvino"] = f"{openvino.__version__} ({', '.join(openvino_precisions())})"
    except ImportError:
        out["openvino"] = "not installed"
    return out


def report(
    models_dir: str | Path,
    yunet_model: str | Path | None = None,
    *,
    runtime: str = "auto",
    precision: str = "auto",
    cache_dir: str | Path | None = None,
) -> dict:
    """Versions, hardware, bundles (whether each loads, and the runtime and precision that
    serve it here: `runtime`/`precision` as the service's settings) and face detectors."""
    from faceproof.runner_choice import choose_runner

    cuda = (
        [
            {"index": i, "name": torch.cuda.get_device_name(i)}
            for i in range(torch.cuda.device_count())
        ]
        if torch.cuda.is_available()
        else []
    )
    bundles = {}
    for folder in find_bundles(models_dir):
        try:
            b = load_bundle(folder)
            params = sum(p.numel() for p in b.model.parameters())
            runner = choose_runner(b, runtime, precision, cache=cache_dir)
            bundles[folder.name] = {
                "status": "ok",
                "arch": b.config.arch,
                "params_m": round(params / 1e6, 2),
                "roc_auc": b.config.metrics.get("roc_auc"),
                "served_by": f"{runner.runtime}, {runner.precision}, {runner.device}",
            }
        except Exception as exc:  # report every failure; doctor must not crash
            bundles[folder.name] = {"status": f"error: {exc}"}
    return {
        "faceproof": faceproof.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "timm": timm.__version__,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "threads": torch.get_num_threads(),
        "runtimes": runtimes(),
        "cpu": cpu_features(),
        "cuda": cuda or "no CUDA device",
        "models_dir": str(Path(models_dir).resolve()),
        "bundles": bundles or "none found",
        "face_detectors": available_face_detectors(yunet_model),
    }


def format_report(data: dict, indent: int = 0) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(" " * indent + f"{key}:")
            lines.append(format_report(value, indent + 2))
        elif isinstance(value, list):
            lines.append(" " * indent + f"{key}:")
            lines += [" " * (indent + 2) + f"- {item}" for item in value]
        else:
            lines.append(" " * indent + f"{key}: {value}")
    return "\n".join(lines)
