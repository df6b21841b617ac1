"""Training mixes: splits by group within each source, caps, leave-one-source-out, balanced
draws, per-source figures and the false-accusation calibration."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from faceproof.verdict import DecisionRule
from training.calibrate import false_accusation_rule
from training.config import load_config
from training.datasets import Sample
from training.mix import draw_weights, load_mix, regression_sample
from training.source_metrics import by_source


def _write_source(root: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    """A CSV data set `root/name/metadata.csv` with rows (label, group, source)."""
    folder = root / name
    folder.mkdir(parents=True)
    path = folder / "metadata.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "label", "group", "source"])
        for i, (label, group, source) in enumerate(rows):
            writer.writerow([f"{label}/{i}.jpg", label, group, source])
    return path


@pytest.fixture
def two_sources(tmp_path: Path) -> tuple[Path, Path]:
    swaps = [(label, f"v{g}", "swapA" if g % 2 else "swapB")
             for g in range(40) for label in ("REAL", "FAKE", "FAKE")]
    genuine = [("REAL", f"p{g}", "photos") for g in range(60)]
    return _write_source(tmp_path, "swaps", swaps), _write_source(tmp_path, "genuine", genuine)


def _config(*sources, **extra):
    overrides = [f"{k}={v}" for k, v in extra.items()]
    config = load_config(None, overrides)
    config.sources = list(sources)
    return config


def test_mix_splits_by_group_within_each_source(two_sources):
    swaps, genuine = two_sources
    mix = load_mix(_config({"data": str(swaps)}, {"data": str(genuine)}))
    assert len(mix.samples) == 120 + 60
    assert {s.dataset for s in mix.samples} == {"swaps", "genuine"}
    assert {s.source for s in mix.samples} == {"swapA", "swapB", "photos"}
    sides: dict[tuple[str, str], set[str]] = {}
    for name, idx in (("train", mix.train_idx), ("val", mix.val_idx)):
        for i in idx:
            s = mix.samples[i]
            sides.setdefault((s.dataset, s.group), set()).add(name)
    assert all(len(v) == 1 for v in sides.values())
    val_sets = {mix.samples[i].dataset for i in mix.val_idx}
    assert val_sets == {"swaps", "genuine"}
    assert len(set(mix.train_idx) | set(mix.val_idx)) == len(mix.samples)
    assert not len(mix.held_out_idx)


def test_single_data_config_still_works(two_sources):
    swaps, _ = two_sources
    config = load_config(None, [f"data={swaps}"])
    mix = load_mix(config)
    assert len(mix.samples) == 120 and len(mix.specs) == 1


def test_data_and_sources_together_is_an_error(two_sources):
    swaps, genuine = two_sources
    config = _config({"data": str(genuine)})
    config.data = str(swaps)
    with pytest.raises(ValueError, match="either"):
        load_mix(config)


def test_max_caps_a_source_class_balanced(two_sources):
    swaps, genuine = two_sources
    mix = load_mix(_config({"data": str(swaps), "max": 40}, {"data": str(genuine), "max": 10}))
    swap_labels = [s.label for s in mix.samples if s.dataset == "swaps"]
    assert len(swap_labels) == 40 and sum(swap_labels) == 20
    assert sum(s.dataset == "genuine" for s in mix.samples) == 10


@pytest.mark.parametrize("held", ["genuine", "swapA"])
def test_hold_out_source_keeps_it_out_of_training_and_validation(two_sources, held):
    swaps, genuine = two_sources
    mix = load_mix(_config({"data": str(swaps)}, {"data": str(genuine)}, hold_out_source=held))
    is_held = np.array([held in (s.dataset, s.source) for s in mix.samples])
    assert set(mix.held_out_idx) == set(np.flatnonzero(is_held))
    assert not is_held[mix.train_idx].any() and not is_held[mix.val_idx].any()


def test_unknown_hold_out_source_is_an_error(two_sources):
    swaps, genuine = two_sources
    with pytest.raises(ValueError, match="matches no sample"):
        load_mix(_config({"data": str(swaps)}, {"data": str(genuine)}, hold_out_source="nope"))


def test_draw_weights_balance_classes_and_data_sets():
    samples = ([Sample(Path("a"), 0, None, "a", "big")] * 300
               + [Sample(Path("b"), 1, None, "b", "big")] * 100
               + [Sample(Path("c"), 0, None, "c", "genuine")] * 100)
    w = draw_weights(samples, {"big": 1.0, "genuine": 2.0}, real_share=0.6)
    labels = np.array([s.label for s in samples])
    assert w.sum() == pytest.approx(1.0)
    assert w[labels == 0].sum() == pytest.approx(0.6)
    # within REAL: big 300 x 1 against genuine 100 x 2
    assert w[:300].sum() / w[400:].sum() == pytest.approx(300 / 200)
    # a REAL-only data set draws no FAKE
    assert w[400:].min() > 0 and w[300:400].sum() == pytest.approx(0.4)


def test_regression_sample_is_fixed_and_covers_every_source(two_sources):
    swaps, genuine = two_sources
    config = _config({"data": str(swaps)}, {"data": str(genuine)})
    first = regression_sample(load_mix(config), per_source=6)
    again = regression_sample(load_mix(config), per_source=6)
    assert np.array_equal(first, again)
    mix = load_mix(config)
    assert set(first) <= set(mix.val_idx)
    assert {mix.samples[i].source for i in first} == {mix.samples[i].source
                                                      for i in mix.val_idx}


def _scored():
    """Two genuine sources (one scoring higher), one fake source, one small source."""
    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(100), np.zeros(100), np.ones(100), np.zeros(5)].astype(int)
    probs = np.r_[rng.uniform(0, 0.5, 100), rng.uniform(0.2, 0.8, 100),
                  rng.uniform(0.3, 1.0, 100), rng.uniform(0, 0.3, 5)]
    sources = np.array(["low"] * 100 + ["high"] * 100 + ["fakes"] * 100 + ["tiny"] * 5)
    datasets = np.array(["g"] * 200 + ["f"] * 100 + ["g"] * 5)
    return labels, probs, sources, datasets


def test_false_accusation_rule_holds_the_budget_on_every_genuine_source():
    labels, probs, sources, datasets = _scored()
    rule = false_accusation_rule(labels, probs, sources, datasets, max_false_fake_rate=0.03,
                                 max_false_real_rate=0.10, min_source_samples=20)
    assert rule.low <= rule.threshold <= rule.high
    for name in ("low", "high"):
        assert (probs[sources == name] >= rule.high).mean() <= 0.03
    assert rule.worst_real_source == "high"
    # the lowest such cut: one step lower would break the budget on the worst source
    # the lowest such cut: just above the 4th highest genuine score (3 of 100 may be above)
    assert rule.high == np.nextafter(np.sort(probs[sources == "high"])[-4], np.inf)
    assert (probs[sources == "fakes"] < rule.low).mean() <= 0.10
    # the 5-sample source counts within its data set, not on its own
    assert "tiny" not in rule.false_fake and "g (other)" in rule.false_fake


def test_false_accusation_rule_never_puts_real_above_fake():
    labels = np.r_[np.zeros(50), np.ones(50)].astype(int)
    probs = np.r_[np.linspace(0.5, 0.9, 50), np.linspace(0.1, 0.6, 50)]  # fakes score lower
    rule = false_accusation_rule(labels, probs, np.array(["r"] * 50 + ["f"] * 50),
                                 np.array(["d"] * 100))
    assert rule.low <= rule.high


def test_by_source_gives_exact_shares_at_the_served_rule():
    samples = ([Sample(Path("x"), 0, None, "s1", "d1")] * 4
               + [Sample(Path("y"), 1, None, "s1", "d1")] * 2
               + [Sample(Path("z"), 0, None, "s2", "d2")] * 5)
    probs = np.array([0.1, 0.5, 0.9, 0.95, 0.2, 0.8, 0.1, 0.1, 0.1, 0.5, 0.9])
    rule = DecisionRule(threshold=0.5, low=0.3, high=0.7)
    report = by_source(samples, np.arange(11), probs, rule)
    s1 = report["sources"]["s1"]
    assert s1["real_called_fake"] == pytest.approx(2 / 4)
    assert s1["real_uncertain"] == pytest.approx(1 / 4)
    assert s1["fake_called_real"] == pytest.approx(1 / 2)
    assert s1["fake_uncertain"] == 0.0
    s2 = report["sources"]["s2"]
    assert s2["real_called_fake"] == pytest.approx(1 / 5)
    assert s2["fake_called_real"] is None and s2["roc_auc"] != s2["roc_auc"]  # NaN
    pooled = report["pooled"]
    assert pooled["real"] == 9 and pooled["real_called_fake"] == pytest.approx(3 / 9)
    assert set(report["datasets"]) == {"d1", "d2"}
