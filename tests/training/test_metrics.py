"""Tests for training.metrics: binary metrics on FAKE probabilities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.metrics import binary_metrics, equal_error_rate, safe_auc

LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1])
PROBS = np.array([0.1, 0.4, 0.6, 0.2, 0.9, 0.7, 0.3, 0.8])


def test_perfect_predictions() -> None:
    m = binary_metrics(LABELS, np.where(LABELS == 1, 0.9, 0.1))
    assert m["accuracy"] == 1.0
    assert m["balanced_accuracy"] == 1.0
    assert m["roc_auc"] == 1.0
    assert m["eer"] == 0.0
    assert m["f1"] == 1.0
    assert m["confusion_matrix"] == [[4, 0], [0, 4]]


def test_hand_computed_example() -> None:
    m = binary_metrics(LABELS, PROBS)
    # predictions at 0.5: [0 0 1 0 | 1 1 0 1] -> TN 3, FP 1, FN 1, TP 3
    assert m["confusion_matrix"] == [[3, 1], [1, 3]]
    assert m["samples"] == 8
    assert m["accuracy"] == pytest.approx(6 / 8)
    assert m["precision"] == pytest.approx(3 / 4)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(3 / 4)
    assert m["roc_auc"] == pytest.approx(14 / 16)  # 14 of 16 (fake, real) pairs ranked right


def test_threshold_moves_the_decisions() -> None:
    m = binary_metrics(LABELS, PROBS, threshold=0.35)
    # 0.4 becomes FAKE too: TN 2, FP 2, FN 1, TP 3
    assert m["threshold"] == 0.35
    assert m["confusion_matrix"] == [[2, 2], [1, 3]]
    assert m["precision"] == pytest.approx(3 / 5)
    assert m["balanced_accuracy"] == pytest.approx((3 / 4 + 2 / 4) / 2)
    assert m["roc_auc"] == pytest.approx(14 / 16)  # ranking metrics ignore the threshold


def test_equal_error_rate_of_an_overlapping_example() -> None:
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    probs = np.array([0.1, 0.2, 0.3, 0.6, 0.4, 0.7, 0.8, 0.9])
    # threshold 0.6: one real of four flagged, one fake of four missed
    assert equal_error_rate(labels, probs) == pytest.approx(0.25)


def test_single_class_gives_nan_auc_without_crashing() -> None:
    labels = np.ones(5, dtype=int)
    m = binary_metrics(labels, np.array([0.2, 0.6, 0.7, 0.9, 0.4]))
    assert math.isnan(m["roc_auc"])
    assert math.isnan(m["eer"])
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"] == [[0, 0], [2, 3]]
    assert math.isnan(safe_auc(np.zeros(3), np.array([0.1, 0.5, 0.9])))
