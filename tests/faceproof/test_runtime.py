"""Precision is detected from the hardware, and bf16 stays close to fp32."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
import torch

from faceproof import runtime
from faceproof.runtime import ModelRunner, resolve_precision


@pytest.fixture
def fake_flags(monkeypatch):
    def set_flags(*flags):
        monkeypatch.setattr(runtime, "cpu_flags", lambda: frozenset(flags))
        monkeypatch.setattr(runtime.platform, "system", lambda: "Linux")

    return set_flags


def test_auto_picks_bf16_only_with_native_support(fake_flags):
    fake_flags("avx2", "avx512f")
    assert resolve_precision("auto") == "fp32"
    fake_flags("avx512f", "avx512_bf16")
    assert resolve_precision("auto") == "bf16"
    fake_flags("amx_bf16")
    assert resolve_precision("auto") == "bf16"
    fake_flags("fp", "asimd", "bf16")  # aarch64's Features line
    assert resolve_precision("auto") == "bf16"


def test_explicit_precision_is_kept_and_nonsense_refused(fake_flags):
    fake_flags()
    assert resolve_precision("bf16") == "bf16"
    assert resolve_precision("fp32") == "fp32"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp8")


def test_cpu_flags_reads_this_machine():
    """The flags of this machine's first CPU, as /proc/cpuinfo lists them."""
    if not Path("/proc/cpuinfo").is_file():
        assert runtime.cpu_flags() == frozenset()
        return
    text = Path("/proc/cpuinfo").read_text()
    line = next(ln for ln in text.splitlines() if ln.split(":")[0].strip() in ("flags", "Features"))
    listed = set(line.partition(":")[2].split())
    flags = runtime.cpu_flags()
    assert listed and listed <= flags
    basic = {"x86_64": "sse2", "aarch64": "fp"}.get(platform.machine())
    if basic:
        assert basic in flags


def small_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 1),
    ).eval()


def test_bf16_runner_uses_channels_last_and_stays_close_to_fp32():
    x = torch.randn(4, 3, 16, 16)
    reference = ModelRunner(small_model(), "fp32")(x)
    fast = ModelRunner(small_model(), "bf16")
    assert fast.channels_last
    assert fast.model[0].weight.is_contiguous(memory_format=torch.channels_last)
    out = fast(x)
    assert out.shape == (4,) and out.dtype == reference.dtype
    assert abs(out - reference).max() < 0.05


def test_device_auto_is_the_cpu_without_a_gpu(monkeypatch):
    from faceproof.runtime import resolve_device

    monkeypatch.setattr(runtime, "gpu_driver_present", lambda: True)  # torch is asked
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"


def test_without_a_gpu_driver_auto_is_the_cpu_without_asking_torch(monkeypatch):
    monkeypatch.setattr(runtime.platform, "system", lambda: "Linux")
    monkeypatch.setattr(runtime, "_GPU_DRIVER_FILES", ("/nonexistent/nvidia",))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # would say cuda if asked
    assert not runtime.gpu_driver_present()
    assert runtime.resolve_device("auto") == "cpu"


def _check(delta: float, by_dataset: dict | None = None, precision: str = "bf16") -> dict:
    return {
        "fast_path": {
            "precision": precision,
            "roc_auc_delta": delta,
            "by_dataset": by_dataset or {},
        }
    }


def test_a_path_is_verified_only_within_the_tolerance_on_every_enforced_data_set():
    ok = _check(
        -0.0015,
        {
            "dfdc": {"roc_auc_delta": 0.001, "enforced": True},
            "tiny": {"roc_auc_delta": 0.05, "enforced": False},
        },
    )
    assert runtime.fast_path_verified(ok)  # a card from before the compiled runtimes
    # one data set beyond the tolerance, no check at all, or a check of fp32 against itself
    off = _check(-0.0015, {"faceswap": {"roc_auc_delta": 0.0034, "enforced": True}})
    for metrics in (off, {}, _check(0.0, precision="fp32")):
        assert not runtime.fast_path_verified(metrics)
    assert runtime.fast_path_refuted(off, "torch", "bf16")
    assert not runtime.fast_path_refuted({}, "torch", "bf16")
    # the checks of every path, by key; the legacy entry stands for torch bf16 only
    paths = {"fast_paths": {"openvino-bf16": ok["fast_path"], "onnxruntime-fp32": off["fast_path"]}}
    assert runtime.fast_path_verified(paths, "openvino", "bf16")
    assert not runtime.fast_path_verified(paths, "torch", "bf16")
    assert runtime.fast_path_refuted(paths, "onnxruntime", "fp32")
    assert not runtime.fast_path_verified(ok, "openvino", "bf16")
    # the same ranking but other verdicts: not the same answers
    moved = {"fast_paths": {"onnxruntime-int8": {**ok["fast_path"], "verdict_agreement": 0.888}}}
    assert not runtime.fast_path_verified(moved, "onnxruntime", "int8")
    kept = {"fast_paths": {"onnxruntime-int8": {**ok["fast_path"], "verdict_agreement": 0.981}}}
    assert runtime.fast_path_verified(kept, "onnxruntime", "int8")
