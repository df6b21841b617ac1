"""The ensemble: a weighted mean of the models' calibrated FAKE probabilities.

By default every model weighs the same and the decision rule is the mean of the members'
rules. `models/ensemble.json`, written by `python -m training.ensemble`, replaces both with
weights, threshold and abstain band fitted on the validation split; it applies only when the
selected models are exactly its members.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faceproof.bundle import AbstainBand
from faceproof.errors import BundleError
from faceproof.verdict import DecisionRule

ENSEMBLE_FILE = "ensemble.json"


class EnsembleConfig(BaseModel):
    """The content of `ensemble.json`."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    weights: dict[str, float] = Field(description="member name -> weight (sums to 1)")
    threshold: float = Field(gt=0.0, lt=1.0)
    abstain_band: AbstainBand
    metrics: dict[str, Any] = {}
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def rule(self) -> DecisionRule:
        return DecisionRule(self.threshold, self.abstain_band.low, self.abstain_band.high)

    @property
    def weighted_members(self) -> list[str]:
        """The members with a positive weight: the only ones that move its probability."""
        return [name for name, weight in self.weights.items() if weight > 0]

    def applies_to(self, models: Sequence[str]) -> bool:
        """True when `models` are members and include every weighted one: then the fitted
        probability and rule hold exactly (a member at weight 0 changes nothing, run or not)."""
        chosen = set(models)
        return chosen <= set(self.weights) and set(self.weighted_members) <= chosen


def read_ensemble(models_dir: str | Path) -> EnsembleConfig | None:
    """`ensemble.json` of a models folder, or None when there is none."""
    path = Path(models_dir) / ENSEMBLE_FILE
    if not path.is_file():
        return None
    try:
        return EnsembleConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: invalid ensemble config: {exc}") from exc


def write_ensemble(config: EnsembleConfig, models_dir: str | Path) -> Path:
    path = Path(models_dir) / ENSEMBLE_FILE
    path.write_text(json.dumps(config.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    return path


def combine_decision_rules(configs: Sequence) -> tuple[float, float, float]:
    """(threshold, low, high) of an unweighted ensemble, from the members' `BundleConfig`s."""
    if not configs:
        raise ValueError("an ensemble needs at least one model")
    rules = [DecisionRule.from_config(c) for c in configs]
    return (
        float(np.mean([r.threshold for r in rules])),
        float(np.mean([r.low for r in rules])),
        float(np.mean([r.high for r in rules])),
    )


def ensemble_rule(configs: Sequence) -> DecisionRule:
    return DecisionRule(*combine_decision_rules(configs))


def ensemble_probability(
    probabilities: np.ndarray, weights: Sequence[float] | None = None
) -> np.ndarray:
    """(n_items, n_models) calibrated probabilities -> (n_items,) (weighted) mean."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if weights is None:
        return probabilities.mean(axis=-1)
    w = np.asarray(weights, dtype=np.float64)
    return probabilities @ (w / w.sum())


def member_weights(ensemble: EnsembleConfig | None, models: Sequence[str]) -> list[float] | None:
    """The fitted weights in `models` order when `ensemble` applies, else None (equal)."""
    if ensemble is None or not ensemble.applies_to(models):
        return None
    return [ensemble.weights[m] for m in models]
