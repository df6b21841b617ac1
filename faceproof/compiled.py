"""Compiled CPU runtimes for the classifiers: ONNX Runtime and OpenVINO.

torch stays the reference, the training path and the Grad-CAM path (Grad-CAM needs
gradients); the compiled runtimes only serve scores. A bundle's classifier is exported to ONNX
the first time it is served this way, into a cache outside the bundle (training writes
bundles, nothing else does), named by a key over the weights' SHA-256, the architecture, the
input size, the torch version and `EXPORT_VERSION`: new weights or a new exporter make a new
file, never a stale one. OpenVINO keeps its compiled blobs in the same cache, so a restart
compiles nothing.

The cache is the `cache` argument (the service's `FACEPROOF_CACHE_DIR` setting), else the
`FACEPROOF_CACHE_DIR` environment variable, else `$XDG_CACHE_HOME/faceproof`, else
`~/.cache/faceproof`.

Both runners have the torch `ModelRunner`'s interface: called on a preprocessed NCHW float
batch, they return float32 logits, one per row; `.runtime`, `.precision`, `.device` say what
runs. One forward at a time per runner (the predictor's per-model lock; each runner also
guards its own request object).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
import threading
import warnings
from pathlib import Path

import numpy as np

from faceproof.bundle import WEIGHTS_FILE, Bundle
from faceproof.lazy_torch import import_torch, torch_version

log = logging.getLogger(__name__)

# Usage telemetry stays off: an offline tool writes nothing it was not asked to. ONNX Runtime
# otherwise records a session file in $TMPDIR and a device id and database under
# ~/.cache/Microsoft; OpenVINO's converter, imported with `openvino`, starts Intel's telemetry
# (a client id and counters under ~/intel) unless its package is missing, when it uses its own
# stub. Both set before either is first imported (they are imported through this module).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]

EXPORT_VERSION = 1
"""Bump when the export changes (opset, names, wrapper): the cache key changes with it."""
OPSET = 17
COMPILED_RUNTIMES = ("onnxruntime", "openvino")


def cache_dir(override: str | Path | None = None) -> Path:
    """Where exported models and compiled blobs are kept: `override`, else the default
    above."""
    if override:
        return Path(override)
    if os.environ.get("FACEPROOF_CACHE_DIR"):
        return Path(os.environ["FACEPROOF_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "faceproof"


@functools.lru_cache(maxsize=64)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_digest(bundle: Bundle) -> str:
    """SHA-256 of the bundle's weights file (hashed once per file version)."""
    path = bundle.path / WEIGHTS_FILE
    stat = path.stat()
    return _file_digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def export_key(bundle: Bundle) -> str:
    """What the exported graph depends on, hashed: weights, architecture, head, input size,
    torch and the export's own version (torch's from its package: a warm cache is found
    without importing torch)."""
    c = bundle.config
    what = {
        "weights": weights_digest(bundle),
        "arch": c.arch,
        "input_size": c.input_size,
        "head": c.head.model_dump(mode="json"),
        "torch": torch_version(),
        "export": EXPORT_VERSION,
        "opset": OPSET,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:20]


def cached_onnx_path(bundle: Bundle, cache: str | Path | None = None) -> Path:
    """Where the bundle's ONNX export is (or will be) in the cache."""
    return cache_dir(cache) / "onnx" / f"{bundle.name}-{export_key(bundle)}.onnx"


def is_exported(bundle: Bundle, cache: str | Path | None = None) -> bool:
    """Whether the cache holds an export of the bundle's current weights: then they load (the
    export was made from them), and serving it needs no torch."""
    return cached_onnx_path(bundle, cache).is_file()


def onnx_file(bundle: Bundle, cache: str | Path | None = None) -> Path:
    """The bundle's classifier as ONNX (batch size free), exported on first use (the only
    step here that needs torch and the torch model)."""
    path = cached_onnx_path(bundle, cache)
    if path.is_file():
        return path
    torch = import_torch()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    model = bundle.model
    size = bundle.config.input_size
    example = torch.zeros(1, 3, size, size, device=next(model.parameters()).device)
    was_channels_last = next(model.parameters()).is_contiguous(memory_format=torch.channels_last)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
            model.to(memory_format=torch.contiguous_format)
            torch.onnx.export(
                model,
                example,
                str(tmp),
                dynamo=False,
                opset_version=OPSET,
                input_names=["input"],
                output_names=["logit"],
                dynamic_axes={"input": {0: "n"}, "logit": {0: "n"}},
            )
        os.replace(tmp, path)  # atomic: a concurrent start sees the whole file or none
    finally:
        tmp.unlink(missing_ok=True)
        if was_channels_last:
            model.to(memory_format=torch.channels_last)
    log.info("%s: exported to %s", bundle.name, path)
    return path


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _file_digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def int8_file(bundle: Bundle) -> Path | None:
    """The bundle's int8 ONNX file (`training.quantize`), if it has one that is intact and
    was made from the weights it holds now."""
    record = bundle.config.int8
    if record is None:
        return None
    path = bundle.path / record.file
    if not path.is_file():
        log.warning("%s: int8 file %s missing", bundle.name, path)
        return None
    if record.weights_sha256 != weights_digest(bundle):
        log.warning(
            "%s: int8 file made from other weights (retrained since?); not served", bundle.name
        )
        return None
    if file_sha256(path) != record.sha256:
        log.warning("%s: int8 file %s does not match its hash; not served", bundle.name, path)
        return None
    return path


