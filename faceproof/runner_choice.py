"""Which runner serves a bundle: torch, ONNX Runtime or OpenVINO, at which precision.

The candidates, for `runtime` ("auto", "torch", "onnxruntime", "openvino") and `precision`
("auto", "fp32", "bf16"):

- torch fp32, the reference, always;
- torch bf16 where the hardware computes bf16 natively (see `faceproof.runtime`);
- ONNX Runtime fp32 and OpenVINO fp32 on the CPU: the same arithmetic as the reference, so
  they are served once a check at load shows their logits within `FP32_LOGIT_TOLERANCE` of
  torch's on a fixed batch, unless the card's measured check (`make fast-path-check`) refutes
  them;
- OpenVINO bf16 where its CPU plugin has native bf16;
- ONNX Runtime int8 and OpenVINO int8 on the bundle's own int8 file (`training.quantize`),
  when it has one made from its current weights.

With precision "auto", a bf16 or int8 path is a candidate only when the bundle's card shows it
within 0.002 ROC-AUC of fp32 on every data set; asked for explicitly ("bf16", "int8"), it is
served without that. With runtime "auto" every candidate is timed
here, on this CPU, and the fastest serves; the choice (or the one candidate, once it passed
its check) is remembered in the cache (`faceproof.compiled.cache_dir()`), keyed by the export
(weights, architecture, exporter, torch's version), the candidates, the threads, the CPU and
the libraries' versions, so a restart measures and checks nothing: a compiled runner served
from a warm cache starts without torch and without the torch model. A CUDA device is served by
torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faceproof import lazy_torch
from faceproof.bundle import Bundle
from faceproof.compiled import (
    COMPILED_RUNTIMES,
    cache_dir,
    compiled_runner,
    export_key,
    int8_file,
    openvino_precisions,
)
from faceproof.runtime import (
    ModelRunner,
    ServingRunner,
    cpu_has_native_bf16,
    device_type,
    fast_path_refuted,
    fast_path_verified,
    path_key,
)

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "torch", "onnxruntime", "openvino")
PRECISIONS = ("auto", "fp32", "bf16", "int8")
NOT_STARTED = "not started"
"""`.runtime` and `.precision` of an `OnDemandRunner` before its first call."""
FP32_LOGIT_TOLERANCE = 1e-3
"""Largest logit difference from torch an fp32 compiled runner may show at load."""
LOW_PRECISION_LOGIT_TOLERANCE = {"bf16": 0.25, "int8": 1.0}
"""A bf16 or int8 runner further than this from torch on the check batch (noise, not faces:
int8's ranges were calibrated on faces) is broken, not rounded."""


@dataclass(frozen=True)
class Candidate:
    runtime: str
    precision: str

    @property
    def key(self) -> str:
        return path_key(self.runtime, self.precision)


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def candidates(
    bundle: Bundle, runtime: str = "auto", precision: str = "auto", device="cpu"
) -> list[Candidate]:
    """The paths that may serve `bundle` as asked, reference first."""
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {RUNTIMES}, not {runtime!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    kind = device_type(device)
    metrics = bundle.config.metrics
    if kind != "cpu":
        if runtime not in ("auto", "torch"):
            raise ValueError(f"runtime {runtime!r} runs on the CPU only, not on {device}")
        runtime = "torch"
    found = []
    torch_bf16 = (kind == "cpu" and cpu_has_native_bf16()) or (
        kind == "cuda" and lazy_torch.import_torch().cuda.is_bf16_supported()
    )
    options = [Candidate("torch", "fp32")]
    if torch_bf16 or precision == "bf16":
        options.append(Candidate("torch", "bf16"))
    if kind == "cpu" and _installed("onnxruntime"):
        options.append(Candidate("onnxruntime", "fp32"))
    if kind == "cpu" and _installed("openvino"):
        options += [Candidate("openvino", p) for p in openvino_precisions()]
    if kind == "cpu" and int8_file(bundle) is not None:
        options += [Candidate(r, "int8") for r in COMPILED_RUNTIMES if _installed(r)]
    for c in options:
        if runtime != "auto" and c.runtime != runtime:
            continue
        if precision != "auto" and c.precision != precision:
            continue
        if (
            precision == "auto"
            and c.precision != "fp32"
            and not fast_path_verified(metrics, c.runtime, c.precision)
        ):
            continue  # lower precision only where the card shows it keeps the answers
        if (
            c.precision == "fp32"
            and c.runtime != "torch"
            and fast_path_refuted(metrics, c.runtime, c.precision)
        ):
            log.warning("%s: the card's check refutes %s; not served", bundle.name, c.key)
            continue
        found.append(c)
    if not found:
        raise ValueError(
            f"no way to run {bundle.name} with runtime {runtime!r} at precision "
            f"{precision!r} here (installed: torch"
            f"{', onnxruntime' if _installed('onnxruntime') else ''}"
            f"{', openvino' if _installed('openvino') else ''})"
        )
    return found


def build_runner(
    bundle: Bundle, candidate: Candidate, threads: int, cache: str | Path | None = None
) -> ServingRunner:
    if candidate.runtime == "torch":
        return ModelRunner(bundle.model, candidate.precision, bundle.device)
    return compiled_runner(bundle, candidate.runtime, candidate.precision, threads, cache)


def check_batch(input_size: int, n: int = 2):
    """A fixed, face-like-scaled input batch (normalised pixels around 0, spread about 1)."""
    torch = lazy_torch.import_torch()
    generator = torch.Generator().manual_seed(1234)
    return torch.randn(n, 3, input_size, input_size, generator=generator).clamp_(-2.5, 2.5)


def logit_difference(runner, bundle: Bundle, batch) -> float:
    """Largest |logit - torch fp32 logit| over `batch`."""
    torch = lazy_torch.import_torch()
    with torch.inference_mode():
        reference = bundle.model(batch.to(bundle.device)).float().cpu().numpy().reshape(-1)
    return float(np.max(np.abs(runner(batch) - reference)))


def agrees_with_reference(runner, bundle: Bundle, candidate: Candidate) -> bool:
    if candidate == Candidate("torch", "fp32"):
        return True
    difference = logit_difference(runner, bundle, check_batch(bundle.config.input_size))
    limit = (
        FP32_LOGIT_TOLERANCE
        if candidate.precision == "fp32"
        else LOW_PRECISION_LOGIT_TOLERANCE[candidate.precision]
    )
    if difference > limit:
        log.warning(
            "%s: %s logits differ from torch fp32 by %.2g (> %.0e); not served",
            bundle.name,
            candidate.key,
            difference,
            limit,
        )
        return False
    return True


def time_runner(runner, input_size: int, repeats: int = 3) -> float:
    """Seconds per face: a lone face's latency plus a batch of 8's cost per face (median of
    `repeats`, after one warm-up), the two shapes a service sees."""
    one, eight = check_batch(input_size, 1), check_batch(input_size, 8)
    runner(one)
    runner(eight)
    t1, t8 = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        runner(one)
        t1.append(time.perf_counter() - start)
        start = time.perf_counter()
        runner(eight)
        t8.append(time.perf_counter() - start)
    return float(np.median(t1) + np.median(t8) / 8)


def _choice_key(bundle: Bundle, options: list[Candidate], threads: int) -> str:
    versions = {
        m: getattr(__import__(m), "__version__", "?")
        for m in ("onnxruntime", "openvino")
        if _installed(m)
    }
    versions["torch"] = lazy_torch.torch_version()
    what = {
        "export": export_key(bundle),
        "size": bundle.config.input_size,
        "candidates": [c.key for c in options],
        "threads": threads,
        "cpu": _cpu_model(),
        "machine": platform.machine(),
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:20]


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    names = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")
    ]
    return names[0] if names else platform.processor()


def _read_choices(cache: str | Path | None) -> dict:
    try:
        return json.loads((cache_dir(cache) / "runtime-choices.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remember(cache: str | Path | None, key: str, entry: dict) -> None:
    path = cache_dir(cache) / "runtime-choices.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        choices = _read_choices(cache)
        choices[key] = entry
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(choices, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache costs a measurement at the next start
        log.warning("cannot remember the runtime choice in %s: %s", path, exc)


def choose_runner(
    bundle: Bundle,
    runtime: str = "auto",
    precision: str = "auto",
    *,
    device="cpu",
    threads: int | None = None,
    cache: str | Path | None = None,
) -> ServingRunner:
    """The runner that serves `bundle` (see the module text); falls back to torch fp32 when
    no other candidate builds or agrees with it. `threads`: its forward threads
    (default `faceproof.lazy_torch.threads()`, the service's setting)."""
    threads = threads or lazy_torch.threads()
    options = candidates(bundle, runtime, precision, device)
    key = _choice_key(bundle, options, threads)
    remembered = _read_choices(cache).get(key, {}).get("chosen")
    order = sorted(options, key=lambda c: c.key != remembered) if remembered else options
    timings: dict[str, float] = {}
    best = None
    for c in order:
        try:
            runner = build_runner(bundle, c, threads, cache)
        except Exception as exc:  # a runtime that cannot compile this graph: the next one
            log.warning("%s: %s unavailable: %s", bundle.name, c.key, exc)
            continue
        if remembered == c.key:
            # checked against torch and measured here before, on the same export, threads,
            # CPU and versions (the key): neither torch nor the torch model is needed again
            return runner
        if not agrees_with_reference(runner, bundle, c):
            continue
        if len(options) == 1:  # nothing to choose from: remember that it passed its check
            _remember(cache, key, {"chosen": c.key, "bundle": bundle.name})
            return runner
        timings[c.key] = time_runner(runner, bundle.config.input_size)
        if best is None or timings[c.key] < timings[best[0].key]:
            best = (c, runner)
    if best is None:
        log.warning("%s: no candidate served; torch fp32 serves", bundle.name)
        return build_runner(bundle, Candidate("torch", "fp32"), threads, cache)
    chosen, runner = best
    if chosen != Candidate("torch", "bf16"):  # undo a timed bf16 layout
        bundle.model.to(memory_format=lazy_torch.import_torch().contiguous_format)
    log.info(
        "%s: %s serves (ms per face: %s)",
        bundle.name,
        chosen.key,
        ", ".join(f"{k} {1000 * v:.1f}" for k, v in sorted(timings.items(), key=lambda kv: kv[1])),
    )
    if len(timings) > 1:
        _remember(
            cache,
            key,
            {
                "chosen": chosen.key,
                "bundle": bundle.name,
                "ms_per_face": {k: round(1000 * v, 2) for k, v in timings.items()},
            },
        )
    return runner


class OnDemandRunner:
    """A runner chosen (`choose_runner`) on its first call rather than at load: for a model
    that only runs when a request names it (an ensemble member at weight 0), so that it
    costs the service no start-up time and no compiled-runtime memory until then.

    `.runtime` and `.precision` read "not started" until that first call."""

    def __init__(
        self,
        bundle: Bundle,
        runtime: str,
        precision: str,
        *,
        device="cpu",
        cache: str | Path | None = None,
    ):
        self._bundle, self._runtime, self._precision = bundle, runtime, precision
        self._cache = cache
        self.device = str(device)
        self._runner: ServingRunner | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._runner is not None

    @property
    def runtime(self) -> str:
        return self._runner.runtime if self._runner is not None else NOT_STARTED

    @property
    def precision(self) -> str:
        return self._runner.precision if self._runner is not None else NOT_STARTED

    def __call__(self, batch) -> np.ndarray:
        if self._runner is None:
            with self._lock:
                if self._runner is None:
                    self._runner = choose_runner(
                        self._bundle,
                        self._runtime,
                        self._precision,
                        device=self.device,
                        cache=self._cache,
                    )
        return self._runner(batch)
