"""Preprocessing built from a bundle's own config: resize, scale, normalise.

The only place where mean, std, size and interpolation turn into pixels, for serving and for
validation during training alike. `arrays()` gives numpy batches (serving: the compiled
runtimes take them, and torch is not imported); calling the preprocessor gives torch tensors
of the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import cv2
import numpy as np

from faceproof.lazy_torch import import_torch

if TYPE_CHECKING:
    import torch

_CV2_INTERPOLATION = {
    "nearest": cv2.INTER_NEAREST,
    "bilinear": cv2.INTER_LINEAR,
    "bicubic": cv2.INTER_CUBIC,
    "area": cv2.INTER_AREA,
    "lanczos": cv2.INTER_LANCZOS4,
}


class Preprocessor:
    """Turns RGB uint8 face crops into a normalised NCHW float32 batch.

    Args:
        input_size: side of the square model input.
        mean: per-channel mean, on the 0-1 scale.
        std: per-channel standard deviation, on the 0-1 scale.
        interpolation: resize method when enlarging; shrinking always uses area averaging,
            which avoids aliasing the fine texture deepfake detectors look at.
    """

    def __init__(
        self,
        input_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        interpolation: str = "bicubic",
    ):
        self.input_size = int(input_size)
        self.interpolation = _CV2_INTERPOLATION[interpolation]
        mean_arr = np.asarray(mean, dtype=np.float32) * 255.0
        std_arr = np.asarray(std, dtype=np.float32) * 255.0
        # (x/255 - m)/s == x * (1/(255 s)) - m/s: one multiply-add per pixel.
        self._scale = (1.0 / std_arr).reshape(1, 3, 1, 1)
        self._shift = (mean_arr / std_arr).reshape(1, 3, 1, 1)

    @classmethod
    def from_config(cls, config) -> Preprocessor:
        """Build from a `BundleConfig` (or anything with the same attributes)."""
        return cls(config.input_size, config.mean, config.std, config.interpolation)

    def resize(self, image: np.ndarray) -> np.ndarray:
        """Resize one RGB uint8 image to the square input size."""
        size = self.input_size
        h, w = image.shape[:2]
        if (h, w) == (size, size):
            return image
        method = cv2.INTER_AREA if max(h, w) > size else self.interpolation
        return cv2.resize(image, (size, size), interpolation=method)

    def normalize(self, batch: np.ndarray) -> np.ndarray:
        """uint8 NCHW (or NHWC) array -> normalised float32 NCHW array."""
        batch = np.asarray(batch)
        if batch.shape[-1] == 3 and batch.shape[1] != 3:
            batch = batch.transpose(0, 3, 1, 2)
        out = np.empty(batch.shape, dtype=np.float32)  # C order: what the runtimes take
        np.multiply(batch, self._scale, out=out)
        return np.subtract(out, self._shift, out=out)

    def arrays(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        """Resize and normalise RGB uint8 crops (H, W, 3) into one (N, 3, S, S) float32
        array."""
        if len(crops) == 0:
            return np.empty((0, 3, self.input_size, self.input_size), dtype=np.float32)
        return self.normalize(np.stack([self.resize(c) for c in crops]))

    def __call__(self, crops: Sequence[np.ndarray]) -> torch.Tensor:
        """`arrays(crops)` as a torch tensor."""
        return import_torch().from_numpy(self.arrays(crops))


class PilPreprocessor(Preprocessor):
    """The same contract through PIL and torchvision transforms, one crop at a time: the way
    the reference reports preprocessed. Slower; kept as the benchmarks' reference path."""

    def __init__(
        self,
        input_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        interpolation: str = "bicubic",
    ):
        super().__init__(input_size, mean, std, interpolation)
        from torchvision import transforms

        pil_method = {"area": "box", "lanczos": "lanczos"}.get(interpolation, interpolation)
        self.transform = transforms.Compose(
            [
                transforms.Resize(
                    (self.input_size, self.input_size),
                    interpolation=transforms.InterpolationMode(pil_method),
                ),
                transforms.ToTensor(),
                transforms.Normalize(mean, std),
            ]
        )

    def __call__(self, crops: Sequence[np.ndarray]) -> torch.Tensor:
        from PIL import Image

        torch = import_torch()
        if len(crops) == 0:
            return torch.empty(0, 3, self.input_size, self.input_size)
        return torch.stack([self.transform(Image.fromarray(c)) for c in crops])

    def arrays(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        return self(crops).numpy()


PREPROCESSING = {"opencv": Preprocessor, "pil": PilPreprocessor}


def make_preprocessor(config, preprocessing: str = "opencv") -> Preprocessor:
    """The preprocessor of a `BundleConfig`: "opencv" (serving) or "pil" (reference)."""
    if preprocessing not in PREPROCESSING:
        raise ValueError(
            f"preprocessing must be one of {sorted(PREPROCESSING)}, not {preprocessing!r}"
        )
    return PREPROCESSING[preprocessing].from_config(config)
