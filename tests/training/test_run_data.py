"""Tests for training.run_data: a run's samples and split read back from the split.csv training
wrote (k-fold and max_samples included), computed the same way without one, and a run folder
split with other settings refused; the shared --config/--data/--run options."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

import training.train as train_module
from training.config import TrainConfig, load_config, save_config
from training.evaluate import main as evaluate_main
from training.mix import Mix, load_mix
from training.run_data import (
    SPLIT_FILE,
    add_data_arguments,
    config_from_args,
    run_dir_from_args,
    run_mix,
    split_rows,
    write_split,
)
from training.train import main as train_main


def _csv(folder: Path, groups: int, *, images: bool = False, size: int = 32) -> Path:
    """`folder/metadata.csv`: `groups` videos with one REAL and one FAKE image each (the
    files written as small PNGs when `images`)."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    path = folder / "metadata.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "label", "group"])
        for g in range(groups):
            for label in ("REAL", "FAKE"):
                name = f"{label.lower()}_{g:03d}.png"
                if images:
                    img = rng.integers(60, 120, (size, size, 3), dtype=np.uint8)
                    if label == "FAKE":
                        img[: size // 2, : size // 2] = 240
                    Image.fromarray(img).save(folder / name)
                writer.writerow([name, label, f"g{g}"])
    return path


def _same_split(a: Mix, b: Mix) -> None:
    assert [(s.path, s.label, s.group, s.source, s.dataset) for s in a.samples] == [
        (s.path, s.label, s.group, s.source, s.dataset) for s in b.samples
    ]
    for side in ("train_idx", "val_idx", "held_out_idx"):
        assert np.array_equal(getattr(a, side), getattr(b, side)), side


def _run_folder(tmp_path: Path, config: TrainConfig, mix: Mix | None = None) -> Path:
    """A run folder as training leaves it: config.yaml and split.csv."""
    run = Path(config.output)
    run.mkdir(parents=True, exist_ok=True)
    save_config(config, run / "config.yaml")
    write_split(run / SPLIT_FILE, mix or load_mix(config))
    return run


@pytest.fixture
def two_sources(tmp_path: Path) -> TrainConfig:
    a, b = _csv(tmp_path / "swaps", 20), _csv(tmp_path / "faces", 15)
    return dataclasses.replace(
        TrainConfig(), sources=[{"data": str(a)}, {"data": str(b)}], output=str(tmp_path / "run")
    )


# --------------------------------------------------------------------------- a trained run
@pytest.fixture(scope="module")
def kfold_run(tmp_path_factory):
    """One short k-fold training run on a capped data set, and the mix training computed."""
    tmp = tmp_path_factory.mktemp("kfold")
    data = _csv(tmp / "data", 18, images=True)
    used: list[Mix] = []

    def spy(config):
        used.append(load_mix(config))
        return used[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train_module, "load_mix", spy)
        train_main(
            [
                f"data={data}",
                "arch=efficientnet_lite0",
                "pretrained=false",
                "face_crops=false",
                "input_size=32",
                "cache_size=32",
                "epochs=1",
                "batch_size=8",
                "max_steps_per_epoch=1",
                "threads=1",
                "folds=3",
                "fold=1",
                "max_samples=24",
                "seed=5",
                f"cache_dir={tmp / 'cache'}",
                f"output={tmp / 'run'}",
            ]
        )
    assert len(used) == 1
    return tmp, data, used[0]


@pytest.mark.slow
def test_a_kfold_runs_split_csv_reads_back_as_the_split_training_used(kfold_run) -> None:
    tmp, _, used = kfold_run
    run = tmp / "run"
    config = load_config(run / "config.yaml")
    read_back = run_mix(config, run)
    _same_split(read_back, used)
    # ... and computing it (no run folder) gives the same: folds and max_samples honoured
    _same_split(run_mix(config), used)
    assert len(used.samples) == 24 and sum(s.label for s in used.samples) == 12
    assert len(used.val_idx) + len(used.train_idx) == 24
    one_split = load_mix(dataclasses.replace(config, folds=0))
    assert not np.array_equal(one_split.val_idx, used.val_idx)


@pytest.mark.slow
def test_evaluate_on_the_run_scores_its_validation_fold(kfold_run, tiny_bundle_dir) -> None:
    tmp, _, used = kfold_run
    bundle = tiny_bundle_dir("kfold", input_size=32)
    out = tmp / "eval"
    evaluate_main(
        [
            str(bundle),
            "--config",
            str(tmp / "run" / "config.yaml"),
            "--output",
            str(out),
            "--cache-dir",
            str(tmp / "cache"),
        ]
    )
    metrics = json.loads((out / "kfold" / "metrics.json").read_text())
    assert metrics["samples"] == len(used.val_idx)
    labels = [used.samples[i].label for i in used.val_idx]
    assert metrics["confusion_matrix"][1][0] + metrics["confusion_matrix"][1][1] == sum(labels)


# --------------------------------------------------------------------------- read back
def test_the_run_folders_split_csv_is_read_back_not_recomputed(two_sources) -> None:
    computed = load_mix(two_sources)
    rows = np.arange(len(computed.samples))
    # another (legal) split than the one the config computes: what the run wrote wins
    val = rows[::4]
    other = dataclasses.replace(
        computed, val_idx=val, train_idx=np.setdiff1d(rows, val), held_out_idx=rows[:0]
    )
    assert not np.array_equal(other.val_idx, computed.val_idx)
    run = _run_folder(Path(two_sources.output).parent, two_sources, other)
    _same_split(run_mix(two_sources, run), other)
    assert np.array_equal(split_rows(run_mix(two_sources, run), "val"), val)


def test_a_missing_run_folder_or_split_csv_computes_the_split(two_sources, tmp_path) -> None:
    computed = load_mix(two_sources)
    _same_split(run_mix(two_sources, tmp_path / "nothing-here"), computed)
    run = tmp_path / "config-only"
    run.mkdir()
    save_config(two_sources, run / "config.yaml")
    _same_split(run_mix(two_sources, run), computed)


def test_max_samples_and_folds_are_honoured_without_a_run_folder(two_sources) -> None:
    capped = dataclasses.replace(two_sources, max_samples=10, folds=4, fold=3, seed=7)
    mix = run_mix(capped)
    for name in ("swaps", "faces"):
        labels = [s.label for s in mix.samples if s.dataset == name]
        assert len(labels) == 10 and sum(labels) == 5
    _same_split(mix, load_mix(capped))
    assert len(run_mix(dataclasses.replace(capped, seed=8)).samples) == 20
    assert {s.path for s in run_mix(dataclasses.replace(capped, seed=8)).samples} != {
        s.path for s in mix.samples
    }


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("seed", 3),
        ("val_fraction", 0.3),
        ("folds", 5),
        ("fold", 2),
        ("split_seed", 1),
        ("max_samples", 8),
        ("hold_out_source", "faces"),
        ("sources", "one"),
    ],
)
def test_a_run_folder_split_with_other_settings_is_refused(two_sources, key, value) -> None:
    ran = dataclasses.replace(two_sources, max_samples=20, folds=3, fold=1, seed=0)
    run = _run_folder(Path(two_sources.output).parent, ran)
    if key == "sources":
        value = ran.sources[:1]
    asked = dataclasses.replace(ran, **{key: value})
    with pytest.raises(
        ValueError,
        match=rf"split its data with other settings.*{key}: .* "
        rf"there, .* here.*give that run's config",
    ):
        run_mix(asked, run)


