"""Fixtures shared by every test folder: tiny real model bundles and a real face photo."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

BundleFactory = Callable[..., Path]

# Test tensors are tiny: a thread pool costs more than it saves, and on a shared machine
# competing threads made a 64 px forward pass 50x slower. OMP_NUM_THREADS still overrides.
if "OMP_NUM_THREADS" not in os.environ:
    torch.set_num_threads(1)

# compiled models and runtime choices (faceproof/compiled.py) go to a throwaway cache, never
# into the developer's ~/.cache; e2e's servers inherit it
os.environ["FACEPROOF_CACHE_DIR"] = tempfile.mkdtemp(prefix="faceproof-test-cache-")


@pytest.fixture(scope="session")
def tiny_bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> BundleFactory:
    """Factory writing a real, tiny, untrained bundle; returns the bundle's folder.

    `tiny_bundle_dir(name="tiny", arch="efficientnet_lite0", input_size=32, *, parent=None,
    logit=None, threshold=0.5, low=None, high=None, temperature=1.0, face_margin=0.3,
    dtype=torch.float16, card=True)`

    `parent` is the models folder to write into (a fresh one when None). `logit` makes the
    model constant: its classifier then outputs exactly that logit for any input (choose one
    fp16 holds exactly, e.g. 1.5 or 4.0). `low`/`high` default to the threshold (no band).
    """
    from faceproof.bundle import AbstainBand, BundleConfig, HeadOptions, save_bundle
    from faceproof.models import create_model, default_preprocessing, resolve_arch

    def make(
        name: str = "tiny",
        arch: str = "efficientnet_lite0",
        input_size: int = 32,
        *,
        parent: Path | None = None,
        logit: float | None = None,
        threshold: float = 0.5,
        low: float | None = None,
        high: float | None = None,
        temperature: float = 1.0,
        face_margin: float = 0.3,
        dtype: torch.dtype | None = torch.float16,
        card: bool = True,
        mirror_average: bool = False,
    ) -> Path:
        torch.manual_seed(0)
        model = create_model(arch, pretrained=False).eval()
        if logit is not None:
            model.classifier.weight.data.zero_()
            model.classifier.bias.data.fill_(logit)
        pre = default_preprocessing(arch)
        band = AbstainBand(
            low=threshold if low is None else low, high=threshold if high is None else high
        )
        config = BundleConfig(
            name=name,
            arch=resolve_arch(arch),
            head=HeadOptions(mirror_average=mirror_average),
            input_size=input_size,
            mean=pre["mean"],
            std=pre["std"],
            threshold=threshold,
            temperature=temperature,
            abstain_band=band,
            face_margin=face_margin,
            metrics={"roc_auc": 0.5, "accuracy": 0.5, "samples": 10},
        )
        folder = (parent or tmp_path_factory.mktemp("models")) / name
        save_bundle(model, config, folder, dtype=dtype)
        if card:
            (folder / "MODEL_CARD.md").write_text(
                f"# {name}\n\nA tiny test model.\n", encoding="utf-8"
            )
        return folder

    return make


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """scikit-image's astronaut photo (512x512 RGB); Haar finds her face near x 177-272,
    y 66-161."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut())
