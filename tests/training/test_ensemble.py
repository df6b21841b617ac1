"""Fitting the ensemble: weights on the simplex, no worse than the best member."""

from __future__ import annotations

import numpy as np
import pytest

from faceproof.ensemble import EnsembleConfig, read_ensemble, write_ensemble
from faceproof.predictor import Predictor
from training.ensemble import fit_ensemble, fit_weights, weight_grid


def test_weight_grid_is_the_simplex() -> None:
    grid = weight_grid(3, 0.25)
    assert all(abs(sum(w) - 1) < 1e-9 and min(w) >= 0 for w in grid)
    assert len(grid) == 15  # compositions of 4 into 3 parts
    assert weight_grid(2, 0.5) == [(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)]


def test_a_useless_member_gets_little_weight() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 2000)
    good = np.clip(labels * 0.5 + 0.25 + rng.normal(0, 0.2, 2000), 0.01, 0.99)
    noise = rng.uniform(0.01, 0.99, 2000)
    weights = fit_weights(np.stack([good, noise], axis=1), labels)
    assert weights[0] >= 0.8


def test_fitted_ensemble_is_at_least_as_good_as_its_best_member() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 3000)
    a = np.clip(labels * 0.4 + 0.3 + rng.normal(0, 0.25, 3000), 0.01, 0.99)
    b = np.clip(labels * 0.2 + 0.4 + rng.normal(0, 0.25, 3000), 0.01, 0.99)
    config = fit_ensemble(np.stack([a, b], axis=1), labels, ["a", "b"])
    m = config.metrics
    assert m["roc_auc"] >= max(m["members_roc_auc"].values()) - 1e-9
    assert config.abstain_band.low <= config.threshold <= config.abstain_band.high
    assert sum(config.weights.values()) == pytest.approx(1.0)


def test_predictor_uses_ensemble_json(tiny_bundle_dir, tmp_path) -> None:
    parent = tmp_path / "models"
    tiny_bundle_dir("a", parent=parent, logit=2.0)
    tiny_bundle_dir("b", parent=parent, logit=-2.0)
    write_ensemble(
        EnsembleConfig(
            weights={"a": 0.75, "b": 0.25}, threshold=0.6, abstain_band={"low": 0.55, "high": 0.65}
        ),
        parent,
    )
    assert read_ensemble(parent).weights == {"a": 0.75, "b": 0.25}
    predictor = Predictor.from_dir(parent)
    crop = np.full((64, 64, 3), 120, np.uint8)
    probs = predictor.score_crops([crop])
    combined = predictor.combine(probs, ["a", "b"])[0]
    assert combined == pytest.approx(0.75 * probs[0, 0] + 0.25 * probs[0, 1])
    assert predictor.rule(["a", "b"]).threshold == 0.6
    # a different selection falls back to equal weights and the mean rule
    assert predictor.rule(["a"]).threshold != 0.6


def test_a_member_near_one_half_cannot_buy_weight_with_a_noise_gain() -> None:
    # a member whose probabilities barely move from 0.5 changes the mean's ranking only
    # slightly: whatever tiny AUC that buys, the best member alone is used
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 3000)
    good = np.clip(labels * 0.3 + 0.35 + rng.normal(0, 0.25, 3000), 0.01, 0.99)
    flat = 0.5 + rng.normal(0, 0.001, 3000)
    assert fit_weights(np.stack([good, flat], axis=1), labels) == (1.0, 0.0)
    assert fit_weights(np.stack([flat, good], axis=1), labels) == (0.0, 1.0)
