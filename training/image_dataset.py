"""Torch Datasets over the memory-mapped image caches.

`CachedImageDataset` serves cached images as they are; `MixDataset` also turns a share of
the REAL draws into self-blended fakes (`training.sbi`) and degrades every image alike
(`training.degrade`) before the torchvision augmentation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.utils.data import Dataset, get_worker_info

from training.degrade import Degradations
from training.sbi import self_blend

SBI_ROW_OFFSET = 1 << 40
"""Rows of self-blended items are reported as `SBI_ROW_OFFSET + row` (bank items) or -1."""


class CachedImageDataset(Dataset):
    """Items are (transformed image, float label, index) for the selected rows of the cache."""

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        indices: np.ndarray,
        transform: Callable[[torch.Tensor], torch.Tensor],
    ):
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


class MixDataset(CachedImageDataset):
    """Cached served crops with self-blended fakes and degradations.

    A REAL item whose face has landmarks becomes a self-blended FAKE with probability
    `sbi_p`; with `sbi_bank` (an array aligned with the cache, for distillation, whose soft
    targets are computed once) the fixed blended version is served instead of a fresh one,
    and its row is reported as `SBI_ROW_OFFSET + row` so the teacher's logit can be found.
    """

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        indices: np.ndarray,
        transform: Callable[[torch.Tensor], torch.Tensor],
        *,
        landmarks: np.ndarray | None = None,
        sbi_p: float = 0.0,
        degrade: Degradations | None = None,
        sbi_bank: np.ndarray | None = None,
        bank_rows: dict[int, int] | None = None,
        seed: int = 0,
    ):
        super().__init__(images, labels, indices, transform)
        self.landmarks = landmarks
        self.sbi_p = sbi_p
        self.degrade = degrade
        self.sbi_bank = sbi_bank
        self.bank_rows = bank_rows or {}
        self.seed = seed
        self._rng: np.random.Generator | None = None
        self._rng_owner: object = None

    @property
    def rng(self) -> np.random.Generator:
        # one stream per DataLoader worker (a forked copy of one stream would repeat draws)
        info = get_worker_info()
        owner = info.id if info is not None else None
        if self._rng is None or owner != self._rng_owner:
            worker = 0 if info is None else info.id + 1
            self._rng = np.random.default_rng([self.seed, worker, torch.initial_seed() % 2**31])
            self._rng_owner = owner
        return self._rng

    def can_blend(self, row: int) -> bool:
        if self.labels[row] != 0 or self.sbi_p <= 0:
            return False
        if self.sbi_bank is not None:
            return row in self.bank_rows
        return self.landmarks is not None and bool(np.isfinite(self.landmarks[row, 0, 0]))

    def __getitem__(self, item: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        row = int(self.indices[item])
        rng = self.rng
        label, reported = float(self.labels[row]), row
        if self.can_blend(row) and rng.random() < self.sbi_p:
            if self.sbi_bank is not None:
                image = np.array(self.sbi_bank[self.bank_rows[row]])
                reported = SBI_ROW_OFFSET + self.bank_rows[row]
            else:
                image, _ = self_blend(np.array(self.images[row]), self.landmarks[row], rng)
                reported = -1
            label = 1.0
        else:
            image = np.array(self.images[row])
        if self.degrade is not None and self.degrade.active:
            image = self.degrade(image, rng)
        tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
        return self.transform(tensor), torch.tensor(label), reported
