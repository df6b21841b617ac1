"""Tests for training.mix: sources split by group within each, caps, leave-one-source-out,
balanced draw weights; and the mix's split.csv and training rows in training.train."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from training.config import load_config
from training.datasets import Sample
from training.mix import (
    cap_samples,
    describe_by_source,
    draw_weights,
    load_mix,
    regression_sample,
)
from training.run_data import TrainingData, write_split
from training.train import training_indices


def _csv(root: Path, folder: str, rows: list[tuple[str, str, str]]) -> Path:
    """`root/folder/metadata.csv` with rows (label, group, source); no image files needed."""
    (root / folder).mkdir(parents=True)
    path = root / folder / "metadata.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "label", "group", "source"])
        for i, (label, group, source) in enumerate(rows):
            writer.writerow([f"img/{i}.png", label, group, source])
    return path


@pytest.fixture
def mix_files(tmp_path: Path) -> tuple[Path, Path]:
    """`swaps`: 30 videos (1 REAL + 2 FAKE each) from two finer sources, A and B;
    `faces`: 40 genuine identities (2 REAL each). Both use the same group names g0, g1, ...:
    groups are per source, so g3 of one has nothing to do with g3 of the other."""
    swaps = [
        (label, f"g{v}", "swapA" if v < 12 else "swapB")
        for v in range(30)
        for label in ("REAL", "FAKE", "FAKE")
    ]
    faces = [("REAL", f"g{p}", "") for p in range(40) for _ in range(2)]  # source: data set
    return _csv(tmp_path, "swaps", swaps), _csv(tmp_path, "faces", faces)


def _config(*sources: dict, **overrides) -> object:
    config = load_config(None, [f"{k}={v}" for k, v in overrides.items()])
    config.sources = list(sources)
    return config


def _two(mix_files, **overrides):
    swaps, faces = mix_files
    return load_mix(_config({"data": str(swaps)}, {"data": str(faces)}, **overrides))


def test_each_source_is_split_by_its_own_groups(mix_files) -> None:
    mix = _two(mix_files, val_fraction=0.25)
    assert len(mix.samples) == 90 + 80
    assert [s.dataset for s in mix.specs] == ["swaps", "faces"]
    assert {(s.dataset, s.source) for s in mix.samples} == {
        ("swaps", "swapA"),
        ("swaps", "swapB"),
        ("faces", "faces"),
    }
    train, val = set(mix.train_idx.tolist()), set(mix.val_idx.tolist())
    assert not train & val and len(train | val) == len(mix.samples)
    assert not len(mix.held_out_idx)
    side: dict[tuple[str, str], set[str]] = {}
    for name, idx in (("train", train), ("val", val)):
        for i in idx:
            s = mix.samples[i]
            side.setdefault((s.dataset, s.group), set()).add(name)
    assert all(len(v) == 1 for v in side.values()), "a group on both sides"
    # split within each source: every source gets about its own val_fraction
    for name, size in (("swaps", 90), ("faces", 80)):
        in_val = sum(mix.samples[i].dataset == name for i in val)
        assert abs(in_val / size - 0.25) < 0.06, (name, in_val)
    # a group name both sources use is split independently in each: some shared name sits
    # in validation in one source and in training in the other
    val_groups = {(mix.samples[i].dataset, mix.samples[i].group) for i in val}
    names = {f"g{k}" for k in range(30)}
    assert any(((("swaps", g) in val_groups) != (("faces", g) in val_groups)) for g in names)


def test_split_is_reproducible_and_follows_split_seed(mix_files) -> None:
    a, b = _two(mix_files), _two(mix_files)
    assert np.array_equal(a.val_idx, b.val_idx)
    other = _two(mix_files, split_seed=7)
    assert not np.array_equal(a.val_idx, other.val_idx)


def test_max_caps_each_source_class_balanced(mix_files) -> None:
    swaps, faces = mix_files
    mix = load_mix(
        _config({"data": str(swaps), "max": 30, "name": "sw"}, {"data": str(faces), "max": 11})
    )
    by = describe_by_source(mix.samples, np.arange(len(mix.samples)))
    swap_real = by["swapA"]["real"] + by["swapB"]["real"]
    swap_fake = by["swapA"]["fake"] + by["swapB"]["fake"]
    assert (swap_real, swap_fake) == (15, 15)  # half of each class
    assert by["faces"] == {"dataset": "faces", "real": 11, "fake": 0}  # REAL only: all REAL
    assert {s.dataset for s in mix.samples} == {"sw", "faces"}  # `name` renames the entry
    assert len(mix.train_idx) + len(mix.val_idx) == 41


def test_cap_samples_keeps_order_and_leaves_small_sets_alone() -> None:
    samples = [Sample(Path(f"{i}"), int(i % 3 == 0), None) for i in range(30)]
    assert cap_samples(samples, 0, 0) is samples and cap_samples(samples, 50, 0) is samples
    capped = cap_samples(samples, 8, 0)
    assert len(capped) == 8 and sum(s.label for s in capped) == 4
    order = [int(str(s.path)) for s in capped]
    assert order == sorted(order)


def test_a_single_data_set_is_a_mix_of_one(mix_files) -> None:
    swaps, _ = mix_files
    mix = load_mix(load_config(None, [f"data={swaps}", "max_samples=40"]))
    assert len(mix.specs) == 1 and mix.specs[0].dataset == "swaps"
    assert len(mix.samples) == 40 and {s.dataset for s in mix.samples} == {"swaps"}
    assert len(mix.val_idx) and len(mix.train_idx) and not len(mix.held_out_idx)
    assert mix.weights == {"swaps": 1.0}


def test_sources_need_distinct_names_and_not_data_too(mix_files) -> None:
    swaps, faces = mix_files
    with pytest.raises(ValueError, match="share a name"):
        load_mix(_config({"data": str(swaps)}, {"data": str(swaps)}))
    config = _config({"data": str(faces)})
    config.data = str(swaps)
    with pytest.raises(ValueError, match="either"):
        load_mix(config)
    with pytest.raises(ValueError, match="only"):
        load_mix(_config({"data": str(swaps), "wieght": 2}))


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        ("faces", lambda s: s.dataset == "faces"),  # a whole data set
        ("swapB", lambda s: s.source == "swapB"),  # a finer source within one
    ],
)
def test_hold_out_source_moves_exactly_its_samples_out(mix_files, held, expected) -> None:
    mix = _two(mix_files, hold_out_source=held)
    want = {i for i, s in enumerate(mix.samples) if expected(s)}
    assert want and set(mix.held_out_idx.tolist()) == want
    assert not want & set(mix.train_idx.tolist()) and not want & set(mix.val_idx.tolist())
    # everything else is still split
    rest = set(mix.train_idx.tolist()) | set(mix.val_idx.tolist())
    assert rest == set(range(len(mix.samples))) - want
    assert mix.hold_out_source == held


def test_unknown_hold_out_source_is_an_error_naming_the_known_ones(mix_files) -> None:
    with pytest.raises(ValueError, match=r"matches no sample.*swapA"):
        _two(mix_files, hold_out_source="celeb")


def _samples(counts: dict[tuple[str, int], int]) -> list[Sample]:
    return [
        Sample(Path(f"{d}{label}{i}"), label, None, d, d)
        for (d, label), n in counts.items()
        for i in range(n)
    ]


@pytest.mark.parametrize("real_share", [0.5, 0.7])
def test_draw_weights_share_classes_and_data_sets_by_size_times_weight(real_share) -> None:
    samples = _samples(
        {("big", 0): 300, ("big", 1): 100, ("small", 0): 50, ("small", 1): 150, ("genuine", 0): 200}
    )
    weights = {"big": 1.0, "small": 2.0, "genuine": 0.5}
    w = draw_weights(samples, weights, real_share)
    labels = np.array([s.label for s in samples])
    names = np.array([s.dataset for s in samples])
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    assert w[labels == 0].sum() == pytest.approx(real_share)
    assert w[labels == 1].sum() == pytest.approx(1 - real_share)
    for label, sizes in (
        (0, {"big": 300, "small": 50, "genuine": 200}),
        (1, {"big": 100, "small": 150}),
    ):
        total = sum(n * weights[d] for d, n in sizes.items())
        share = real_share if label == 0 else 1 - real_share
        for d, n in sizes.items():
            got = w[(labels == label) & (names == d)].sum()
            assert got == pytest.approx(share * n * weights[d] / total), (label, d)
    # within a data set and class, every sample is drawn equally often
    assert np.ptp(w[(labels == 0) & (names == "big")]) == 0


def test_a_real_only_source_gets_no_fake_draws() -> None:
    samples = _samples({("swaps", 0): 10, ("swaps", 1): 30, ("genuine", 0): 60})
    w = draw_weights(samples, {"swaps": 1.0, "genuine": 3.0}, 0.5)
    names = np.array([s.dataset for s in samples])
    labels = np.array([s.label for s in samples])
    # FAKE half all on the only source with fakes; REAL half 10 x 1 against 60 x 3
    assert w[labels == 1].sum() == pytest.approx(0.5)
    assert w[names == "genuine"].sum() == pytest.approx(0.5 * 180 / 190)
    assert draw_weights([], {}, 0.5).shape == (0,)


def test_mix_train_weights_use_the_source_weights(mix_files) -> None:
    swaps, faces = mix_files
    mix = load_mix(
        _config({"data": str(swaps), "weight": 1.0}, {"data": str(faces), "weight": 4.0})
    )
    w = mix.train_weights(0.5)
    train = [mix.samples[i] for i in mix.train_idx]
    real = np.array([s.label == 0 for s in train])
    faces_ = np.array([s.dataset == "faces" for s in train])
    n_faces, n_swap_real = (real & faces_).sum(), (real & ~faces_).sum()
    assert w[real & faces_].sum() == pytest.approx(0.5 * 4 * n_faces / (4 * n_faces + n_swap_real))


def test_split_csv_names_every_sample_and_its_side(mix_files, tmp_path) -> None:
    mix = _two(mix_files, hold_out_source="swapB")
    path = tmp_path / "split.csv"
    write_split(path, mix)
    with path.open() as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["file", "label", "group", "dataset", "source", "split"]
    assert len(rows) == len(mix.samples)
    sides = {row["split"] for row in rows}
    assert sides == {"train", "val", "held_out"}
    for i, row in enumerate(rows):
        s = mix.samples[i]
        assert row["file"] == str(s.path) and row["label"] == ("FAKE" if s.label else "REAL")
        assert (row["dataset"], row["source"], row["group"]) == (s.dataset, s.source, s.group)
        assert (row["split"] == "held_out") == (s.source == "swapB")
    assert sum(r["split"] == "val" for r in rows) == len(mix.val_idx)


def test_no_face_drop_keeps_faceless_images_out_of_training(mix_files) -> None:
    mix = _two(mix_files)
    detected = np.ones(len(mix.samples), dtype=bool)
    detected[::3] = False
    data = TrainingData(np.zeros((len(mix.samples), 1, 1, 3), np.uint8), detected=detected)
    keep = training_indices(load_config(None, ["no_face=keep"]), mix, data)
    assert np.array_equal(keep, mix.train_idx)
    drop = training_indices(load_config(None, ["no_face=drop"]), mix, data)
    assert set(drop.tolist()) == {i for i in mix.train_idx.tolist() if i % 3}
    with pytest.raises(ValueError, match="no_face"):
        training_indices(load_config(None, ["no_face=skip"]), mix, data)


def test_regression_sample_is_fixed_and_covers_every_validation_source(mix_files) -> None:
    mix = _two(mix_files)
    first = regression_sample(mix, per_source=6)
    assert np.array_equal(first, regression_sample(_two(mix_files), per_source=6))
    assert set(first.tolist()) <= set(mix.val_idx.tolist())
    assert {mix.samples[i].source for i in first} == {mix.samples[i].source for i in mix.val_idx}
