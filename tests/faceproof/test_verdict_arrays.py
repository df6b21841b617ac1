"""Tests for DecisionRule's array forms (levels, verdicts, decided, predictions): the same
answers as the scalar `decide` the service uses, on random probabilities and at the band's
edges; and the rule as a bundle stores it (`BundleConfig.rule`, `rule_fields`)."""

from __future__ import annotations

import numpy as np
import pytest

from faceproof.bundle import AbstainBand, BundleConfig, rule_fields
from faceproof.verdict import VERDICT_LEVELS, DecisionRule, Verdict

RULES = [
    DecisionRule(0.5, 0.4, 0.6),
    DecisionRule(0.7, 0.7, 0.7),
    DecisionRule(),
    DecisionRule(0.31, 0.12, 0.93),
    DecisionRule(0.0, 0.0, 0.0),
    DecisionRule(1.0, 1.0, 1.0),
    DecisionRule(0.2, 0.2, 0.8),
]


def _probabilities(rule: DecisionRule, seed: int) -> np.ndarray:
    """Random probabilities, the band's edges and threshold, their float64 and float32
    neighbours, and 0 and 1."""
    rng = np.random.default_rng(seed)
    edges = []
    for cut in (rule.low, rule.threshold, rule.high):
        edges += [
            cut,
            np.nextafter(cut, 0.0),
            np.nextafter(cut, 1.0),
            float(np.float32(cut)),
            float(np.nextafter(np.float32(cut), np.float32(0))),
            float(np.nextafter(np.float32(cut), np.float32(1))),
        ]
    return np.concatenate([rng.random(500), edges, [0.0, 1.0]])


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_array_forms_agree_with_the_scalar_verdict(rule: DecisionRule) -> None:
    probs = _probabilities(rule, seed=len(str(rule)))
    scalar = [rule.decide(float(p)) for p in probs]
    assert rule.verdicts(probs).tolist() == [v.value for v in scalar]
    assert rule.levels(probs).tolist() == [VERDICT_LEVELS.index(v) for v in scalar]
    assert rule.decided(probs).tolist() == [v is not Verdict.UNCERTAIN for v in scalar]
    assert rule.predictions(probs).tolist() == [int(float(p) >= rule.threshold) for p in probs]


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_float32_scores_are_decided_as_the_service_decides_their_float(rule) -> None:
    """The models output float32; the service decides `float(p)`. The array forms must not
    compare in float32 (where a cut rounds onto its neighbour)."""
    probs = _probabilities(rule, seed=1).astype(np.float32)
    assert rule.verdicts(probs).tolist() == [rule.decide(float(p)).value for p in probs]
    assert rule.predictions(probs).tolist() == [int(float(p) >= rule.threshold) for p in probs]


def test_edges_fall_where_the_rule_says() -> None:
    rule = DecisionRule(0.5, 0.4, 0.6)
    probs = [0.0, np.nextafter(0.4, 0), 0.4, 0.5, np.nextafter(0.6, 0), 0.6, 1.0]
    assert rule.verdicts(probs).tolist() == [
        "REAL",
        "REAL",
        "UNCERTAIN",
        "UNCERTAIN",
        "UNCERTAIN",
        "FAKE",
        "FAKE",
    ]
    assert rule.predictions(probs).tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert rule.verdicts(np.zeros(0)).shape == (0,)


def test_nan_is_uncertain_in_both_forms() -> None:
    rule = DecisionRule(0.5, 0.4, 0.6)
    assert rule.decide(float("nan")) is Verdict.UNCERTAIN
    assert rule.verdicts([float("nan")]).tolist() == ["UNCERTAIN"]


def test_a_bundle_stores_and_returns_the_rule() -> None:
    rule = DecisionRule(0.55, 0.3, 0.8)
    config = BundleConfig(
        name="x", arch="efficientnet_lite0", input_size=32, mean=[0.5] * 3, std=[0.5] * 3
    )
    stored = config.model_copy(update=rule_fields(rule))
    assert stored.threshold == 0.55 and stored.abstain_band == AbstainBand(low=0.3, high=0.8)
    assert stored.rule == rule
    assert BundleConfig.model_validate_json(stored.model_dump_json()).rule == rule
