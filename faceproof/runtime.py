"""How a model runs at inference: numeric precision and memory layout, chosen from what the
hardware supports (detected, not assumed), under `torch.inference_mode`.

- fp32: plain eager float32, the reference path.
- bf16: autocast to bfloat16 with channels-last tensors. A candidate for "auto" on CUDA GPUs
  that support it and on CPUs with native bf16 dot products (AVX512-BF16 or AMX on x86, the
  BF16 extension on Arm), for a bundle whose card shows it keeps fp32's answers; elsewhere
  bf16 is emulated and slower than fp32.

The cards' checks of every serving path against torch fp32 are read here
(`fast_path_verified`); `faceproof.runner_choice` picks the runner, `faceproof.compiled`
holds the ONNX Runtime and OpenVINO ones.
"""

from __future__ import annotations

import functools
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from faceproof.lazy_torch import import_torch

if TYPE_CHECKING:
    import torch

Precision = Literal["auto", "fp32", "bf16"]
PRECISIONS = ("auto", "fp32", "bf16")
_NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16", "bf16"}  # x86 (two kinds) and aarch64


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return frozenset()
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return frozenset(flags)


def cpu_has_native_bf16() -> bool:
    """Whether the CPU computes bf16 dot products natively (not by emulation)."""
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return False  # Apple's cores: bf16 goes through emulation in PyTorch's CPU kernels
    return bool(cpu_flags() & _NATIVE_BF16_FLAGS)


_GPU_DRIVER_FILES = ("/proc/driver/nvidia", "/dev/kfd", "/dev/dxg")  # CUDA, ROCm, WSL2


def gpu_driver_present() -> bool:
    """Whether a GPU driver torch could use may be there. On Linux without one torch sees no
    GPU, so "auto" can say "cpu" without importing torch; elsewhere torch is asked."""
    if platform.system() != "Linux":
        return True
    return any(Path(p).exists() for p in _GPU_DRIVER_FILES)


def device_type(device) -> str:
    """ "cpu" or "cuda" of a device or its name ("cuda:1")."""
    return getattr(device, "type", None) or str(device).split(":")[0]


def resolve_device(requested: str = "auto") -> str:
    """ "auto": the first CUDA GPU when there is one, else the CPU; or "cpu", "cuda", "cuda:1".
    The device's name, as torch spells it; torch is imported only where a GPU may be."""
    if requested == "cpu" or (requested == "auto" and not gpu_driver_present()):
        return "cpu"
    torch = import_torch()
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {requested!r} asked for, but no CUDA GPU is available")
    return str(device)


def resolve_precision(requested: str, device="cpu") -> str:
    """ "fp32" or "bf16" for `requested` ("auto", "fp32" or "bf16") on `device`."""
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {requested!r}")
    if requested != "auto":
        return requested
    if device_type(device) == "cuda":
        return "bf16" if import_torch().cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


FAST_PATH_TOLERANCE = 0.002
"""Largest ROC-AUC change a fast path may make, pooled or on any data set (`make
fast-path-check` measures it and writes it into the bundle's card)."""


def path_key(runtime: str, precision: str) -> str:
    """How a serving path is named in a card's `metrics.fast_paths`: "openvino-bf16"."""
    return f"{runtime}-{precision}"


def fast_path_check(metrics: dict, runtime: str = "torch", precision: str = "bf16") -> dict | None:
    """The card's measured check of a serving path against the torch fp32 reference, if any
    (`metrics.fast_paths[key]`; cards written before the compiled runtimes hold the torch
    bf16 check alone, as `metrics.fast_path`)."""
    metrics = metrics or {}
    check = (metrics.get("fast_paths") or {}).get(path_key(runtime, precision))
    legacy = metrics.get("fast_path")
    if (
        check is None
        and (runtime, precision) == ("torch", "bf16")
        and legacy
        and legacy.get("precision") == "bf16"
    ):
        check = legacy
    return check


MIN_VERDICT_AGREEMENT = 0.97
"""Share of validation images a fast path must give the reference's verdict: a path that
ranks faces as well but moves probabilities across the rule's cuts (int8, seen at 88.8 %)
does not give the same answers."""


def within_tolerance(check: dict) -> bool:
    """Whether a measured check kept ROC-AUC within `FAST_PATH_TOLERANCE`, pooled and on
    every data set large enough to enforce, and the verdicts on at least
    `MIN_VERDICT_AGREEMENT` of the images."""
    deltas = [check["roc_auc_delta"]] + [
        g["roc_auc_delta"] for g in check.get("by_dataset", {}).values() if g["enforced"]
    ]
    return (
        all(abs(d) <= FAST_PATH_TOLERANCE for d in deltas)
        and check.get("verdict_agreement", 1.0) >= MIN_VERDICT_AGREEMENT
    )


def fast_path_verified(metrics: dict, runtime: str = "torch", precision: str = "bf16") -> bool:
    """Whether a bundle's card shows the path (`runtime` at `precision`) within
    `FAST_PATH_TOLERANCE` ROC-AUC of torch fp32, pooled and on every data set large enough
    to enforce."""
    check = fast_path_check(metrics, runtime, precision)
    return within_tolerance(check) if check else False


def fast_path_refuted(metrics: dict, runtime: str, precision: str) -> bool:
    """Whether the card holds a check of the path that failed (an fp32 compiled path is
    served without a card's check, after its check at load, unless the card refutes it)."""
    check = fast_path_check(metrics, runtime, precision)
    return not within_tolerance(check) if check else False


class ServingRunner(Protocol):
    """What serves a model's forwards, whichever the runtime (`ModelRunner`, the compiled
    ones, `faceproof.runner_choice.OnDemandRunner`): a preprocessed NCHW float batch in,
    float32 logits out; `runtime`, `precision` and `device` say what serves."""

    @property
    def runtime(self) -> str: ...

    @property
    def precision(self) -> str: ...

    @property
    def device(self) -> str | torch.device: ...

    def __call__(self, batch: np.ndarray | torch.Tensor) -> np.ndarray: ...


class ModelRunner:
    """Calls one eval-mode model on preprocessed NCHW float batches (arrays or tensors);
    returns float32 logits.

    Args:
        model: the classifier (already in eval mode, on `device`).
        precision: "auto", "fp32" or "bf16" (see the module text).
        device: where the model lives; inputs are moved there.
    """

    runtime = "torch"

    def __init__(self, model: torch.nn.Module, precision: str = "auto", device="cpu"):
        torch = import_torch()
        self.model = model
        self.device = torch.device(device)
        self.precision = resolve_precision(precision, self.device)
        self.channels_last = self.precision == "bf16"
        if self.channels_last:
            model.to(memory_format=torch.channels_last)

    def __call__(self, batch: np.ndarray | torch.Tensor) -> np.ndarray:
        import torch

        batch = torch.as_tensor(batch).to(self.device, non_blocking=True)
        if self.channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        with (
            torch.inference_mode(),
            torch.autocast(
                self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"
            ),
        ):
            logits = self.model(batch)
        return logits.float().cpu().numpy().reshape(-1)
