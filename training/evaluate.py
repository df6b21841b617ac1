"""Evaluate bundles on a folder or CSV data set: metrics, CSV/JSON and figures.

`python -m training.evaluate models/ --data data/dfdc-faces/metadata.csv --split val`
scores every bundle in `models/` (and their ensemble) the way the service does: each model's
own preprocessing, float32 weights as loaded from the bundle, temperature-calibrated.
Images are taken as face crops (the data sets are crops), so no face detection runs here.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import classification_report

from faceproof.bundle import Bundle, BundleConfig, find_bundles, load_bundle
from faceproof.ensemble import ensemble_probability, member_weights, read_ensemble
from faceproof.preprocess import Preprocessor
from training.cache import open_image_cache
from training.calibrate import sigmoid
from training.datasets import CLASS_NAMES, Sample, load_samples
from training.metrics import binary_metrics
from training.reports import (
    plot_confusion_matrix,
    plot_roc,
    plot_sample_grid,
    plot_training_curves,
)
from training.splits import make_split

log = logging.getLogger("training.evaluate")


@torch.inference_mode()
def bundle_logits(model: torch.nn.Module, config: BundleConfig, images: np.ndarray,
                  indices: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Raw (uncalibrated) logits of `model` for cached images, preprocessed as when serving."""
    preprocess = Preprocessor.from_config(config)
    model.eval()
    out = [model(preprocess([images[i] for i in indices[s:s + batch_size]])).float()
           for s in range(0, len(indices), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)


def calibrated_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    return sigmoid(np.asarray(logits) / temperature)


def verdict_metrics(labels: np.ndarray, probs: np.ndarray, config: BundleConfig) -> dict:
    """Metrics at the bundle's threshold plus what its abstain band does on this data."""
    metrics = binary_metrics(labels, probs, config.threshold)
    metrics["accuracy_at_0.5"] = binary_metrics(labels, probs, 0.5)["accuracy"]
    band = config.abstain_band
    decided = (probs < band.low) | (probs >= band.high)
    correct = (probs >= config.threshold).astype(int) == labels
    metrics["abstain"] = {
        "low": band.low, "high": band.high,
        "fraction": float(1 - decided.mean()),
        "decided_accuracy": float(correct[decided].mean()) if decided.any() else float("nan"),
    }
    return metrics


@dataclass
class Evaluation:
    name: str
    labels: np.ndarray
    probs: np.ndarray
    metrics: dict
    threshold: float


def write_reports(evaluation: Evaluation, out_dir: Path, *, images: np.ndarray | None = None,
                  indices: np.ndarray | None = None, metrics_csv: Path | None = None,
                  title: str = "") -> None:
    """confusion_matrix.png, roc.png, samples.png, training_curves.png (when a run's
    metrics.csv is given), metrics.json and classification_report.txt into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    m = evaluation.metrics
    title = title or evaluation.name
    plot_confusion_matrix(m["confusion_matrix"], out_dir / "confusion_matrix.png",
                          f"{title}\naccuracy {m['accuracy']:.2%} at threshold "
                          f"{evaluation.threshold:.3f}")
    plot_roc(evaluation.labels, evaluation.probs, m["roc_auc"], out_dir / "roc.png", title,
             evaluation.threshold)
    if metrics_csv is not None and metrics_csv.is_file():
        plot_training_curves(metrics_csv, out_dir / "training_curves.png", title)
    if images is not None and indices is not None and len(indices):
        rng = np.random.default_rng(0)
        pick = rng.choice(len(indices), size=min(24, len(indices)), replace=False)
        plot_sample_grid([images[indices[i]] for i in pick],
                         [int(evaluation.labels[i]) for i in pick],
                         [float(evaluation.probs[i]) for i in pick], evaluation.threshold,
                         out_dir / "samples.png", f"{title}: random validation samples")
    (out_dir / "metrics.json").write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    preds = (evaluation.probs >= evaluation.threshold).astype(int)
    report = classification_report(evaluation.labels, preds, labels=[0, 1],
                                   target_names=list(CLASS_NAMES), digits=4, zero_division=0)
    (out_dir / "classification_report.txt").write_text(report, encoding="utf-8")


def evaluate_bundles(bundles: list[Bundle], samples: list[Sample], indices: np.ndarray, *,
                     cache_dir: str, out_dir: Path | None = None,
                     ensemble: bool = True) -> list[Evaluation]:
    """Score each bundle (and, with several, their mean-probability ensemble) on
    `samples[indices]`; write reports per bundle under `out_dir` when given."""
    size = max(224, *(b.config.input_size for b in bundles))
    images = open_image_cache(samples, cache_dir, size)
    labels = np.array([samples[i].label for i in indices])
    results = []
    for bundle in bundles:
        logits = bundle_logits(bundle.model, bundle.config, images, indices)
        probs = calibrated_probs(logits, bundle.config.temperature)
        results.append(Evaluation(bundle.name, labels, probs,
                                  verdict_metrics(labels, probs, bundle.config),
                                  bundle.config.threshold))
    if ensemble and len(bundles) > 1:
        names = [b.name for b in bundles]
        fitted = read_ensemble(bundles[0].path.parent)
        config = fitted if fitted is not None and fitted.applies_to(names) else \
            ensemble_config([b.config for b in bundles])
        probs = ensemble_probability(np.stack([r.probs for r in results], axis=1),
                                     member_weights(fitted, names))
        results.append(Evaluation("ensemble", labels, probs,
                                  verdict_metrics(labels, probs, config), config.threshold))
    if out_dir is not None:
        for r in results:
            write_reports(r, out_dir / r.name, images=images, indices=indices)
        with (out_dir / "metrics.csv").open("w", newline="", encoding="utf-8") as fh:
            keys = ["model", "samples", "roc_auc", "accuracy", "balanced_accuracy", "precision",
                    "recall", "f1", "eer", "threshold", "accuracy_at_0.5"]
            writer = csv.writer(fh)
            writer.writerow(keys)
            for r in results:
                writer.writerow([r.name, *(r.metrics[k] for k in keys[1:])])
    return results


def ensemble_config(configs: list[BundleConfig]) -> BundleConfig:
    """The decision rule of an ensemble: the members' mean threshold and band."""
    from faceproof.ensemble import combine_decision_rules  # the service uses the same rule

    threshold, low, high = combine_decision_rules(configs)
    first = configs[0]
    return first.model_copy(update={"name": "ensemble", "threshold": threshold,
                                    "abstain_band": {"low": low, "high": high},
                                    "temperature": 1.0})


def split_indices(samples: list[Sample], split: str, val_fraction: float,
                  seed: int) -> np.ndarray:
    if split == "all":
        return np.arange(len(samples))
    train, val = make_split(samples, val_fraction=val_fraction, seed=seed)
    return val if split == "val" else train


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", help="a bundle folder, or a folder of bundles")
    parser.add_argument("--data", required=True, help="folder with Real/ and Fake/, or a CSV")
    parser.add_argument("--image-root", help="folder the CSV's paths are relative to")
    parser.add_argument("--split", choices=["all", "val", "train"], default="all",
                        help="which part of the data set: 'val' rebuilds the group split "
                             "training used (same fraction and seed)")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--output", default="runs/evaluate", help="reports folder")
    parser.add_argument("--cache-dir", default="data/cache")
    parser.add_argument("--no-ensemble", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    folders = find_bundles(args.bundles)
    if not folders:
        parser.error(f"no bundle (folder with model.json) in {args.bundles}")
    bundles = [load_bundle(f) for f in folders]
    samples = load_samples(args.data, args.image_root)
    indices = split_indices(samples, args.split, args.val_fraction, args.split_seed)
    out = Path(args.output)
    results = evaluate_bundles(bundles, samples, indices, cache_dir=args.cache_dir, out_dir=out,
                               ensemble=not args.no_ensemble)
    print(f"{'model':<22}{'samples':>8}{'ROC-AUC':>9}{'acc':>8}{'F1':>8}{'EER':>8}"
          f"{'abstain':>9}{'acc(decided)':>14}")
    for r in results:
        m = r.metrics
        print(f"{r.name:<22}{m['samples']:>8}{m['roc_auc']:>9.4f}{m['accuracy']:>8.2%}"
              f"{m['f1']:>8.4f}{m['eer']:>8.4f}{m['abstain']['fraction']:>9.1%}"
              f"{m['abstain']['decided_accuracy']:>14.2%}")
    print(f"reports in {out}/")


if __name__ == "__main__":
    main()
