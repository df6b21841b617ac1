"""Calibration on validation logits: temperature, decision threshold and abstain band."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import roc_curve


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of sigmoid(logits / T)."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)

    def nll(log_t: float) -> float:
        z = logits / np.exp(log_t)
        # log(1 + e^z) - y z, computed stably
        return float(np.mean(np.logaddexp(0, z) - labels * z))

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def best_threshold(labels: np.ndarray, probs: np.ndarray) -> float:
    """The probability threshold maximising balanced accuracy (Youden's J)."""
    fpr, tpr, thresholds = roc_curve(labels, probs)
    finite = np.isfinite(thresholds)
    j = (tpr - fpr)[finite]
    return float(np.clip(thresholds[finite][int(np.argmax(j))], 0.01, 0.99))


@dataclass(frozen=True)
class AbstainResult:
    low: float
    high: float
    abstained: float          # share of validation samples inside the band
    decided_accuracy: float   # accuracy on the samples outside it


def abstain_band(labels: np.ndarray, probs: np.ndarray, threshold: float, *,
                 target_accuracy: float = 0.95, max_fraction: float = 0.2) -> AbstainResult:
    """The narrowest band around `threshold` (symmetric in logit space) outside of which
    accuracy reaches `target_accuracy`, abstaining on at most `max_fraction` of samples.

    When the target cannot be met, the band abstains on `max_fraction` of the samples.
    """
    labels = np.asarray(labels).astype(int)
    probs = np.clip(np.asarray(probs, dtype=np.float64), 1e-9, 1 - 1e-9)
    centre = logit(threshold)
    distance = np.abs(np.log(probs / (1 - probs)) - centre)
    correct = (probs >= threshold).astype(int) == labels
    order = np.argsort(distance, kind="stable")  # least confident first
    # accuracy when abstaining on the k least confident samples, for every k
    correct_sorted = correct[order].astype(np.float64)
    kept_correct = np.cumsum(correct_sorted[::-1])[::-1]  # correct among order[k:]
    kept_count = np.arange(len(labels), 0, -1)
    accuracy_after = kept_correct / kept_count
    limit = min(int(max_fraction * len(labels)), len(labels) - 1)
    # a band edge cannot separate samples at the same distance, so only cut between distinct
    # ones: cutting inside a tie would abstain on all of it and overshoot max_fraction
    ranked = distance[order]
    cuts = np.flatnonzero(np.r_[True, ranked[1:limit + 1] > ranked[:limit]])
    reached = cuts[accuracy_after[cuts] >= target_accuracy]
    k = int(reached[0]) if len(reached) else int(cuts[-1])
    if k == 0:
        return AbstainResult(threshold, threshold, 0.0, float(correct.mean()))
    # the band reaches halfway to the first sample kept, so it holds exactly k samples
    inner = distance[order[k - 1]]
    outer = distance[order[k]] if k < len(labels) else inner
    width = float((inner + outer) / 2)
    kept = distance > width
    return AbstainResult(
        # clamp: float rounding must not put the threshold 1 ulp outside its own band
        low=min(float(sigmoid(centre - width)), threshold),
        high=max(float(sigmoid(centre + width)), threshold),
        abstained=float(1 - kept.mean()),
        decided_accuracy=float(correct[kept].mean()) if kept.any() else float("nan"))
