"""torch, imported the first time something needs it, and the threads its forwards use.

A service served by OpenVINO or ONNX Runtime from a warm compiled cache needs no torch: it
costs seconds of start-up and hundreds of MB resident. So the modules on the serving path
(bundle, runtime, compiled, runner_choice, preprocess, batcher, gradcam's pixel helpers)
import torch inside the functions that need it; the modules that are torch through and through
(models, Grad-CAM's computation, training) keep it at the top and are imported on demand.

The forward threads are set here once (`set_threads`, the service's TORCH_THREADS): torch gets
them at once when it is loaded, else when `import_torch()` loads it; the compiled runtimes
read `threads()`.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys

_threads: int | None = None


def set_threads(n: int) -> None:
    """The intra-op threads every runtime's forwards use from now on."""
    global _threads
    _threads = max(1, int(n))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(_threads)


def threads() -> int:
    """The threads set by `set_threads`; else torch's own count when it is loaded, else
    OMP_NUM_THREADS or the cores (what torch would take)."""
    if _threads:
        return _threads
    if "torch" in sys.modules:
        return sys.modules["torch"].get_num_threads()
    return int(os.environ.get("OMP_NUM_THREADS") or 0) or os.cpu_count() or 1


def import_torch():
    """The torch module, imported now if it was not, with the threads set here."""
    import torch

    if _threads and torch.get_num_threads() != _threads:
        torch.set_num_threads(_threads)
    return torch


def torch_version() -> str:
    """torch's installed version, read from its package metadata (imports nothing)."""
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