def test_the_refusal_holds_without_a_split_csv(two_sources) -> None:
    run = Path(two_sources.output)
    run.mkdir()
    save_config(two_sources, run / "config.yaml")
    with pytest.raises(ValueError, match=r"val_fraction: 0\.15 there, 0\.25 here"):
        run_mix(dataclasses.replace(two_sources, val_fraction=0.25), run)


def test_settings_that_do_not_decide_the_split_are_not_refused(two_sources) -> None:
    run = _run_folder(Path(two_sources.output).parent, two_sources)
    computed = load_mix(two_sources)
    # no cap, so `seed` draws nothing; a weight changes the draws, not the split; a path
    # spelled otherwise is the same file; the run's own training settings are its business
    sources = [
        {**two_sources.sources[0], "weight": 3.0},
        {"data": str(Path(two_sources.sources[1]["data"]).parent / "." / "metadata.csv")},
    ]
    other = dataclasses.replace(two_sources, seed=9, sources=sources, epochs=1, lr=0.5)
    _same_split(run_mix(other, run), computed)


def test_a_config_yaml_from_before_a_key_existed_takes_its_default(two_sources) -> None:
    run = _run_folder(Path(two_sources.output).parent, two_sources)
    values = yaml.safe_load((run / "config.yaml").read_text())
    for key in ("folds", "fold", "hold_out_source"):
        del values[key]
    (run / "config.yaml").write_text(yaml.safe_dump(values))
    _same_split(run_mix(two_sources, run), load_mix(two_sources))
    with pytest.raises(ValueError, match="folds: 0 there, 3 here"):
        run_mix(dataclasses.replace(two_sources, folds=3), run)


