"""Tests for training.calibrate: temperature scaling, decision threshold, abstain band."""

from __future__ import annotations

import numpy as np
import pytest

from training.calibrate import abstain_band, best_threshold, fit_temperature, sigmoid


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
def test_abstain_band_reaches_the_target_within_the_budget(target: float,
                                                           max_fraction: float) -> None:
    labels, probs = _noisy()
    threshold = 0.5
    assert ((probs >= threshold) == labels).mean() < target  # abstaining is needed
    band = abstain_band(labels, probs, threshold, target_accuracy=target,
                        max_fraction=max_fraction)
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
