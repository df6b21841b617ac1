"""Train/validation splits that keep every group (source video, identity) on one side.

A fake and the real video it was made from share a face; splitting them across train and
validation leaks identity and inflates accuracy, so groups are never split.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedShuffleSplit

from training.datasets import Sample


def _groups(samples: list[Sample]) -> np.ndarray | None:
    if all(s.group is None for s in samples):
        return None
    # a sample without a group is its own group
    return np.array(
        [s.group if s.group is not None else f"__single_{i}" for i, s in enumerate(samples)]
    )


def train_val_split(
    samples: list[Sample], val_fraction: float = 0.15, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of training and validation samples, disjoint by group, stratified by label.

    Groups are shuffled with `seed` and taken one at a time, alternating REAL-heavy and
    FAKE-heavy needs, until validation holds `val_fraction` of the samples of each label.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must be between 0 and 1")
    labels = np.array([s.label for s in samples])
    groups = _groups(samples)
    if groups is None:
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=val_fraction, random_state=seed)
        train, val = next(splitter.split(labels, labels))
        return np.sort(train), np.sort(val)
    unique, inverse = np.unique(groups, return_inverse=True)
    counts = np.zeros((len(unique), 2), dtype=np.int64)
    np.add.at(counts, (inverse, labels), 1)
    wanted = np.round(counts.sum(axis=0) * val_fraction)
    taken = np.zeros(2)
    chosen = np.zeros(len(unique), dtype=bool)
    for g in np.random.default_rng(seed).permutation(len(unique)):
        after = taken + counts[g]
        # take the group if it does not overshoot any label's need by more than it helps
        closer = np.abs(after - wanted).sum() < np.abs(taken - wanted).sum()
        if np.all(after <= wanted + 1) or closer:
            chosen[g] = True
            taken = after
        if np.all(taken >= wanted):
            break
    val_mask = chosen[inverse]
    return np.flatnonzero(~val_mask), np.flatnonzero(val_mask)


def kfold_split(
    samples: list[Sample], folds: int, fold: int, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Fold `fold` of a `folds`-way stratified k-fold split by group."""
    if not 0 <= fold < folds:
        raise ValueError(f"fold {fold} not in 0..{folds - 1}")
    labels = np.array([s.label for s in samples])
    groups = _groups(samples)
    if groups is None:
        groups = np.arange(len(samples)).astype(str)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    train, val = list(splitter.split(np.zeros(len(labels)), labels, groups))[fold]
    return np.sort(train), np.sort(val)


def make_split(
    samples: list[Sample], *, val_fraction: float, seed: int, folds: int = 0, fold: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    if folds and folds > 1:
        return kfold_split(samples, folds, fold, seed)
    return train_val_split(samples, val_fraction, seed)
