"""Binary classification metrics on FAKE probabilities."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)


def equal_error_rate(labels: np.ndarray, probs: np.ndarray) -> float:
    """The error rate where false-positive and false-negative rates are equal."""
    fpr, tpr, _ = roc_curve(labels, probs)
    fnr = 1 - tpr
    i = int(np.nanargmin(np.abs(fnr - fpr)))
    return float((fpr[i] + fnr[i]) / 2)


def safe_auc(labels: np.ndarray, probs: np.ndarray) -> float:
    """ROC-AUC, or NaN when only one class is present."""
    return float(roc_auc_score(labels, probs)) if len(np.unique(labels)) == 2 else float("nan")


def binary_metrics(labels: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict:
    """Accuracy, precision, recall, F1 (FAKE is positive), ROC-AUC, EER and the confusion matrix."""
    labels = np.asarray(labels).astype(int)
    probs = np.asarray(probs, dtype=np.float64)
    preds = (probs >= threshold).astype(int)
    both = len(np.unique(labels)) == 2
    tn, fp, fn, tp = confusion_matrix(labels, preds, labels=[0, 1]).ravel()
    return {
        "samples": len(labels),
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(labels, preds)),
        "balanced_accuracy": float(((tp / max(tp + fn, 1)) + (tn / max(tn + fp, 1))) / 2),
        "precision": float(precision_score(labels, preds, zero_division=0)),
        "recall": float(recall_score(labels, preds, zero_division=0)),
        "f1": float(f1_score(labels, preds, zero_division=0)),
        "roc_auc": safe_auc(labels, probs),
        "eer": equal_error_rate(labels, probs) if both else float("nan"),
        "confusion_matrix": [[int(tn), int(fp)], [int(fn), int(tp)]],
    }
