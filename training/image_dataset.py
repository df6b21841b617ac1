"""A torch Dataset over the memory-mapped image cache."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.utils.data import Dataset


class CachedImageDataset(Dataset):
    """Items are (transformed image, float label, index) for the selected rows of the cache."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, indices: np.ndarray,
                 transform: Callable[[torch.Tensor], torch.Tensor]):
        self.images = images
        self.labels = labels
        self.indices = indices
        self.transform = transform

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, item: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        row = int(self.indices[item])
        # np.array copies: torch cannot wrap the read-only memmap
        image = torch.from_numpy(np.array(self.images[row])).permute(2, 0, 1)
        return self.transform(image), torch.tensor(float(self.labels[row])), row

    def sample_weights(self) -> torch.Tensor:
        """Per-item weights that draw both classes equally often."""
        labels = self.labels[self.indices]
        counts = np.bincount(labels, minlength=2).astype(np.float64)
        return torch.from_numpy(1.0 / counts[labels])
