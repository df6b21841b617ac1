"""Evaluation figures: confusion matrix, ROC curve, training curves, sample predictions."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_curve

from training.datasets import CLASS_NAMES


def plot_confusion_matrix(matrix: list[list[int]], path: Path, title: str) -> None:
    cm = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(4.2, 3.8), dpi=120)
    ax.imshow(cm, cmap="Blues")
    for (i, j), value in np.ndenumerate(cm):
        share = value / max(cm[i].sum(), 1)
        ax.text(
            j,
            i,
            f"{value}\n{share:.1%}",
            ha="center",
            va="center",
            color="white" if value > cm.max() / 2 else "black",
        )
    ax.set_xticks([0, 1], CLASS_NAMES)
    ax.set_yticks([0, 1], CLASS_NAMES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_roc(
    labels: np.ndarray,
    probs: np.ndarray,
    auc: float,
    path: Path,
    title: str,
    threshold: float | None = None,
) -> None:
    fpr, tpr, thresholds = roc_curve(labels, probs)
    fig, ax = plt.subplots(figsize=(4.2, 4.0), dpi=120)
    ax.plot(fpr, tpr, lw=2, label=f"ROC-AUC {auc:.4f}")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    if threshold is not None:
        i = int(np.argmin(np.abs(thresholds - threshold)))
        ax.plot(fpr[i], tpr[i], "o", color="crimson", label=f"threshold {threshold:.3f}")
    ax.set_xlabel("false-positive rate (real called fake)")
    ax.set_ylabel("true-positive rate (fake caught)")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def read_metrics_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def trained(metrics_csv: Path) -> bool:
    """Whether a run's metrics.csv has an epoch that trained (a finite training loss); a run
    with `epochs: 0` only validated its warm start."""
    return any(math.isfinite(r.get("train_loss", math.nan)) for r in read_metrics_csv(metrics_csv))


def plot_training_curves(metrics_csv: Path, path: Path, title: str) -> None:
    rows = read_metrics_csv(metrics_csv)
    epochs = [r["epoch"] + 1 for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), dpi=120)
    left.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train loss")
    left.plot(epochs, [r["val_loss"] for r in rows], "o-", label="val loss")
    left.set_xlabel("epoch")
    left.legend()
    right.plot(epochs, [r["val_accuracy"] for r in rows], "o-", label="val accuracy @0.5")
    right.plot(epochs, [r["val_roc_auc"] for r in rows], "o-", label="val ROC-AUC")
    right.set_xlabel("epoch")
    right.legend()
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_sample_grid(
    images: list[np.ndarray],
    labels: list[int],
    probs: list[float],
    threshold: float,
    path: Path,
    title: str,
    columns: int = 6,
) -> None:
    """Each image with its predicted class and FAKE score, framed green if right, red if wrong."""
    rows = max(1, int(np.ceil(len(images) / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.7, rows * 1.9), dpi=110)
    for ax in np.atleast_1d(axes).ravel():
        ax.axis("off")
    for ax, image, label, prob in zip(
        np.atleast_1d(axes).ravel(), images, labels, probs, strict=False
    ):
        predicted = int(prob >= threshold)
        ax.imshow(image)
        color = "green" if predicted == label else "crimson"
        ax.set_title(
            f"{CLASS_NAMES[predicted]} {prob:.2f}\n(true {CLASS_NAMES[label]})",
            fontsize=7,
            color=color,
        )
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color(color)
            spine.set_linewidth(3)
        ax.axis("on")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
