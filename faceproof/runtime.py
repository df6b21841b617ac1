"""How a model runs at inference: numeric precision and memory layout, chosen from what the
hardware supports (detected, not assumed), under `torch.inference_mode`.

- fp32: plain eager float32, the reference path.
- bf16: autocast to bfloat16 with channels-last tensors. Used by "auto" on CUDA GPUs that
  support it and on CPUs with native bf16 dot products (AVX512-BF16 or AMX on x86, the BF16
  extension on Arm); elsewhere bf16 is emulated and slower than fp32, so "auto" keeps fp32.
"""

from __future__ import annotations

import functools
import logging
import platform
from pathlib import Path
from typing import Literal

import numpy as np
import torch

log = logging.getLogger(__name__)

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


def resolve_device(requested: str = "auto") -> torch.device:
    """"auto": the first CUDA GPU when there is one, else the CPU; or "cpu", "cuda", "cuda:1"."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {requested!r} asked for, but no CUDA GPU is available")
    return device


def resolve_precision(requested: str, device: torch.device | str = "cpu") -> str:
    """"fp32" or "bf16" for `requested` ("auto", "fp32" or "bf16") on `device`."""
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {requested!r}")
    if requested != "auto":
        return requested
    device = torch.device(device)
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


FAST_PATH_TOLERANCE = 0.002
"""Largest ROC-AUC change a fast path may make, pooled or on any data set (`make
fast-path-check` measures it and writes it into the bundle's card)."""


def fast_path_verified(metrics: dict) -> bool:
    """Whether a bundle's card shows its bf16 path within `FAST_PATH_TOLERANCE` ROC-AUC of
    fp32, pooled and on every data set large enough to enforce."""
    check = (metrics or {}).get("fast_path")
    if not check or check.get("precision") != "bf16":
        return False  # never measured, or measured where bf16 was not the fast path
    deltas = [check["roc_auc_delta"]] + [g["roc_auc_delta"] for g in
                                         check.get("by_dataset", {}).values() if g["enforced"]]
    return all(abs(d) <= FAST_PATH_TOLERANCE for d in deltas)


def precision_for_bundle(requested: str, device: torch.device | str, metrics: dict) -> str:
    """The precision a bundle runs at: as `resolve_precision`, except that "auto" takes bf16
    only for a bundle whose card shows that bf16 gives fp32's answers (`fast_path_verified`);
    the others stay on the fp32 reference."""
    precision = resolve_precision(requested, device)
    if requested == "auto" and precision == "bf16" and not fast_path_verified(metrics):
        log.info("bf16 not verified against fp32 for this bundle: it runs in fp32")
        return "fp32"
    return precision


class ModelRunner:
    """Calls one eval-mode model on preprocessed NCHW float batches; returns float32 logits.

    Args:
        model: the classifier (already in eval mode, on `device`).
        precision: "auto", "fp32" or "bf16" (see the module text).
        device: where the model lives; inputs are moved there.
    """

    def __init__(self, model: torch.nn.Module, precision: str = "auto",
                 device: torch.device | str = "cpu"):
        self.model = model
        self.device = torch.device(device)
        self.precision = resolve_precision(precision, self.device)
        self.channels_last = self.precision == "bf16"
        if self.channels_last:
            model.to(memory_format=torch.channels_last)

    def __call__(self, batch: torch.Tensor) -> np.ndarray:
        batch = batch.to(self.device, non_blocking=True)
        if self.channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=torch.bfloat16,
                                                    enabled=self.precision == "bf16"):
            logits = self.model(batch)
        return logits.float().cpu().numpy().reshape(-1)
