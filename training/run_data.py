"""The samples and split of a training run, and the cached crops they are scored on.

One owner for "which images did this run train and validate on". `training.train` computes
the split (`training.mix.load_mix`: by group within each source, k-fold when `folds` > 1,
capped by `max_samples`, `hold_out_source` kept out) and writes it into the run folder as
`split.csv`. Everything that scores a run afterwards (export, evaluation, the ensemble fit,
the fast-path, robustness and quantisation checks) takes the samples and split from
`run_mix`: read back from that `split.csv` when the run folder has one, computed the same way
from the config otherwise. A plain data set (`--data x.csv`) is a config of one source
(`data_config`), so its split is the one training on that data set makes.

`add_data_arguments` and `open_run_data` are the command-line options and loading those tools
share: a config's mix (served face crops) or a plain data set (images as they are), the run
folder to read the split from, and the cached crops.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from training.cache import open_image_cache
from training.config import TrainConfig, load_config
from training.datasets import Sample, parse_label
from training.face_cache import open_face_cache
from training.mix import Mix, SourceSpec, load_mix, specs_from_config

log = logging.getLogger("training.run_data")

SPLIT_FILE = "split.csv"
SPLIT_COLUMNS = ["file", "label", "group", "dataset", "source", "split"]
SPLITS = ("train", "val", "held_out", "all")

SPLIT_KEYS = (
    "data",
    "image_root",
    "sources",
    "hold_out_source",
    "val_fraction",
    "split_seed",
    "folds",
    "fold",
    "max_samples",
)
"""The config keys that decide a run's samples and split (and `seed` where samples are
capped: it draws the capped subset)."""


# --------------------------------------------------------------------------- split.csv
def write_split(path: str | Path, mix: Mix) -> None:
    """One row per sample: file, label, group, data set, source and split."""
    split = np.array(["train"] * len(mix.samples), dtype=object)
    split[mix.val_idx] = "val"
    split[mix.held_out_idx] = "held_out"
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SPLIT_COLUMNS)
        for i, s in enumerate(mix.samples):
            writer.writerow(
                [
                    str(s.path),
                    "FAKE" if s.label else "REAL",
                    s.group or "",
                    s.dataset,
                    s.source,
                    split[i],
                ]
            )


def read_split(path: str | Path) -> tuple[list[Sample], np.ndarray]:
    """The samples a run's `split.csv` lists, in its order, and each one's split name."""
    samples, sides = [], []
    with Path(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = set(SPLIT_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        for row in reader:
            if row["split"] not in ("train", "val", "held_out"):
                raise ValueError(f"{path}: split {row['split']!r} is not train, val or held_out")
            samples.append(
                Sample(
                    Path(row["file"]),
                    parse_label(row["label"]),
                    row["group"] or None,
                    row["source"],
                    row["dataset"],
                )
            )
            sides.append(row["split"])
    return samples, np.array(sides, dtype=object)


def _path(value: Any) -> str:
    return os.path.normpath(value) if value else ""


def split_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The values of a config (as a dict; keys it lacks take `TrainConfig`'s defaults) that
    decide its samples and split, in one spelling: paths normalised, sources parsed."""
    values = {**dataclasses.asdict(TrainConfig()), **values}
    out = {k: values[k] for k in SPLIT_KEYS}
    out["data"], out["image_root"] = _path(out["data"]), _path(out["image_root"])
    specs = [SourceSpec.parse(e) for e in out["sources"] or []]
    # what decides a source's samples and split (its `weight` only changes the draws)
    out["sources"] = [
        {"data": _path(s.data), "name": s.dataset, "max": s.max, "image_root": _path(s.image_root)}
        for s in specs
    ]
    if out["max_samples"] or any(s.max for s in specs):
        out["seed"] = values["seed"]  # it draws the capped subset
    return out


