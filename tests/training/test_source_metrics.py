"""Tests for training.source_metrics: the served rule's outcomes per source and pooled."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from faceproof.verdict import DecisionRule
from training.datasets import Sample
from training.source_metrics import by_source, rule_figures, worst_false_fake

RULE = DecisionRule(threshold=0.5, low=0.3, high=0.7)  # REAL < 0.3 <= UNCERTAIN < 0.7 <= FAKE


def _s(label: int, source: str, dataset: str) -> Sample:
    return Sample(Path(f"{dataset}/{source}"), label, None, source, dataset)


@pytest.fixture
def scored() -> tuple[list[Sample], np.ndarray, np.ndarray]:
    """Hand-scored samples of two data sets; a sample outside the scored indices; edges at
    exactly `low` (UNCERTAIN) and `high` (FAKE)."""
    rows = [
        # swaps/swapA: 4 REAL, 4 FAKE
        (_s(0, "swapA", "swaps"), 0.10),  # REAL
        (_s(0, "swapA", "swaps"), 0.30),  # at low: UNCERTAIN
        (_s(0, "swapA", "swaps"), 0.70),  # at high: FAKE (a false accusation)
        (_s(0, "swapA", "swaps"), 0.20),  # REAL
        (_s(1, "swapA", "swaps"), 0.90),  # FAKE
        (_s(1, "swapA", "swaps"), 0.69),  # UNCERTAIN
        (_s(1, "swapA", "swaps"), 0.05),  # called REAL
        (_s(1, "swapA", "swaps"), 0.99),  # FAKE
        # swaps/swapB: FAKE only
        (_s(1, "swapB", "swaps"), 0.80),
        (_s(1, "swapB", "swaps"), 0.50),  # UNCERTAIN
        # genuine/genuine: REAL only (no source column: the source is the data set)
        (_s(0, "genuine", "genuine"), 0.10),
        (_s(0, "genuine", "genuine"), 0.75),  # FAKE
        (_s(0, "genuine", "genuine"), 0.29),
        (_s(0, "genuine", "genuine"), 0.40),  # UNCERTAIN
        (_s(0, "genuine", "genuine"), 0.00),
    ]
    samples = [s for s, _ in rows] + [_s(0, "unscored", "genuine")]
    probs = np.array([p for _, p in rows])
    return samples, np.arange(len(rows)), probs


def test_exact_shares_per_source(scored) -> None:
    samples, idx, probs = scored
    report = by_source(samples, idx, probs, RULE)
    assert set(report) == {"pooled", "datasets", "sources"}
    assert list(report["sources"]) == ["genuine", "swapA", "swapB"]
    a = report["sources"]["swapA"]
    assert (a["samples"], a["real"], a["fake"], a["dataset"]) == (8, 4, 4, "swaps")
    assert a["real_called_fake"] == 1 / 4 and a["real_uncertain"] == 1 / 4
    assert a["fake_called_real"] == 1 / 4 and a["fake_uncertain"] == 1 / 4
    assert a["decided_accuracy"] == pytest.approx(4 / 6)  # 2 REAL + 2 FAKE right of 6
    b = report["sources"]["swapB"]
    assert b["real_called_fake"] is None and b["real_uncertain"] is None
    assert b["fake_called_real"] == 0.0 and b["fake_uncertain"] == 1 / 2
    g = report["sources"]["genuine"]
    assert (g["real"], g["fake"], g["dataset"]) == (5, 0, "genuine")
    assert g["real_called_fake"] == 1 / 5 and g["real_uncertain"] == 1 / 5
    assert g["fake_called_real"] is None and g["fake_uncertain"] is None
    assert g["decided_accuracy"] == pytest.approx(3 / 4)


def test_one_class_sources_have_nan_auc(scored) -> None:
    samples, idx, probs = scored
    report = by_source(samples, idx, probs, RULE)
    assert math.isnan(report["sources"]["genuine"]["roc_auc"])
    assert math.isnan(report["sources"]["swapB"]["roc_auc"])
    assert math.isnan(report["datasets"]["genuine"]["roc_auc"])
    # swapA: of the 16 REAL/FAKE pairs, the FAKE scores higher in 11
    assert report["sources"]["swapA"]["roc_auc"] == pytest.approx(11 / 16)


def test_pooled_and_per_data_set(scored) -> None:
    samples, idx, probs = scored
    report = by_source(samples, idx, probs, RULE)
    pooled = report["pooled"]
    assert (pooled["samples"], pooled["real"], pooled["fake"]) == (15, 9, 6)
    assert pooled["real_called_fake"] == pytest.approx(2 / 9)
    assert pooled["real_uncertain"] == pytest.approx(2 / 9)
    assert pooled["fake_called_real"] == pytest.approx(1 / 6)
    assert pooled["fake_uncertain"] == pytest.approx(2 / 6)
    swaps = report["datasets"]["swaps"]
    assert (swaps["real"], swaps["fake"]) == (4, 6)
    assert swaps["fake_uncertain"] == pytest.approx(2 / 6)
    assert "dataset" not in swaps and "unscored" not in report["sources"]


def test_by_source_follows_the_indices(scored) -> None:
    samples, _, probs = scored
    pick = np.array([10, 11, 2])  # two genuine, one swapA, in any order
    report = by_source(samples, pick, probs[pick], RULE)
    assert report["sources"]["genuine"]["real_called_fake"] == 1 / 2
    assert report["sources"]["swapA"]["real_called_fake"] == 1.0


def test_rule_figures_on_nothing_decided() -> None:
    figures = rule_figures(np.array([0, 1]), np.array([0.4, 0.6]), RULE)
    assert figures["decided_accuracy"] is None
    assert figures["real_uncertain"] == figures["fake_uncertain"] == 1.0
    assert figures["roc_auc"] == 1.0


def test_worst_false_fake_needs_enough_genuine_faces(scored) -> None:
    samples, idx, probs = scored
    report = by_source(samples, idx, probs, RULE)
    assert worst_false_fake(report, min_real=1) == ("swapA", 1 / 4)
    assert worst_false_fake(report, min_real=5) == ("genuine", 1 / 5)
    name, rate = worst_false_fake(report, min_real=6)
    assert name == "" and math.isnan(rate)
