"""Tiny real model bundles with constant outputs, for the end-to-end tests and for trying
the web app without a trained model.

    python tests/e2e/make_bundles.py /tmp/fp-models

`fake_a` and `fake_b` score every face FAKE (logits 4 and 2), `real_c` scores it REAL
(logit -3); all three together give FAKE. Each has a model card and report figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# (name, constant logit): sigmoid gives 0.982, 0.881 and 0.047
MODELS = (("fake_a", 4.0), ("fake_b", 2.0), ("real_c", -3.0))
INPUT_SIZE = 32  # tiny: a forward pass costs milliseconds on a busy CPU


def make_bundle(parent: Path, name: str, logit: float) -> Path:
    import torch

    from faceproof.bundle import AbstainBand, BundleConfig, save_bundle
    from faceproof.models import create_model, default_preprocessing, resolve_arch

    torch.manual_seed(0)
    arch = "efficientnet_lite0"
    model = create_model(arch, pretrained=False).eval()
    model.classifier.weight.data.zero_()  # constant: the classifier outputs `logit` only
    model.classifier.bias.data.fill_(logit)
    pre = default_preprocessing(arch)
    config = BundleConfig(
        name=name,
        arch=resolve_arch(arch),
        input_size=INPUT_SIZE,
        mean=pre["mean"],
        std=pre["std"],
        threshold=0.5,
        temperature=1.0,
        abstain_band=AbstainBand(low=0.4, high=0.6),
        metrics={
            "roc_auc": 0.912,
            "accuracy": 0.874,
            "precision": 0.861,
            "recall": 0.889,
            "samples": 2400,
        },
        data={
            "source": "test fixture (no training)",
            "train": 9600,
            "val": 2400,
            "split": "by source video",
        },
    )
    folder = parent / name
    save_bundle(model, config, folder)
    (folder / "MODEL_CARD.md").write_text(
        f"# {name}\n\nA **tiny test model** whose output is constant (logit {logit}).\n\n"
        "## Limits\n\n- It never looked at a face.\n- Use it only to exercise the app.\n",
        encoding="utf-8",
    )
    write_reports(folder / "reports")
    return folder


def write_reports(folder: Path) -> None:
    """A plausible ROC curve and confusion matrix, so the models page has figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    fpr = np.linspace(0, 1, 50)
    fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=80)
    ax.plot(fpr, fpr**0.25, label="ROC (AUC 0.91)")
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(folder / "roc.png")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=80)
    matrix = np.array([[1050, 150], [133, 1067]])
    ax.imshow(matrix, cmap="Blues")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center")
    ax.set_xticks([0, 1], ["REAL", "FAKE"])
    ax.set_yticks([0, 1], ["REAL", "FAKE"])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    fig.savefig(folder / "confusion_matrix.png")
    plt.close(fig)


def make_bundles(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    for name, logit in MODELS:
        make_bundle(parent, name, logit)
    return parent


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(make_bundles(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fp-models")))