def check_run_config(config: TrainConfig, run_dir: str | Path) -> None:
    """Refuse a run folder whose resolved config (`config.yaml`) split its data otherwise
    than `config`: its split.csv, or the split computed from `config`, would not be the one
    that run validated on."""
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        return
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping")
    ran = split_settings(loaded)
    wanted = split_settings(dataclasses.asdict(config))
    keys = [*SPLIT_KEYS, *(["seed"] if "seed" in ran and "seed" in wanted else [])]
    differ = [k for k in keys if ran[k] != wanted[k]]
    if differ:
        raise ValueError(
            f"the run in {run_dir} split its data with other settings than this config ("
            + "; ".join(f"{k}: {ran[k]!r} there, {wanted[k]!r} here" for k in differ)
            + f"): give that run's config ({path}), or another run folder"
        )


def run_mix(config: TrainConfig, run_dir: str | Path | None = None) -> Mix:
    """The samples and split of the run of `config`: read back from `run_dir/split.csv` when
    the run wrote one, else computed as training computes it (`load_mix`). A `run_dir` whose
    `config.yaml` split its data with other settings is refused (`check_run_config`)."""
    if run_dir:
        check_run_config(config, run_dir)
    path = Path(run_dir) / SPLIT_FILE if run_dir else None
    if path is None or not path.is_file():
        return load_mix(config)
    samples, sides = read_split(path)
    specs = specs_from_config(config)
    names = {s.dataset for s in specs}
    unknown = sorted({s.dataset for s in samples} - names)
    if unknown:
        raise ValueError(
            f"{path} lists data sets {unknown} this config does not name ({sorted(names)})"
        )
    log.info("samples and split read back from %s", path)
    index = lambda side: np.flatnonzero(sides == side).astype(np.int64)  # noqa: E731
    return Mix(
        samples,
        index("train"),
        index("val"),
        index("held_out"),
        specs,
        config.hold_out_source,
        {s.dataset: s.weight for s in specs},
    )


def split_rows(mix: Mix, split: str) -> np.ndarray:
    """The rows of one split (`SPLITS`) of a mix."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    return {
        "val": mix.val_idx,
        "train": mix.train_idx,
        "held_out": mix.held_out_idx,
        "all": np.arange(len(mix.samples)),
    }[split]


def split_words(config: TrainConfig) -> str:
    """How the validation split was drawn, in words (for cards and reports)."""
    share = (
        f"fold {config.fold} of {config.folds}"
        if config.folds and config.folds > 1
        else f"{config.val_fraction:.0%}"
    )
    return f"{share} of each source by group (seed {config.split_seed})"


def data_config(data: str, image_root: str | None = None, **values: Any) -> TrainConfig:
    """The config of a plain data set scored as it is (no face crops): its split is the one
    training on that data set alone makes."""
    return dataclasses.replace(
        TrainConfig(), data=str(data), image_root=image_root or "", face_crops=False, **values
    )


# --------------------------------------------------------------------------- cached crops
@dataclass
class TrainingData:
    images: np.ndarray
    landmarks: np.ndarray | None = None
    detected: np.ndarray | None = None
    face_stats: dict | None = None


def open_training_data(config: TrainConfig, samples: list[Sample]) -> TrainingData:
    """The cached crops: served face crops with landmarks, or the images as they are."""
    size = max(config.cache_size, config.input_size or 0)
    if not config.face_crops:
        return TrainingData(open_image_cache(samples, config.cache_dir, size))
    margin = float(config.face_margin) if config.face_margin != "auto" else 0.3
    faces = open_face_cache(
        samples,
        config.cache_dir,
        size,
        margin=margin,
        detector=config.face_detector,
        detector_model=config.face_detector_model or None,
        crop_first=config.face_crop_first,
        landmarks=config.sbi_fraction > 0,
    )
    return TrainingData(faces.images, faces.landmarks, faces.detected, faces.meta)


# --------------------------------------------------------------------------- the tools' CLI
def add_data_arguments(
    parser: argparse.ArgumentParser,
    *,
    plain_data: bool = True,
    config_help: str = "a training config: its mix and group split",
    config_required: bool = True,
) -> None:
    """--config (or --data), --run, the split options of a plain data set, --cache-dir.

    `config_required=False` (with `plain_data=False`) leaves the check to the tool, for one
    whose other mode reads no data.
    """
    if plain_data:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--config", help=config_help)
        source.add_argument("--data", help="folder with Real/ and Fake/, or a CSV")
        parser.add_argument("--image-root", help="folder the CSV's paths are relative to")
        parser.add_argument(
            "--val-fraction",
            type=float,
            default=0.15,
            help="--data: share held out for validation, by group",
        )
        parser.add_argument("--split-seed", type=int, default=42, help="--data: split seed")
        parser.add_argument(
            "--folds", type=int, default=0, help="--data: k-fold split by group when > 1"
        )
        parser.add_argument("--fold", type=int, default=0, help="--data: the validation fold")
        parser.add_argument(
            "--max-samples",
            type=int,
            default=0,
            help="--data: the class-balanced subset training used",
        )
    else:
        parser.add_argument("--config", required=config_required, help=config_help)
    parser.add_argument(
        "--run",
        help="the run folder whose split.csv to read back (default: "
        "the config's output; with --data: none, computed)",
    )
    parser.add_argument("--cache-dir", default="data/cache")
    parser.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="--config: a config value changed for this run of the tool only, e.g. "
        "face_detector=dlib to score the crops another detector cuts (repeatable)",
    )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The training config the options name: --config's, or that of the --data set."""
    if getattr(args, "config", None):
        overrides = getattr(args, "overrides", None) or []
        return load_config(args.config, [f"cache_dir={args.cache_dir}", *overrides])
    return data_config(
        args.data,
        args.image_root,
        val_fraction=args.val_fraction,
        split_seed=args.split_seed,
        folds=args.folds,
        fold=args.fold,
        max_samples=args.max_samples,
        cache_dir=args.cache_dir,
    )


