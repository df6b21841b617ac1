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
    abstained: float  # share of validation samples inside the band
    decided_accuracy: float  # accuracy on the samples outside it


def abstain_band(
    labels: np.ndarray,
    probs: np.ndarray,
    threshold: float,
    *,
    target_accuracy: float = 0.95,
    max_fraction: float = 0.2,
) -> AbstainResult:
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
    cuts = np.flatnonzero(np.r_[True, ranked[1 : limit + 1] > ranked[:limit]])
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
        decided_accuracy=float(correct[kept].mean()) if kept.any() else float("nan"),
    )


@dataclass(frozen=True)
class FalseAccusationRule:
    """A decision rule fitted to a false-accusation budget, and what it does per source."""

    low: float  # REAL below it
    threshold: float  # the plain yes/no cut, inside [low, high]
    high: float  # FAKE at or above it
    false_fake: dict[str, float]  # per real-bearing source: genuine faces called FAKE
    false_real: dict[str, float]  # per fake-bearing source: fakes called REAL
    worst_real_source: str
    worst_fake_source: str


def calibration_groups(
    sources: np.ndarray, datasets: np.ndarray, labels: np.ndarray, label: int, min_samples: int
) -> dict[str, np.ndarray]:
    """Index arrays of the samples of `label` per source; a source with fewer than
    `min_samples` of them counts within its data set ("<dataset> (other)")."""
    groups: dict[str, list[int]] = {}
    idx = np.flatnonzero(labels == label)
    counts = {s: int((sources[idx] == s).sum()) for s in set(sources[idx].tolist())}
    for i in idx:
        name = sources[i] if counts[sources[i]] >= min_samples else f"{datasets[i]} (other)"
        groups.setdefault(str(name), []).append(int(i))
    return {k: np.array(v) for k, v in sorted(groups.items())}


def _cut_allowing(values: np.ndarray, rate: float) -> float:
    """A cut t with share(values >= t) <= rate, as far from the values beside it as it can be.

    The fewest values that must stay below t end at `top`; t lies halfway, in logit space,
    between `top` and the next larger value, so a score moved by rounding (float16 weights,
    another runtime, another BLAS) does not cross it. A cut just above `top` (the way it was
    placed before) let one genuine face of 135 flip to FAKE between two runs of the same
    weights. With no larger value (none may lie at or above t) t is just above `top`.
    """
    values = np.sort(np.asarray(values, dtype=np.float64))
    allowed = int(np.floor(rate * len(values) + 1e-9))  # this many may lie at or above t
    if allowed >= len(values):
        return 0.0
    top = values[len(values) - allowed - 1]  # the largest value that must stay below t
    larger = values[len(values) - allowed :]
    larger = larger[larger > top]  # a tie with top stays below t too
    just_above = float(np.nextafter(top, np.inf))
    if larger.size == 0:
        return just_above
    above = float(larger[0])
    cut = float(sigmoid((logit(top) + logit(above)) / 2))
    if not top < cut <= above:  # both clamped by logit near 0 or 1: halfway as they are
        cut = (top + above) / 2
    return cut if top < cut <= above else just_above  # neighbours one float apart


def false_accusation_rule(
    labels: np.ndarray,
    probs: np.ndarray,
    sources: np.ndarray,
    datasets: np.ndarray,
    *,
    max_false_fake_rate: float = 0.03,
    max_false_real_rate: float = 0.10,
    min_source_samples: int = 20,
) -> FalseAccusationRule:
    """The decision rule picked from a false-accusation budget.

    `high` (FAKE at or above it) is the lowest cut at which at most `max_false_fake_rate` of
    the genuine faces of every real-bearing source would be called FAKE: the worst source sets
    it. `low` (REAL below it) is the highest cut at which at most `max_false_real_rate` of
    the fakes of every fake-bearing source would be called REAL, but never above `high`;
    between them the verdict is UNCERTAIN. The plain threshold is the balanced-accuracy cut,
    clamped into the band.
    """
    labels = np.asarray(labels).astype(int)
    probs = np.asarray(probs, dtype=np.float64)
    sources, datasets = np.asarray(sources).astype(str), np.asarray(datasets).astype(str)
    real_groups = calibration_groups(sources, datasets, labels, 0, min_source_samples)
    fake_groups = calibration_groups(sources, datasets, labels, 1, min_source_samples)
    if not real_groups or not fake_groups:
        raise ValueError("calibration needs REAL and FAKE validation samples")
    cuts = {
        name: _cut_allowing(probs[idx], max_false_fake_rate) for name, idx in real_groups.items()
    }
    worst_real = max(cuts, key=cuts.get)
    high = float(min(max(cuts[worst_real], 1e-6), 1 - 1e-6))
    # highest t with share(fake < t) <= rate, i.e. the lowest cut of (-p) mirrored
    lows = {
        name: 1.0 - _cut_allowing(1.0 - probs[idx], max_false_real_rate)
        for name, idx in fake_groups.items()
    }
    worst_fake = min(lows, key=lows.get)
    low = float(min(max(lows[worst_fake], 0.0), high))
    threshold = float(np.clip(best_threshold(labels, probs), low, high))
    false_fake = {n: float((probs[i] >= high).mean()) for n, i in real_groups.items()}
    false_real = {n: float((probs[i] < low).mean()) for n, i in fake_groups.items()}
    return FalseAccusationRule(low, threshold, high, false_fake, false_real, worst_real, worst_fake)
