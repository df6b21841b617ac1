"""Self-blended images (SBI; Shiohara & Yamasaki, CVPR 2022): FAKE samples made from REAL faces.

A face is blended onto a slightly altered copy of itself through a soft mask from the convex
hull of its 68 landmarks. The copy differs in colour, brightness and contrast, in sharpness
(down-up scaling or sharpening) and by a small shift and scale, so the result carries the
blending boundary and the colour and frequency mismatch that every face swap leaves, with no
generator's fingerprint that a model could learn instead. Outside the (blurred) mask the
image is left exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class SbiOptions:
    color_shift: float = 12.0  # per-channel shift, 0-255 units, at most
    brightness: float = 0.1  # contrast and brightness change, at most
    translate: float = 0.03  # shift of the blended copy, share of the side
    scale: float = 0.05  # its scale change, at most
    blend_ratios: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.0, 1.0)
    mask_blur: tuple[int, int] = (5, 25)  # odd Gaussian kernel sizes drawn between these


def hull_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A float32 (H, W) mask, 1 inside the convex hull of the landmarks, 0 outside."""
    mask = np.zeros(shape, dtype=np.uint8)
    hull = cv2.convexHull(np.round(landmarks).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(np.float32)


def _altered_copy(image: np.ndarray, rng: np.random.Generator, opts: SbiOptions) -> np.ndarray:
    h, w = image.shape[:2]
    out = image.astype(np.float32)
    out = (
        out * (1 + rng.uniform(-opts.brightness, opts.brightness))
        + rng.uniform(-opts.brightness, opts.brightness) * 128
    )
    out += rng.uniform(-opts.color_shift, opts.color_shift, size=3)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:  # lose detail, as a generator's lower-resolution face does
        f = rng.uniform(0.4, 0.9)
        small = cv2.resize(
            out, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA
        )
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    else:  # or over-sharpen
        blurred = cv2.GaussianBlur(out, (0, 0), 1.0)
        out = cv2.addWeighted(out, 1.5, blurred, -0.5, 0)
    s = 1 + rng.uniform(-opts.scale, opts.scale)
    tx, ty = rng.uniform(-opts.translate, opts.translate, size=2) * (w, h)
    matrix = np.array(
        [[s, 0, (1 - s) * w / 2 + tx], [0, s, (1 - s) * h / 2 + ty]], dtype=np.float32
    )
    return cv2.warpAffine(out, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)


def soft_mask(
    landmarks: np.ndarray,
    shape: tuple[int, int],
    rng: np.random.Generator,
    opts: SbiOptions = SbiOptions(),
) -> np.ndarray:
    """The hull mask, randomly eroded or dilated a little, then blurred: values in [0, 1]."""
    mask = hull_mask(landmarks, shape)
    k = int(rng.integers(1, max(2, shape[0] // 16)))
    kernel = np.ones((k, k), np.uint8)
    mask = cv2.erode(mask, kernel) if rng.random() < 0.5 else cv2.dilate(mask, kernel)
    lo, hi = opts.mask_blur
    size = int(rng.integers(lo // 2, hi // 2 + 1)) * 2 + 1
    return np.clip(cv2.GaussianBlur(mask, (size, size), 0), 0, 1)


def max_mask_reach(shape: tuple[int, int], opts: SbiOptions = SbiOptions()) -> int:
    """How far (px) beyond the landmark hull a blend can change pixels at most."""
    return max(1, shape[0] // 16) + opts.mask_blur[1]


def self_blend(
    image: np.ndarray,
    landmarks: np.ndarray,
    rng: np.random.Generator,
    opts: SbiOptions = SbiOptions(),
) -> tuple[np.ndarray, np.ndarray]:
    """A self-blended FAKE version of `image` (uint8 HWC) and the blend mask used (float32)."""
    h, w = image.shape[:2]
    source = _altered_copy(image, rng, opts)
    mask = soft_mask(landmarks, (h, w), rng, opts) * float(rng.choice(opts.blend_ratios))
    blended = source.astype(np.float32) * mask[..., None] + image.astype(np.float32) * (
        1 - mask[..., None]
    )
    out = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    outside = mask == 0
    out[outside] = image[outside]  # exact: no rounding drift outside the mask
    return out, mask
