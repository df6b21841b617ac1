"""A training mix: several data sets in one run, split by group within each, balanced.

A config names its data either as one data set (`data: x.csv`) or as a list of sources:

    sources:
      - {data: data/dfdc-faces/metadata.csv, weight: 0.5}
      - {data: data/real-faces/metadata.csv}
      - {data: data/generated-faces/metadata.csv, max: 2000}

Each entry is loaded on its own (`name` defaults to the CSV's folder), optionally capped to
`max` samples (class-balanced where it has both classes), and split into train and validation
by its `group` column, so no identity or source video is on both sides. `hold_out_source`
(a data set name or a finer `source`) keeps every sample of that source out of training and
validation alike: it is the test of a data set the model never saw (leave-one-source-out).

Training draws are weighted so that both classes are drawn equally often and each data set's
share of the draws is proportional to its size times its `weight`, within each class: a
data set with only REAL rows then does not teach "this data set is real" (the self-blended
fakes made from its faces, see `training.sbi`, give it fakes of its own look).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from training.datasets import Sample, load_samples
from training.splits import make_split


@dataclass(frozen=True)
class SourceSpec:
    """One entry of a mix."""

    data: str
    name: str = ""
    max: int = 0  # >0: at most this many samples (class-balanced where possible)
    weight: float = 1.0  # relative share of the training draws (times the entry's size)
    image_root: str = ""

    @property
    def dataset(self) -> str:
        """The entry's name: given, else the CSV's folder or the data folder's name."""
        if self.name:
            return self.name
        path = Path(self.data)
        return path.parent.name if path.suffix.lower() == ".csv" else path.name

    @classmethod
    def parse(cls, entry: dict[str, Any] | str) -> SourceSpec:
        if isinstance(entry, str):
            return cls(data=entry)
        unknown = set(entry) - {"data", "name", "max", "weight", "image_root"}
        if unknown or "data" not in entry:
            raise ValueError(
                f"a source needs `data` and takes only name, max, weight, "
                f"image_root; got {sorted(entry)}"
            )
        return cls(
            data=str(entry["data"]),
            name=str(entry.get("name") or ""),
            max=int(entry.get("max") or 0),
            weight=float(entry.get("weight", 1.0)),
            image_root=str(entry.get("image_root") or ""),
        )


@dataclass
class Mix:
    """Samples of every source, with the indices of each split."""

    samples: list[Sample]
    train_idx: np.ndarray
    val_idx: np.ndarray
    held_out_idx: np.ndarray
    specs: list[SourceSpec]
    hold_out_source: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # data set -> weight

    @property
    def labels(self) -> np.ndarray:
        return np.array([s.label for s in self.samples], dtype=np.int64)

    def train_weights(self, real_share: float = 0.5) -> np.ndarray:
        """Per-training-sample draw weights: `real_share` of draws REAL, the rest FAKE, and
        within each class every data set in proportion to its size times its weight."""
        return draw_weights([self.samples[i] for i in self.train_idx], self.weights, real_share)


def specs_from_config(config) -> list[SourceSpec]:
    """The config's sources; a single `data` is a mix of one."""
    if config.sources:
        if config.data:
            raise ValueError("give either `data` or `sources`, not both")
        return [SourceSpec.parse(e) for e in config.sources]
    if not config.data:
        raise ValueError("no data: set `data` (one data set) or `sources` (a mix)")
    return [SourceSpec(data=config.data, image_root=config.image_root)]


def cap_samples(samples: list[Sample], max_samples: int, seed: int) -> list[Sample]:
    """At most `max_samples`, half of each class where the data set has both (else all one
    class), picked at random; order kept."""
    if not max_samples or max_samples >= len(samples):
        return samples
    rng = np.random.default_rng(seed)
    by_label = {label: [i for i, s in enumerate(samples) if s.label == label] for label in (0, 1)}
    present = [label for label in (0, 1) if by_label[label]]
    chosen: list[int] = []
    for label in present:
        want = max_samples // len(present)
        idx = by_label[label]
        chosen += list(rng.choice(idx, size=min(len(idx), want), replace=False))
    return [samples[i] for i in sorted(chosen)]


