"""The ensemble: the mean of the models' calibrated FAKE probabilities, judged by the mean
of their decision rules (each rule was calibrated on the same validation split)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faceproof.verdict import DecisionRule


def combine_decision_rules(configs: Sequence) -> tuple[float, float, float]:
    """(threshold, low, high) of an ensemble of bundles, from their `BundleConfig`s."""
    if not configs:
        raise ValueError("an ensemble needs at least one model")
    rules = [DecisionRule.from_config(c) for c in configs]
    return (float(np.mean([r.threshold for r in rules])), float(np.mean([r.low for r in rules])),
            float(np.mean([r.high for r in rules])))


def ensemble_rule(configs: Sequence) -> DecisionRule:
    return DecisionRule(*combine_decision_rules(configs))


def ensemble_probability(probabilities: np.ndarray) -> np.ndarray:
    """(n_items, n_models) calibrated probabilities -> (n_items,) ensemble probability."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return probabilities.mean(axis=-1)