def run_dir_from_args(args: argparse.Namespace, config: TrainConfig) -> str | None:
    if getattr(args, "run", None):
        return args.run
    return config.output if getattr(args, "config", None) else None


@dataclass
class RunData:
    """A run's samples and split (`mix`), its config and the cached crops of every sample."""

    config: TrainConfig
    mix: Mix
    images: np.ndarray
    plain: bool = False  # a plain data set (images as they are), not a config's mix

    @property
    def samples(self) -> list[Sample]:
        return self.mix.samples

    def rows(self, split: str = "val") -> np.ndarray:
        return split_rows(self.mix, split)

    def labels(self, rows: np.ndarray) -> np.ndarray:
        return np.array([self.mix.samples[i].label for i in rows])


def served_margin(bundles) -> float:
    """The one face margin `bundles` cut faces with (an error when they differ)."""
    margins = {b.config.face_margin for b in bundles}
    if len(margins) > 1:
        raise ValueError(
            f"bundles cut faces with different margins {sorted(margins)}: score them one at a time"
        )
    return margins.pop()


def open_for_bundles(
    config: TrainConfig, bundles, run_dir: str | Path | None = None, *, plain: bool = False
) -> RunData:
    """The run's samples and split, and crops cut as `bundles` are served: faces with their
    margin (a config's mix), or the images as they are, at their largest input size."""
    mix = run_mix(config, run_dir)
    if config.face_crops:
        config = dataclasses.replace(config, face_margin=served_margin(bundles))
    if plain:
        config = dataclasses.replace(
            config, cache_size=max(224, config.cache_size, *(b.config.input_size for b in bundles))
        )
    return RunData(config, mix, open_training_data(config, mix.samples).images, plain)


def open_run_data(args: argparse.Namespace, bundles) -> RunData:
    """`open_for_bundles` for the options of `add_data_arguments`."""
    config = config_from_args(args)
    plain = not getattr(args, "config", None)
    return open_for_bundles(config, bundles, run_dir_from_args(args, config), plain=plain)
