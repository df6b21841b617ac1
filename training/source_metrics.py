"""Figures per source: what a model does on each data set and finer source, and pooled.

For every group of samples: counts, ROC-AUC (where both classes are present) and what the
served rule does — the share of genuine faces called FAKE (the false accusation a journalist
fears most) and UNCERTAIN, and the share of fakes called REAL and UNCERTAIN.
"""

from __future__ import annotations

import numpy as np

from faceproof.verdict import VERDICT_LEVELS, DecisionRule, Verdict
from training.datasets import Sample
from training.metrics import safe_auc


def rule_figures(labels: np.ndarray, probs: np.ndarray, rule: DecisionRule) -> dict:
    """Counts, ROC-AUC and the served rule's outcomes on one group of samples."""
    labels = np.asarray(labels).astype(int)
    probs = np.asarray(probs, dtype=np.float64)
    levels = rule.levels(probs)
    real_call, unsure, fake_call = (
        levels == VERDICT_LEVELS.index(v) for v in (Verdict.REAL, Verdict.UNCERTAIN, Verdict.FAKE)
    )
    real, fake = labels == 0, labels == 1
    share = lambda mask, of: float(mask[of].mean()) if of.any() else None  # noqa: E731
    decided = ~unsure
    correct = (fake_call & fake) | (real_call & real)
    return {
        "samples": len(labels),
        "real": int(real.sum()),
        "fake": int(fake.sum()),
        "roc_auc": safe_auc(labels, probs) if len(labels) else float("nan"),
        "real_called_fake": share(fake_call, real),
        "real_uncertain": share(unsure, real),
        "fake_called_real": share(real_call, fake),
        "fake_uncertain": share(unsure, fake),
        "decided_accuracy": float(correct[decided].mean()) if decided.any() else None,
    }


def by_source(
    samples: list[Sample], indices: np.ndarray, probs: np.ndarray, rule: DecisionRule
) -> dict:
    """{"pooled": ..., "datasets": {name: ...}, "sources": {name: ...}} for
    `samples[indices]` scored `probs` (aligned with `indices`)."""
    labels = np.array([samples[i].label for i in indices])
    datasets = np.array([samples[i].dataset for i in indices])
    sources = np.array([samples[i].source or samples[i].dataset for i in indices])
    out: dict = {"pooled": rule_figures(labels, probs, rule), "datasets": {}, "sources": {}}
    for key, names in (("datasets", datasets), ("sources", sources)):
        for name in sorted(set(names.tolist())):
            mask = names == name
            figures = rule_figures(labels[mask], probs[mask], rule)
            if key == "sources":
                figures["dataset"] = str(datasets[mask][0])
            out[key][name] = figures
    return out


def worst_false_fake(report: dict, min_real: int = 20) -> tuple[str, float]:
    """The source (with at least `min_real` genuine faces) whose genuine faces are called
    FAKE most often, and that share."""
    rates = {
        name: f["real_called_fake"]
        for name, f in report["sources"].items()
        if f["real"] >= min_real and f["real_called_fake"] is not None
    }
    if not rates:
        return "", float("nan")
    name = max(rates, key=rates.get)
    return name, rates[name]
