"""Tests for training.calibrate: temperature scaling, decision threshold, abstain band."""

from __future__ import annotations

import numpy as np
import pytest

from training.calibrate import (
    _cut_allowing,
    abstain_band,
    best_threshold,
    calibration_groups,
    false_accusation_rule,
    fit_temperature,
    sigmoid,
)


def _noisy(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities from well-separated but overlapping logit distributions."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    logits = rng.normal(np.where(labels == 1, 2.0, -2.0), 1.5)
    return labels, sigmoid(logits)


@pytest.mark.parametrize("true_temperature", [0.5, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_temperature: float) -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(0.0, 4.0, 20000)
    labels = (rng.random(z.size) < sigmoid(z / true_temperature)).astype(int)
    assert fit_temperature(z, labels) == pytest.approx(true_temperature, rel=0.1)


def test_best_threshold_separates_separable_classes() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    probs = np.array([0.05, 0.2, 0.3, 0.6, 0.8, 0.95])
    threshold = best_threshold(labels, probs)
    assert 0.3 < threshold <= 0.6
    assert np.all((probs >= threshold) == labels.astype(bool))


def test_best_threshold_follows_shifted_scores() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    probs = np.array([0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
    assert 0.8 < best_threshold(labels, probs) <= 0.85


@pytest.mark.parametrize(("target", "max_fraction"), [(0.95, 0.3), (0.97, 0.4), (0.92, 0.2)])
def test_abstain_band_reaches_the_target_within_the_budget(
    target: float, max_fraction: float
) -> None:
    labels, probs = _noisy()
    threshold = 0.5
    assert ((probs >= threshold) == labels).mean() < target  # abstaining is needed
    band = abstain_band(labels, probs, threshold, target_accuracy=target, max_fraction=max_fraction)
    assert band.low < threshold < band.high
    assert 0 < band.abstained <= max_fraction
    decided = (probs < band.low) | (probs > band.high)
    assert band.abstained == pytest.approx(1 - decided.mean())
    accuracy = ((probs[decided] >= threshold) == labels[decided]).mean()
    assert accuracy >= target
    assert band.decided_accuracy == pytest.approx(accuracy)


def test_abstain_band_is_the_narrowest_that_reaches_the_target() -> None:
    labels, probs = _noisy()
    band = abstain_band(labels, probs, 0.5, target_accuracy=0.95, max_fraction=0.3)
    narrower = abstain_band(labels, probs, 0.5, target_accuracy=0.94, max_fraction=0.3)
    assert narrower.abstained < band.abstained
    assert narrower.low > band.low and narrower.high < band.high


def test_abstain_band_stops_at_max_fraction_when_the_target_is_out_of_reach() -> None:
    labels, probs = _noisy()
    band = abstain_band(labels, probs, 0.5, target_accuracy=0.999, max_fraction=0.1)
    assert band.abstained == pytest.approx(0.1, abs=1 / len(labels))
    assert band.low < 0.5 < band.high


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_abstain_band_is_empty_for_separable_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], 50)
    probs = np.where(labels == 1, rng.uniform(0.6, 0.99, 100), rng.uniform(0.01, 0.4, 100))
    threshold = best_threshold(labels, probs)  # a sample's own probability
    band = abstain_band(labels, probs, threshold)
    assert band.low == band.high == threshold
    assert band.abstained == 0.0
    assert band.decided_accuracy == 1.0


def test_abstain_band_never_exceeds_max_fraction_with_tied_probabilities() -> None:
    # 30 % of the samples share one probability just above the threshold, half of them
    # wrong: a band edge cannot split them, so the band must leave them all out
    labels = np.r_[np.zeros(35), np.ones(35), np.tile([0, 1], 15)].astype(int)
    probs = np.r_[np.full(35, 0.05), np.full(35, 0.95), np.full(30, 0.55)]
    band = abstain_band(labels, probs, 0.5, target_accuracy=0.95, max_fraction=0.2)
    assert band.abstained <= 0.2
    decided = (probs < band.low) | (probs > band.high)
    assert band.abstained == pytest.approx(1 - decided.mean())
    assert band.low <= 0.5 <= band.high


# --------------------------------------------------------------------------- false accusation
def _validation(seed: int = 0) -> dict[str, np.ndarray]:
    """Validation scores of two data sets: `swaps` (genuine `swap_real` scoring low, fakes of
    `swapA` scoring high, of `swapB` lower) and `genuine` (REAL only: `ffhq` scoring low,
    `phone` higher, and two small sources `tinyA`, `tinyB` of 8 faces each)."""
    rng = np.random.default_rng(seed)
    parts = [  # (dataset, source, label, n, low, high)
        ("swaps", "swap_real", 0, 200, 0.00, 0.55),
        ("swaps", "swapA", 1, 150, 0.40, 1.00),
        ("swaps", "swapB", 1, 100, 0.20, 0.90),
        ("genuine", "ffhq", 0, 150, 0.00, 0.40),
        ("genuine", "phone", 0, 100, 0.10, 0.80),
        ("genuine", "tinyA", 0, 8, 0.00, 0.30),
        ("genuine", "tinyB", 0, 8, 0.00, 0.50),
    ]
    cols = {k: [] for k in ("datasets", "sources", "labels", "probs")}
    for dataset, source, label, n, lo, hi in parts:
        cols["datasets"] += [dataset] * n
        cols["sources"] += [source] * n
        cols["labels"] += [label] * n
        cols["probs"] += list(rng.uniform(lo, hi, n))
    return {k: np.array(v) for k, v in cols.items()}


def _rule(v: dict[str, np.ndarray], **kwargs):
    return false_accusation_rule(v["labels"], v["probs"], v["sources"], v["datasets"], **kwargs)


@pytest.mark.parametrize("budget", [0.01, 0.03, 0.1])
def test_false_accusation_rule_holds_the_budget_in_every_real_source(budget: float) -> None:
    v = _validation()
    rule = _rule(v, max_false_fake_rate=budget, max_false_real_rate=0.10)
    assert 0 < rule.low <= rule.threshold <= rule.high < 1
    real = v["labels"] == 0
    for source in ("swap_real", "ffhq", "phone"):
        rate = (v["probs"][real & (v["sources"] == source)] >= rule.high).mean()
        assert rate <= budget, source
        assert rule.false_fake[source] == pytest.approx(rate)
    # `phone` scores highest among the genuine faces: it sets `high`, between the face that
    # must stay below and the next (floor(budget * 100) faces may lie at or above it)
    assert rule.worst_real_source == "phone"
    phone = np.sort(v["probs"][real & (v["sources"] == "phone")])
    allowed = int(np.floor(budget * len(phone) + 1e-9))
    assert phone[len(phone) - allowed - 1] < rule.high < phone[len(phone) - allowed]
    assert (phone >= rule.high).sum() == allowed
    # pooled, the genuine faces would allow a lower `high`: the worst source decides
    pooled = np.sort(v["probs"][real & (v["sources"] != "phone")])
    assert rule.high > pooled[len(pooled) - int(budget * len(pooled)) - 1]


def test_false_accusation_rule_holds_the_false_real_budget_per_fake_source() -> None:
    v = _validation()
    rule = _rule(v, max_false_fake_rate=0.03, max_false_real_rate=0.10)
    fake = v["labels"] == 1
    assert set(rule.false_real) == {"swapA", "swapB"}
    for source in ("swapA", "swapB"):
        rate = (v["probs"][fake & (v["sources"] == source)] < rule.low).mean()
        assert rate <= 0.10 and rule.false_real[source] == pytest.approx(rate)
    # `swapB` scores lower: it sets `low`, at the highest cut with 10 of 100 below it
    assert rule.worst_fake_source == "swapB"
    swap_b = np.sort(v["probs"][fake & (v["sources"] == "swapB")])
    assert (swap_b < rule.low).sum() == 10
    assert swap_b[9] < rule.low < swap_b[10]  # between the 10th and 11th lowest fakes


def test_small_sources_count_within_their_data_set() -> None:
    v = _validation()
    rule = _rule(v, min_source_samples=20)
    assert "tinyA" not in rule.false_fake and "tinyB" not in rule.false_fake
    assert "genuine (other)" in rule.false_fake
    small = (v["labels"] == 0) & np.isin(v["sources"], ["tinyA", "tinyB"])
    assert rule.false_fake["genuine (other)"] == pytest.approx(
        (v["probs"][small] >= rule.high).mean()
    )
    assert set(rule.false_fake) == {"swap_real", "ffhq", "phone", "genuine (other)"}
    # with a lower minimum each counts on its own
    alone = _rule(v, min_source_samples=5)
    assert {"tinyA", "tinyB"} <= set(alone.false_fake)


def test_calibration_groups_pool_small_sources_per_label() -> None:
    sources = np.array(["a"] * 5 + ["b"] * 2 + ["c"] * 2 + ["a"] * 2)
    datasets = np.array(["d1"] * 5 + ["d1"] * 2 + ["d2"] * 2 + ["d1"] * 2)
    labels = np.array([0] * 9 + [1] * 2)
    groups = calibration_groups(sources, datasets, labels, 0, min_samples=3)
    assert {k: v.tolist() for k, v in groups.items()} == {
        "a": [0, 1, 2, 3, 4],
        "d1 (other)": [5, 6],
        "d2 (other)": [7, 8],
    }
    # counted per label: the two FAKE rows of `a` are too few on their own
    fakes = calibration_groups(sources, datasets, labels, 1, min_samples=3)
    assert {k: v.tolist() for k, v in fakes.items()} == {"d1 (other)": [9, 10]}


def test_cut_allowing() -> None:
    values = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert _cut_allowing(values, 0.0) == np.nextafter(1.0, np.inf)
    # 0.9 and 1.0 may lie above: the cut is halfway between 0.8 and 0.9 in logit space
    halfway = float(sigmoid((np.log(0.8 / 0.2) + np.log(0.9 / 0.1)) / 2))
    assert _cut_allowing(values, 0.2) == pytest.approx(halfway)
    assert 0.8 < halfway < 0.9
    assert _cut_allowing(values, 0.25) == pytest.approx(halfway)
    assert _cut_allowing(values, 1.0) == 0.0
    ties = np.array([0.5] * 5 + [0.1] * 5)
    assert (ties >= _cut_allowing(ties, 0.3)).mean() == 0.0  # a tie cannot be split
    # a tie at the boundary stays below; the cut goes halfway to the next larger value
    tied_top = np.array([0.2, 0.6, 0.6, 0.7, 0.9])
    cut = _cut_allowing(tied_top, 0.2)
    assert 0.7 < cut < 0.9 and (tied_top >= cut).sum() == 1
    # values at the ends of (0, 1), where logit clamps, still get a cut between them
    near_one = np.array([0.5, 1 - 1e-9, 1 - 1e-12])
    cut = _cut_allowing(near_one, 0.34)
    assert 1 - 1e-9 < cut <= 1 - 1e-12


def test_the_cut_keeps_its_distance_from_the_scores_beside_it() -> None:
    """Scores that move by rounding (float16 weights, another runtime) do not cross the cut:
    it lies well inside the gap between its neighbours, not one float above a genuine face."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        values = np.sort(sigmoid(rng.normal(0.0, 2.0, 135)))
        cut = _cut_allowing(values, 0.03)  # 4 of 135 may lie above
        below, above = values[-5], values[-4]
        assert below < cut < above
        assert min(cut - below, above - cut) > 0.2 * (above - below)
        moved = values + np.clip(rng.normal(0.0, 1.0, values.size), -1, 1) * 0.1 * (above - below)
        assert (moved >= cut).sum() == 4


def test_false_accusation_rule_needs_both_classes_and_keeps_low_below_high() -> None:
    with pytest.raises(ValueError, match="REAL and FAKE"):
        false_accusation_rule(
            np.zeros(30), np.linspace(0, 1, 30), np.array(["s"] * 30), np.array(["d"] * 30)
        )
    # fakes score lower than genuine faces: the band collapses, low never above high
    labels = np.r_[np.zeros(50), np.ones(50)].astype(int)
    probs = np.r_[np.linspace(0.5, 0.9, 50), np.linspace(0.1, 0.6, 50)]
    rule = false_accusation_rule(
        labels, probs, np.array(["r"] * 50 + ["f"] * 50), np.array(["d"] * 100)
    )
    assert rule.low <= rule.threshold <= rule.high
