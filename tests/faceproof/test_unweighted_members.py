"""A member the fitted ensemble gives weight 0 cannot change a probability or a verdict: it is
not run unless a call names it, and its runner starts only on that first call."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from faceproof.ensemble import AbstainBand, EnsembleConfig, write_ensemble
from faceproof.predictor import Predictor
from faceproof.runner_choice import NOT_STARTED, OnDemandRunner
from faceproof.verdict import Verdict

LITE_LOGIT, RESNET_LOGIT = 4.0, -2.0
P_LITE = 1 / (1 + math.exp(-LITE_LOGIT))
FITTED = (0.6, 0.2, 0.85)  # the ensemble's rule; the lite model's own rule says UNCERTAIN


@pytest.fixture(scope="module")
def models_dir(tiny_bundle_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("unweighted") / "models"
    tiny_bundle_dir(
        "lite",
        "efficientnet_lite0",
        32,
        parent=parent,
        logit=LITE_LOGIT,
        threshold=0.5,
        low=0.3,
        high=0.99,
    )
    tiny_bundle_dir("resnet", "resnet50", 32, parent=parent, logit=RESNET_LOGIT)
    threshold, low, high = FITTED
    write_ensemble(
        EnsembleConfig(
            weights={"lite": 1.0, "resnet": 0.0},
            threshold=threshold,
            abstain_band=AbstainBand(low=low, high=high),
        ),
        parent,
    )
    return parent


def test_the_rule_holds_with_or_without_a_member_at_weight_0() -> None:
    config = EnsembleConfig(
        weights={"a": 0.7, "b": 0.3, "c": 0.0},
        threshold=0.5,
        abstain_band=AbstainBand(low=0.4, high=0.6),
    )
    assert config.weighted_members == ["a", "b"]
    assert config.applies_to(["a", "b"]) and config.applies_to(["a", "b", "c"])
    assert not config.applies_to(["a"]) and not config.applies_to(["a", "c"])
    assert not config.applies_to(["a", "b", "d"])


@pytest.mark.parametrize("micro_batching", [False, True])
def test_a_member_at_weight_0_runs_only_when_named(
    models_dir: Path, astronaut: np.ndarray, micro_batching: bool
) -> None:
    predictor = Predictor.from_dir(models_dir, micro_batching=micro_batching)
    try:
        assert predictor.model_names == ["lite", "resnet"]
        assert predictor.default_models == ["lite"]
        lazy = predictor.runners["resnet"]
        assert isinstance(lazy, OnDemandRunner) and not lazy.started
        assert predictor.runtimes["resnet"] == NOT_STARTED
        assert predictor.runtimes["lite"] == "torch"

        alone = predictor.predict_image(astronaut)
        assert alone.models_used == ["lite"]
        # the fitted rule decides for its one weighted member alone, and says it is its own
        assert predictor.rule_owner(["lite"]) == "ensemble"
        assert (predictor.rule(["lite"]).low, predictor.rule(["lite"]).high) == FITTED[1:]
        assert predictor.rule_owner(["resnet"]) == "resnet"  # not the ensemble: its own rule
        assert predictor.rule(["resnet"]) == predictor.rules["resnet"]
        assert alone.fake_probability == pytest.approx(P_LITE, abs=1e-6)
        # the fitted rule decides (FAKE at 0.98 >= 0.85), not the model's own (band to 0.99)
        assert alone.verdict is Verdict.FAKE
        assert not lazy.started

        both = predictor.predict_image(astronaut, models=["lite", "resnet"])
        assert lazy.started and predictor.runtimes["resnet"] == "torch"
        assert both.models_used == ["lite", "resnet"]
        assert both.fake_probability == pytest.approx(alone.fake_probability, abs=1e-9)
        assert both.verdict is alone.verdict
        assert both.faces[0].model_probabilities["resnet"] < 0.5
    finally:
        predictor.close()


def test_run_unweighted_and_named_models_run_every_member(
    models_dir: Path, astronaut: np.ndarray
) -> None:
    every = Predictor.from_dir(models_dir, run_unweighted=True)
    assert every.default_models == ["lite", "resnet"]
    assert not isinstance(every.runners["resnet"], OnDemandRunner)
    assert every.predict_image(astronaut).models_used == ["lite", "resnet"]
    named = Predictor.from_dir(models_dir, ["lite", "resnet"])
    assert named.default_models == ["lite", "resnet"]
