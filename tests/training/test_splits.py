"""Tests for training.splits: group-disjoint, stratified train/validation and k-fold splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.datasets import Sample
from training.splits import kfold_split, make_split, train_val_split


def _dfdc_like(videos: int = 300, seed: int = 1) -> list[Sample]:
    """Like DFDC: each real video is a group with 0-10 fakes made from it; a few loose images."""
    rng = np.random.default_rng(seed)
    samples = []
    for v in range(videos):
        samples.append(Sample(Path(f"v{v}/real.jpg"), 0, f"v{v}"))
        samples += [
            Sample(Path(f"v{v}/fake{j}.jpg"), 1, f"v{v}") for j in range(int(rng.integers(0, 11)))
        ]
    samples += [Sample(Path(f"loose{i}.jpg"), i % 2, None) for i in range(20)]
    return samples


def _groups(samples: list[Sample], indices: np.ndarray) -> set[str]:
    return {samples[i].group for i in indices if samples[i].group is not None}


def _labels(samples: list[Sample]) -> np.ndarray:
    return np.array([s.label for s in samples])


def _assert_partition(train: np.ndarray, val: np.ndarray, n: int) -> None:
    assert len(np.intersect1d(train, val)) == 0
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(n))


def test_group_split_is_disjoint_complete_and_keeps_groups_whole() -> None:
    samples = _dfdc_like()
    train, val = train_val_split(samples, val_fraction=0.15, seed=42)
    _assert_partition(train, val, len(samples))
    assert not _groups(samples, train) & _groups(samples, val)


def test_group_split_holds_the_val_fraction_and_the_label_balance() -> None:
    samples = _dfdc_like()
    labels = _labels(samples)
    for seed in (0, 7, 42):
        _, val = train_val_split(samples, val_fraction=0.15, seed=seed)
        assert len(val) / len(samples) == pytest.approx(0.15, abs=0.02)
        assert labels[val].mean() == pytest.approx(labels.mean(), abs=0.03)
        assert 0 < labels[val].sum() < len(val)  # both classes present


def test_group_split_is_deterministic_per_seed() -> None:
    samples = _dfdc_like()
    first = train_val_split(samples, 0.15, seed=3)
    again = train_val_split(samples, 0.15, seed=3)
    other = train_val_split(samples, 0.15, seed=4)
    np.testing.assert_array_equal(first[1], again[1])
    np.testing.assert_array_equal(first[0], again[0])
    assert set(first[1].tolist()) != set(other[1].tolist())


def test_split_without_groups_stratifies() -> None:
    samples = [Sample(Path(f"{i}.jpg"), int(i % 5 == 0), None) for i in range(200)]  # 20 % fake
    train, val = train_val_split(samples, val_fraction=0.25, seed=0)
    _assert_partition(train, val, len(samples))
    assert len(val) == 50
    assert _labels(samples)[val].sum() == 10


def test_val_fraction_outside_zero_one_is_an_error() -> None:
    with pytest.raises(ValueError):
        train_val_split(_dfdc_like(10), val_fraction=1.0)


def test_kfold_folds_partition_the_data_and_keep_groups_whole() -> None:
    samples = _dfdc_like(60)
    folds = [kfold_split(samples, folds=4, fold=f, seed=0) for f in range(4)]
    vals = [val for _, val in folds]
    assert sorted(np.concatenate(vals).tolist()) == list(range(len(samples)))
    for train, val in folds:
        _assert_partition(train, val, len(samples))
        assert not _groups(samples, train) & _groups(samples, val)
        assert len(val) / len(samples) == pytest.approx(0.25, abs=0.08)


@pytest.mark.parametrize("fold", [-1, 3])
def test_kfold_rejects_a_fold_out_of_range(fold: int) -> None:
    with pytest.raises(ValueError, match="fold"):
        kfold_split(_dfdc_like(20), folds=3, fold=fold)


def test_make_split_dispatches_on_folds() -> None:
    samples = _dfdc_like(60)
    for folds in (0, 1):
        got = make_split(samples, val_fraction=0.2, seed=5, folds=folds)
        want = train_val_split(samples, 0.2, 5)
        np.testing.assert_array_equal(got[1], want[1])
    got = make_split(samples, val_fraction=0.2, seed=5, folds=3, fold=2)
    np.testing.assert_array_equal(got[1], kfold_split(samples, 3, 2, 5)[1])
