"""A model's outputs for cached images, preprocessed exactly as when serving: its logits for
validation, and a teacher's logits with its pooled features for distillation."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch

from faceproof.preprocess import Preprocessor


def predict_outputs(
    model,
    images: np.ndarray,
    indices: np.ndarray,
    preprocess: Preprocessor,
    *,
    device,
    amp_dtype=None,
    batch_size: int = 64,
    channels_last: bool = False,
    features: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(logits, pooled features or None) for `images[indices]`.

    The pooled features are the vector the model's head reads (`DeepfakeClassifier`), asked
    for with `features`; they come from the same forward pass as the logits.
    """
    model.eval()
    logits, pooled = [], []
    for start in range(0, len(indices), batch_size):
        rows = indices[start : start + batch_size]
        batch = preprocess([images[i] for i in rows]).to(device)
        if channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        ctx = torch.autocast(device.type, dtype=amp_dtype) if amp_dtype else nullcontext()
        with torch.inference_mode(), ctx:
            if features:
                maps = model.forward_features(batch)
                logits.append(model.forward_head(maps).float().cpu())
                maps = maps.float()
                pooled.append((maps.mean(dim=(2, 3)) if maps.ndim == 4 else maps).cpu())
            else:
                logits.append(model(batch).float().cpu())
    if not logits:
        return np.zeros(0, dtype=np.float32), (np.zeros((0, 0), np.float32) if features else None)
    return torch.cat(logits).numpy(), (torch.cat(pooled).numpy() if features else None)
