"""Tests for faceproof.verdict and faceproof.ensemble: verdicts with an abstain band."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from faceproof.ensemble import combine_decision_rules, ensemble_probability, ensemble_rule
from faceproof.verdict import DecisionRule, Verdict


def _config(threshold: float, low: float, high: float) -> SimpleNamespace:
    return SimpleNamespace(threshold=threshold, abstain_band=SimpleNamespace(low=low, high=high))


def test_band_boundaries() -> None:
    rule = DecisionRule(threshold=0.5, low=0.4, high=0.6)
    assert rule.decide(0.6) is Verdict.FAKE
    assert rule.decide(0.99) is Verdict.FAKE
    assert rule.decide(0.5999) is Verdict.UNCERTAIN
    assert rule.decide(0.5) is Verdict.UNCERTAIN
    assert rule.decide(0.4) is Verdict.UNCERTAIN
    assert rule.decide(0.3999) is Verdict.REAL
    assert rule.decide(0.0) is Verdict.REAL


def test_no_band_is_a_plain_threshold() -> None:
    rule = DecisionRule(threshold=0.7, low=0.7, high=0.7)
    assert rule.decide(0.7) is Verdict.FAKE
    assert rule.decide(0.6999) is Verdict.REAL
    grid = np.linspace(0, 1, 101)
    assert all(rule.decide(p) is not Verdict.UNCERTAIN for p in grid)


def test_default_rule_is_a_half_cut() -> None:
    rule = DecisionRule()
    assert rule.decide(0.5) is Verdict.FAKE
    assert rule.decide(0.49) is Verdict.REAL


@pytest.mark.parametrize(
    "args", [(0.5, 0.6, 0.4), (0.7, 0.4, 0.6), (0.3, 0.4, 0.6), (0.5, -0.1, 0.6), (0.5, 0.4, 1.1)]
)
def test_invalid_ordering(args: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match="low <= threshold <= high"):
        DecisionRule(*args)


def test_confidence_is_the_leaning_class() -> None:
    rule = DecisionRule()
    assert rule.confidence(0.8) == pytest.approx(0.8)
    assert rule.confidence(0.2) == pytest.approx(0.8)
    assert rule.confidence(0.5) == pytest.approx(0.5)


def test_explain() -> None:
    rule = DecisionRule(threshold=0.5, low=0.4, high=0.6)
    uncertain = rule.explain(0.45)
    assert "too close to call" in uncertain
    assert "between 40.0% and 60.0%" in uncertain
    assert "abstain band" not in uncertain and "[" not in uncertain  # plain words
    assert "45.0%" in uncertain
    assert "at or above 60.0%" in rule.explain(0.9)
    assert "below 40.0%" in rule.explain(0.1)


def test_from_config() -> None:
    rule = DecisionRule.from_config(_config(0.55, 0.3, 0.8))
    assert rule == DecisionRule(0.55, 0.3, 0.8)


def test_combine_decision_rules_takes_means() -> None:
    configs = [_config(0.4, 0.3, 0.45), _config(0.6, 0.5, 0.95)]
    threshold, low, high = combine_decision_rules(configs)
    assert (threshold, low, high) == pytest.approx((0.5, 0.4, 0.7))
    assert ensemble_rule(configs) == DecisionRule(*combine_decision_rules(configs))


def test_combine_needs_a_model() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine_decision_rules([])


def test_ensemble_probability_means_over_models() -> None:
    probs = np.array([[0.2, 0.4], [0.9, 0.7], [0.0, 1.0]])
    np.testing.assert_allclose(ensemble_probability(probs), [0.3, 0.8, 0.5])
    np.testing.assert_allclose(ensemble_probability([[0.1, 0.2, 0.6]]), [0.3])
    assert ensemble_probability(np.zeros((0, 2))).shape == (0,)
