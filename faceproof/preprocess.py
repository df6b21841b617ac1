"""Preprocessing built from a bundle's own config: resize, scale, normalise.

The only place where mean, std, size and interpolation turn into pixels, for serving and for
validation during training alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import torch

_CV2_INTERPOLATION = {
    "nearest": cv2.INTER_NEAREST,
    "bilinear": cv2.INTER_LINEAR,
    "bicubic": cv2.INTER_CUBIC,
    "area": cv2.INTER_AREA,
    "lanczos": cv2.INTER_LANCZOS4,
}


class Preprocessor:
    """Turns RGB uint8 face crops into a normalised NCHW float tensor.

    Args:
        input_size: side of the square model input.
        mean: per-channel mean, on the 0-1 scale.
        std: per-channel standard deviation, on the 0-1 scale.
        interpolation: resize method when enlarging; shrinking always uses area averaging,
            which avoids aliasing the fine texture deepfake detectors look at.
    """

    def __init__(self, input_size: int, mean: Sequence[float], std: Sequence[float],
                 interpolation: str = "bicubic"):
        self.input_size = int(input_size)
        self.interpolation = _CV2_INTERPOLATION[interpolation]
        mean_arr = np.asarray(mean, dtype=np.float32) * 255.0
        std_arr = np.asarray(std, dtype=np.float32) * 255.0
        # (x/255 - m)/s == x * (1/(255 s)) - m/s: one multiply-add per pixel.
        self._scale = torch.from_numpy(1.0 / std_arr).view(1, 3, 1, 1)
        self._shift = torch.from_numpy(mean_arr / std_arr).view(1, 3, 1, 1)

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

    def normalize(self, batch: torch.Tensor) -> torch.Tensor:
        """uint8 NCHW (or NHWC from numpy) tensor -> normalised float32 NCHW."""
        if batch.shape[-1] == 3 and batch.shape[1] != 3:
            batch = batch.permute(0, 3, 1, 2)
        return batch.float().mul_(self._scale).sub_(self._shift)

    def __call__(self, crops: Sequence[np.ndarray]) -> torch.Tensor:
        """Resize and normalise RGB uint8 crops (H, W, 3) into one (N, 3, S, S) tensor."""
        if len(crops) == 0:
            return torch.empty(0, 3, self.input_size, self.input_size)
        stacked = np.stack([self.resize(c) for c in crops])
        return self.normalize(torch.from_numpy(stacked))


class PilPreprocessor(Preprocessor):
    """The same contract through PIL and torchvision transforms, one crop at a time: the way
    the reference reports preprocessed. Slower; kept as the benchmarks' reference path."""

    def __init__(self, input_size: int, mean: Sequence[float], std: Sequence[float],
                 interpolation: str = "bicubic"):
        super().__init__(input_size, mean, std, interpolation)
        from torchvision import transforms

        pil_method = {"area": "box", "lanczos": "lanczos"}.get(interpolation, interpolation)
        self.transform = transforms.Compose([
            transforms.Resize((self.input_size, self.input_size),
                              interpolation=transforms.InterpolationMode(pil_method)),
            transforms.ToTensor(),
            transforms.Normalize(mean, std),
        ])

    def __call__(self, crops: Sequence[np.ndarray]) -> torch.Tensor:
        from PIL import Image

        if len(crops) == 0:
            return torch.empty(0, 3, self.input_size, self.input_size)
        return torch.stack([self.transform(Image.fromarray(c)) for c in crops])


PREPROCESSING = {"opencv": Preprocessor, "pil": PilPreprocessor}


def make_preprocessor(config, preprocessing: str = "opencv") -> Preprocessor:
    """The preprocessor of a `BundleConfig`: "opencv" (serving) or "pil" (reference)."""
    if preprocessing not in PREPROCESSING:
        raise ValueError(f"preprocessing must be one of {sorted(PREPROCESSING)}, "
                         f"not {preprocessing!r}")
    return PREPROCESSING[preprocessing].from_config(config)