def test_a_split_csv_naming_a_data_set_the_config_lacks_is_refused(two_sources, tmp_path) -> None:
    run = tmp_path / "bare"
    run.mkdir()
    write_split(run / SPLIT_FILE, load_mix(two_sources))  # no config.yaml to compare
    one = dataclasses.replace(two_sources, sources=two_sources.sources[:1])
    with pytest.raises(ValueError, match=r"lists data sets \['faces'\]"):
        run_mix(one, run)


def test_an_unknown_split_name_is_an_error(two_sources) -> None:
    with pytest.raises(ValueError, match="test"):
        split_rows(load_mix(two_sources), "test")


# --------------------------------------------------------------------------- the options
def _parse(*argv: str, plain_data: bool = True) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_data_arguments(parser, plain_data=plain_data)
    return parser.parse_args(list(argv))


def test_data_options_split_as_training_on_that_data_set_does(tmp_path) -> None:
    data = _csv(tmp_path / "plain", 20)
    args = _parse(
        "--data",
        str(data),
        "--folds",
        "4",
        "--fold",
        "2",
        "--max-samples",
        "16",
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    config = config_from_args(args)
    assert (config.folds, config.fold, config.max_samples, config.face_crops) == (4, 2, 16, False)
    assert run_dir_from_args(args, config) is None  # --data alone: computed, no run folder
    trained_alone = load_config(None, [f"data={data}", "folds=4", "fold=2", "max_samples=16"])
    _same_split(run_mix(config, run_dir_from_args(args, config)), load_mix(trained_alone))


def test_config_options_read_the_configs_run_folder_or_the_one_named(tmp_path) -> None:
    config_file = tmp_path / "c.yaml"
    config_file.write_text(f"data: x.csv\noutput: {tmp_path / 'out'}\n")
    args = _parse("--config", str(config_file), "--cache-dir", "elsewhere", plain_data=False)
    config = config_from_args(args)
    assert config.cache_dir == "elsewhere"
    assert run_dir_from_args(args, config) == str(tmp_path / "out")
    named = _parse("--config", str(config_file), "--run", "runs/other", plain_data=False)
    assert run_dir_from_args(named, config_from_args(named)) == "runs/other"
    with pytest.raises(SystemExit):
        _parse("--data", "x.csv", plain_data=False)


def test_set_changes_config_values_for_one_run_of_a_tool(tmp_path) -> None:
    config_file = tmp_path / "c.yaml"
    config_file.write_text("data: x.csv\nface_detector: haar\n")
    args = _parse(
        "--config", str(config_file), "--set", "face_detector=dlib", "--set", "sbi_fraction=0"
    )
    config = config_from_args(args)
    assert (config.face_detector, config.sbi_fraction) == ("dlib", 0.0)
    assert config_from_args(_parse("--config", str(config_file))).face_detector == "haar"
    with pytest.raises(ValueError):  # checked as any override is: a typo is an error
        config_from_args(_parse("--config", str(config_file), "--set", "face_detectr=dlib"))