def matches_source(sample: Sample, name: str) -> bool:
    return bool(name) and name in (sample.dataset, sample.source)


def load_mix(config) -> Mix:
    """Load, cap and split every source of `config` (a `TrainConfig`)."""
    specs = specs_from_config(config)
    names = [s.dataset for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"two sources share a name: {names}; give each a `name`")
    samples: list[Sample] = []
    train, val, held = [], [], []
    for k, spec in enumerate(specs):
        loaded = load_samples(spec.data, spec.image_root or None, spec.dataset)
        loaded = cap_samples(loaded, spec.max or config.max_samples, config.seed + k)
        offset = len(samples)
        samples += loaded
        held_mask = np.array([matches_source(s, config.hold_out_source) for s in loaded])
        held += [offset + i for i in np.flatnonzero(held_mask)]
        kept = [i for i in range(len(loaded)) if not held_mask[i]]
        if not kept:
            continue
        subset = [loaded[i] for i in kept]
        tr, va = make_split(
            subset,
            val_fraction=config.val_fraction,
            seed=config.split_seed,
            folds=config.folds,
            fold=config.fold,
        )
        train += [offset + kept[i] for i in tr]
        val += [offset + kept[i] for i in va]
    if config.hold_out_source and not held:
        known = sorted({s.dataset for s in samples} | {s.source for s in samples})
        raise ValueError(
            f"hold_out_source {config.hold_out_source!r} matches no sample; "
            f"known: {', '.join(known)}"
        )
    as_idx = lambda xs: np.array(sorted(xs), dtype=np.int64)  # noqa: E731
    return Mix(
        samples,
        as_idx(train),
        as_idx(val),
        as_idx(held),
        specs,
        config.hold_out_source,
        {s.dataset: s.weight for s in specs},
    )


def draw_weights(
    samples: list[Sample], dataset_weights: dict[str, float], real_share: float = 0.5
) -> np.ndarray:
    """Weights for `WeightedRandomSampler` (see `Mix.train_weights`)."""
    if not samples:
        return np.zeros(0)
    labels = np.array([s.label for s in samples])
    w = np.array([dataset_weights.get(s.dataset, 1.0) for s in samples], dtype=np.float64)
    out = np.zeros(len(samples))
    for label, share in ((0, real_share), (1, 1.0 - real_share)):
        mask = labels == label
        if mask.any():
            out[mask] = share * w[mask] / w[mask].sum()
    return out


def describe_by_source(samples: list[Sample], indices: np.ndarray) -> dict[str, dict]:
    """{source: {"dataset", "real", "fake"}} for `samples[indices]`, sorted by data set."""
    counts: Counter = Counter()
    datasets = {}
    for i in indices:
        s = samples[int(i)]
        counts[(s.source, s.label)] += 1
        datasets[s.source] = s.dataset
    return {
        src: {"dataset": datasets[src], "real": counts[(src, 0)], "fake": counts[(src, 1)]}
        for src in sorted(datasets, key=lambda x: (datasets[x], x))
    }


def regression_sample(mix: Mix, per_source: int = 30, seed: int = 0) -> np.ndarray:
    """A fixed sample of the validation split: up to `per_source` images of every source
    (half of each class where it has both), for the default bundles' regression test."""
    rng = np.random.default_rng(seed)
    picked: list[int] = []
    by_cell: dict[tuple[str, int], list[int]] = {}
    for i in mix.val_idx:
        s = mix.samples[int(i)]
        by_cell.setdefault((s.source or s.dataset, s.label), []).append(int(i))
    sources = sorted({source for source, _ in by_cell})
    for source in sources:
        cells = [by_cell[(source, label)] for label in (0, 1) if (source, label) in by_cell]
        for idx in cells:
            want = min(len(idx), per_source // len(cells))
            picked += sorted(rng.choice(idx, size=want, replace=False).tolist())
    return np.array(sorted(picked), dtype=np.int64)
