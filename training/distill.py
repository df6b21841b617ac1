"""Distillation from a teacher bundle: its targets for every training image, computed once per
run, and the student that also learns the teacher's features.

The teacher's logit is one number per face. Its pooled features (the vector its head reads)
are hundreds, so a student that starts from nothing (the ResNet-50: no ImageNet weights can
be had offline) is told far more by each image when it also learns to predict them, through a
linear projection of its own pooled features trained beside it and dropped after training
(FitNets, Romero et al., ICLR 2015, here on the pooled vector; the loss is the cosine
distance, so neither network's feature scale matters).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from faceproof.preprocess import Preprocessor
from training.image_dataset import SBI_ROW_OFFSET
from training.predict import predict_outputs

log = logging.getLogger("training")

LOGITS_FILE = "teacher_logits.npy"
FEATURES_FILE = "teacher_features.npy"


@dataclass
class TeacherTargets:
    """The teacher's outputs for every cached image, then every SBI bank image."""

    logits: torch.Tensor  # (n,) float32
    features: torch.Tensor | None = None  # (n, d) float16, unit length; None: not asked for


def teacher_targets_for(
    path: str,
    images: np.ndarray,
    output: Path,
    device,
    amp_dtype,
    bank: np.ndarray | None = None,
    *,
    features: bool = False,
) -> TeacherTargets:
    """The teacher bundle's logits (and, with `features`, its pooled features) for every cached
    image, then every SBI bank image, computed once per run and kept in `output`.

    Targets come from the clean image rather than each augmented view: the augmentations are
    mild, and one pass is far cheaper than a teacher forward every step.
    """
    total = len(images) + (0 if bank is None else len(bank))
    logits_path, features_path = output / LOGITS_FILE, output / FEATURES_FILE
    kept = _load(logits_path, total)
    kept_features = _load(features_path, total) if features else None
    if kept is not None and (not features or kept_features is not None):
        return TeacherTargets(
            torch.from_numpy(kept),
            None if kept_features is None else torch.from_numpy(kept_features),
        )
    from faceproof.bundle import load_bundle  # only distillation needs a bundle

    teacher = load_bundle(path, device=device)
    log.info(
        "computing teacher %s of %s for %d images",
        "logits and features" if features else "logits",
        teacher.name,
        total,
    )
    pre = Preprocessor.from_config(teacher.config)
    parts = [
        predict_outputs(
            teacher.model,
            source,
            np.arange(len(source)),
            pre,
            device=device,
            amp_dtype=amp_dtype,
            batch_size=128,
            features=features,
        )
        for source in (images, bank)
        if source is not None and len(source)
    ]
    logits = np.concatenate([p[0] for p in parts]).astype(np.float32)
    np.save(logits_path, logits)
    pooled = None
    if features:
        vectors = np.concatenate([p[1] for p in parts if p[1] is not None])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        pooled = vectors.astype(np.float16)
        np.save(features_path, pooled)
    return TeacherTargets(
        torch.from_numpy(logits), None if pooled is None else torch.from_numpy(pooled)
    )


def _load(path: Path, rows: int) -> np.ndarray | None:
    """A kept array with one row per image, or None (missing, or from another data set)."""
    if not path.is_file():
        return None
    array = np.load(path)
    return array if len(array) == rows else None


def teacher_rows(rows: torch.Tensor, cached: int) -> torch.Tensor:
    """Indices into the teacher's targets for the dataset's reported rows (bank rows last)."""
    return torch.where(rows >= SBI_ROW_OFFSET, rows - SBI_ROW_OFFSET + cached, rows)


class FeatureStudent(nn.Module):
    """A classifier with the projection that maps its pooled features onto the teacher's,
    run as one module (so DistributedDataParallel wraps both): the forward pass returns the
    logits and the projected features, unit length."""

    def __init__(self, model: nn.Module, teacher_dim: int):
        super().__init__()
        self.model = model
        self.project = nn.Linear(model.classifier.in_features, teacher_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        maps = self.model.forward_features(x)
        logits = self.model.forward_head(maps)
        pooled = maps.float().mean(dim=(2, 3)) if maps.ndim == 4 else maps.float()
        return logits, F.normalize(self.project(pooled.to(self.project.weight.dtype)), dim=1)


def feature_loss(projected: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean cosine distance between unit-length projected and teacher features (0 to 2)."""
    return (1 - (projected.float() * teacher.float()).sum(dim=1)).mean()
