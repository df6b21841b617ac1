"""Grad-CAM (Selvaraju et al., 2017): where a one-logit classifier sees evidence of a FAKE.

The map weighs each channel of the model's last feature map by the mean gradient of the FAKE
logit with respect to it, keeps the positive part and upsamples it to the input size. The
helpers below turn a map into pixels: an RGBA layer for the browser, a blended RGB image for
files, and PNG bytes or a data URL to ship either.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

    from faceproof.models import DeepfakeClassifier

COLORMAP = cv2.COLORMAP_TURBO  # OpenCV's copy of Google's Turbo (matplotlib has the same)


@contextmanager
def _eval_mode(model: nn.Module) -> Iterator[None]:
    """Put every submodule in eval mode, then restore each one's own previous mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


def _normalize_per_image(cams: torch.Tensor) -> torch.Tensor:
    """Min-max scale each (h, w) map to [0, 1]; a flat map becomes zeros rather than NaN."""
    import torch

    flat = torch.nan_to_num(cams.flatten(1), nan=0.0, posinf=0.0, neginf=0.0)
    low = flat.min(dim=1, keepdim=True).values
    span = flat.max(dim=1, keepdim=True).values - low
    scaled = torch.where(span > 1e-12, (flat - low) / span.clamp_min(1e-12), 0.0)
    return scaled.clamp_(0.0, 1.0).view_as(cams)


def grad_cam(model: DeepfakeClassifier, batch: torch.Tensor) -> np.ndarray:
    """Grad-CAM maps of the FAKE logit for a normalised batch.

    Safe to call under `torch.inference_mode()` or `torch.no_grad()` and under autocast: the
    computation runs in float32 with gradients on, in eval mode, and leaves the model's modes
    and parameter gradients as they were.

    Args:
        model: anything with `forward_features(x) -> (N, C, h, w)` and
            `forward_head(features) -> (N,)` logits.
        batch: normalised images, (N, 3, S, S).

    Returns:
        (N, S, S) float32 maps in [0, 1], each min-max normalised on its own.
    """
    import torch  # here, not at the top: the pixel helpers below serve without torch
    import torch.nn.functional as F

    height, width = batch.shape[-2:]
    if batch.shape[0] == 0:
        return np.zeros((0, height, width), dtype=np.float32)
    with (
        torch.inference_mode(False),
        torch.enable_grad(),
        torch.autocast(batch.device.type, enabled=False),
        _eval_mode(model),
    ):
        # A clone made outside inference mode is an ordinary tensor autograd can record; asking
        # for its gradient keeps the graph alive even when every parameter is frozen.
        x = batch.detach().clone().float().requires_grad_(True)
        features = model.forward_features(x)
        logits = model.forward_head(features)
        # autograd.grad (not .backward) so that no parameter's .grad is touched.
        (gradients,) = torch.autograd.grad(logits.sum(), features)
        features = features.detach().float()
        weights = gradients.float().mean(dim=(2, 3), keepdim=True)
        cams = F.relu((weights * features).sum(dim=1, keepdim=True))
        cams = F.interpolate(cams, size=(height, width), mode="bilinear", align_corners=False)
        cams = _normalize_per_image(cams.squeeze(1))
    return cams.cpu().numpy().astype(np.float32, copy=False)


def _resized(cam: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """A finite float32 copy of one (H, W) map clipped to [0, 1], resized to (width, height)."""
    cam = np.asarray(cam, dtype=np.float32)
    if cam.ndim != 2:
        raise ValueError(f"expected one (H, W) map, got shape {cam.shape}")
    cam = np.nan_to_num(cam, nan=0.0, posinf=1.0, neginf=0.0)
    if size is not None and (cam.shape[1], cam.shape[0]) != tuple(size):
        cam = cv2.resize(cam, tuple(int(s) for s in size), interpolation=cv2.INTER_LINEAR)
    return np.clip(cam, 0.0, 1.0)


def _colorize(cam: np.ndarray) -> np.ndarray:
    """(H, W) map in [0, 1] -> (H, W, 3) uint8 RGB colours."""
    grey = np.rint(np.clip(cam, 0.0, 1.0) * 255).astype(np.uint8)
    return cv2.cvtColor(cv2.applyColorMap(grey, COLORMAP), cv2.COLOR_BGR2RGB)


def heatmap_rgba(
    cam: np.ndarray, size: tuple[int, int] | None = None, *, alpha_max: int = 180
) -> np.ndarray:
    """An RGBA heat map to lay over the face crop: colder is more transparent.

    Args:
        cam: one (H, W) map in [0, 1], as from `grad_cam`.
        size: (width, height) to resize to; the map's own size when None.
        alpha_max: opacity, 0-255, where the map is 1.

    Returns:
        (height, width, 4) uint8 RGBA.
    """
    cam = _resized(cam, size)
    alpha = np.rint(cam * float(np.clip(alpha_max, 0, 255))).astype(np.uint8)
    return np.dstack([_colorize(cam), alpha])


def overlay(crop: np.ndarray, cam: np.ndarray, *, strength: float = 0.45) -> np.ndarray:
    """Blend an RGB uint8 crop with the coloured map, resized to the crop.

    Args:
        crop: (H, W, 3) uint8 RGB face crop.
        cam: one map in [0, 1] of any size.
        strength: weight of the colours, 0 (crop only) to 1 (map only).

    Returns:
        (H, W, 3) uint8 RGB.
    """
    height, width = crop.shape[:2]
    colours = _colorize(_resized(cam, (width, height))).astype(np.float32)
    strength = float(np.clip(strength, 0.0, 1.0))
    blended = (1.0 - strength) * crop[..., :3].astype(np.float32) + strength * colours
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def encode_png(image: np.ndarray) -> bytes:
    """Encode an RGB or RGBA (or greyscale) uint8 image as PNG bytes."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)  # cv2 writes BGR(A) order.
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
    elif image.ndim != 2:
        raise ValueError(f"expected (H, W), (H, W, 3) or (H, W, 4), got shape {image.shape}")
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return png.tobytes()


def png_data_url(png: bytes) -> str:
    """PNG bytes as a `data:image/png;base64,...` URL for an <img> src."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