def _as_numpy(batch) -> np.ndarray:
    """An NCHW float32 array of a numpy batch or a torch tensor (torch is not imported)."""
    if not isinstance(batch, np.ndarray):
        batch = batch.detach().float().cpu().numpy()
    return np.ascontiguousarray(batch, dtype=np.float32)


class _CompiledRunner:
    """What both compiled runners share: the torch runner's attributes, and one forward at a
    time through `_infer` (NCHW float32 array -> logits array)."""

    runtime = ""

    def _init(self, precision: str, threads: int) -> None:
        self.precision = precision
        self.device = "cpu"
        self.threads = threads
        self._lock = threading.Lock()

    def _infer(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, batch) -> np.ndarray:
        x = _as_numpy(batch)
        with self._lock:
            logits = self._infer(x)
        return logits.astype(np.float32).reshape(-1)


class OnnxRuntimeRunner(_CompiledRunner):
    """ONNX Runtime on the CPU: the fp32 graph, or the int8 one (its CPU kernels have no bf16
    path)."""

    runtime = "onnxruntime"

    def __init__(self, path: Path, threads: int, precision: str = "fp32"):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting between forwards: on 2 cores a spinning pool steals the core the
        # other model's lane and the request threads need
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._init(precision, threads)

    def _infer(self, x: np.ndarray) -> np.ndarray:
        (logits,) = self.session.run(["logit"], {"input": x})
        return logits


@functools.lru_cache(maxsize=1)
def openvino_core():
    import openvino as ov

    return ov.Core()


def openvino_precisions() -> tuple[str, ...]:
    """The precisions OpenVINO's CPU plugin computes natively here ("fp32", maybe "bf16")."""
    try:
        capabilities = openvino_core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # no CPU plugin: nothing to offer
        return ()
    return ("fp32", "bf16") if "BF16" in capabilities else ("fp32",)


class OpenVinoRunner(_CompiledRunner):
    """OpenVINO's CPU plugin at "fp32" or "bf16" (the precision is always set explicitly:
    on a CPU with AMX or AVX512-BF16 the plugin's own default is bf16), or "int8" on the
    int8 graph (its quantised layers in int8, the rest in fp32)."""

    runtime = "openvino"

    def __init__(
        self, path: Path, threads: int, precision: str = "fp32", cache: str | Path | None = None
    ):
        if precision not in ("fp32", "bf16", "int8"):
            raise ValueError(f"OpenVINO precision must be fp32, bf16 or int8, not {precision!r}")
        blobs = cache_dir(cache) / "openvino"
        blobs.mkdir(parents=True, exist_ok=True)
        # no pinning: the plugin pins each compiled model's threads to cores, and two models
        # on one thread each were pinned to the same core, so their lanes ran one after the
        # other (25 ms for both instead of 15 on 2 cores)
        config = {
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": 1,
            "ENABLE_CPU_PINNING": False,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
            "CACHE_DIR": str(blobs),
        }
        self.compiled = openvino_core().compile_model(str(path), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self._init(precision, threads)

    def _infer(self, x: np.ndarray) -> np.ndarray:
        self.request.infer({0: x})
        return np.array(self.request.get_output_tensor(0).data)  # a copy: the buffer is reused


def compiled_runner(
    bundle: Bundle, runtime: str, precision: str, threads: int, cache: str | Path | None = None
):
    """A compiled runner for `bundle` (exporting it first when the cache lacks it); int8
    runs the bundle's own int8 file."""
    if runtime not in COMPILED_RUNTIMES:
        raise ValueError(f"not a compiled runtime: {runtime!r}; one of {COMPILED_RUNTIMES}")
    if precision == "int8":
        path = int8_file(bundle)
        if path is None:
            raise ValueError(f"{bundle.name} has no int8 file to serve")
    else:
        path = onnx_file(bundle, cache)
    if runtime == "onnxruntime":
        if precision == "bf16":
            raise ValueError("ONNX Runtime serves fp32 or int8 only on the CPU")
        return OnnxRuntimeRunner(path, threads, precision)
    return OpenVinoRunner(path, threads, precision, cache)
