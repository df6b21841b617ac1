"""Degradations applied to REAL and FAKE training images alike, so that neither class can be
recognised by its file history (resolution, compression, sharpness, noise).

Down-scaling (0.25-1x and back), mild Gaussian blur, Gaussian noise and JPEG re-compression
(quality 30-100), each with its own probability, in the order a photo meets them on its way
to a social network. Work is on uint8 HWC arrays with OpenCV: this runs in the training loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Degradations:
    jpeg_p: float = 0.0
    jpeg_min: int = 30
    scale_p: float = 0.0
    scale_min: float = 0.25
    blur_p: float = 0.0
    blur_sigma: float = 1.2
    noise_p: float = 0.0
    noise_std: float = 6.0

    @classmethod
    def from_config(cls, config) -> Degradations:
        return cls(
            config.degrade_jpeg_p,
            config.degrade_jpeg_min,
            config.degrade_scale_p,
            config.degrade_scale_min,
            config.degrade_blur_p,
            config.degrade_blur_sigma,
            config.degrade_noise_p,
            config.degrade_noise_std,
        )

    @property
    def active(self) -> bool:
        return any(p > 0 for p in (self.jpeg_p, self.scale_p, self.blur_p, self.noise_p))

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = image.shape[:2]
        out = image
        if rng.random() < self.scale_p:
            f = rng.uniform(self.scale_min, 1.0)
            small = cv2.resize(
                out, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA
            )
            up = cv2.INTER_CUBIC if rng.random() < 0.5 else cv2.INTER_LINEAR
            out = cv2.resize(small, (w, h), interpolation=up)
        if rng.random() < self.blur_p:
            out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, self.blur_sigma))
        if rng.random() < self.noise_p:
            noise = rng.normal(0, rng.uniform(1.0, self.noise_std), size=out.shape)
            out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        if rng.random() < self.jpeg_p:
            quality = int(rng.integers(self.jpeg_min, 101))
            # OpenCV's codec takes BGR: swap so the chroma planes are the real ones
            ok, buf = cv2.imencode(
                ".jpg", np.ascontiguousarray(out[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality]
            )
            if ok:
                out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
        return np.ascontiguousarray(out)
