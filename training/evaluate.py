"""Evaluate bundles on a training mix or a data set: per-source metrics, CSV/JSON, figures.

`python -m training.evaluate models/ --config training/configs/efficientnet_lite0.yaml`
scores every bundle in `models/` (and their ensemble) on the config's validation split (or
`--split held_out|train|all`), the way the service does: faces cut by the serving detector
with the bundle's margin, each model's own preprocessing, float32 weights as loaded from the
bundle, temperature-calibrated, decided by the served rule. Every figure is given per source
and pooled; for a source with only genuine faces, the share called FAKE and UNCERTAIN.

`--data x.csv` evaluates a plain data set instead (images taken as they are, as face crops).
The split is the run's own (`training.run_data`): its `split.csv` read back from the config's
output folder (or `--run`), else rebuilt as training made it, k-fold and `max_samples` included.
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
from faceproof.ensemble import ensemble_probability, ensemble_rule, member_weights, read_ensemble
from faceproof.preprocess import Preprocessor
from faceproof.verdict import DecisionRule
from training.calibrate import sigmoid
from training.config import TrainConfig
from training.datasets import CLASS_NAMES, Sample
from training.metrics import binary_metrics
from training.reports import (
    plot_confusion_matrix,
    plot_roc,
    plot_sample_grid,
    plot_training_curves,
    trained,
)
from training.run_data import SPLITS, RunData, add_data_arguments, open_for_bundles, open_run_data
from training.source_metrics import by_source

log = logging.getLogger("training.evaluate")


@torch.inference_mode()
def bundle_logits(
    model: torch.nn.Module,
    config: BundleConfig,
    images: np.ndarray,
    indices: np.ndarray,
    batch_size: int = 64,
) -> np.ndarray:
    """Raw (uncalibrated) logits of `model` for cached images, preprocessed as when serving."""
    preprocess = Preprocessor.from_config(config)
    model.eval()
    out = [
        model(preprocess([images[i] for i in indices[s : s + batch_size]])).float()
        for s in range(0, len(indices), batch_size)
    ]
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)


def calibrated_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    return sigmoid(np.asarray(logits) / temperature)


def verdict_metrics(labels: np.ndarray, probs: np.ndarray, rule: DecisionRule) -> dict:
    """Metrics at the rule's threshold plus what its abstain band does on this data."""
    metrics = binary_metrics(labels, probs, rule.threshold)
    metrics["accuracy_at_0.5"] = binary_metrics(labels, probs, 0.5)["accuracy"]
    decided = rule.decided(probs)
    correct = rule.predictions(probs) == labels
    metrics["abstain"] = {
        "low": rule.low,
        "high": rule.high,
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
    rule: DecisionRule

    @property
    def threshold(self) -> float:
        return self.rule.threshold


def write_reports(
    evaluation: Evaluation,
    out_dir: Path,
    *,
    images: np.ndarray | None = None,
    indices: np.ndarray | None = None,
    metrics_csv: Path | None = None,
    title: str = "",
) -> None:
    """confusion_matrix.png, roc.png, samples.png, training_curves.png (when a run's
    metrics.csv is given and it trained), metrics.json and classification_report.txt into
    `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    m = evaluation.metrics
    title = title or evaluation.name
    plot_confusion_matrix(
        m["confusion_matrix"],
        out_dir / "confusion_matrix.png",
        f"{title}\naccuracy {m['accuracy']:.2%} at threshold {evaluation.threshold:.3f}",
    )
    plot_roc(
        evaluation.labels,
        evaluation.probs,
        m["roc_auc"],
        out_dir / "roc.png",
        title,
        evaluation.threshold,
    )
    curves = out_dir / "training_curves.png"
    if metrics_csv is not None and metrics_csv.is_file() and trained(metrics_csv):
        plot_training_curves(metrics_csv, curves, title)
    elif metrics_csv is not None:  # a run that trained nothing (epochs 0) has no curves
        curves.unlink(missing_ok=True)
    if images is not None and indices is not None and len(indices):
        rng = np.random.default_rng(0)
        pick = rng.choice(len(indices), size=min(24, len(indices)), replace=False)
        plot_sample_grid(
            [images[indices[i]] for i in pick],
            [int(evaluation.labels[i]) for i in pick],
            [float(evaluation.probs[i]) for i in pick],
            evaluation.threshold,
            out_dir / "samples.png",
            f"{title}: random validation samples",
        )
    (out_dir / "metrics.json").write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    preds = evaluation.rule.predictions(evaluation.probs)
    report = classification_report(
        evaluation.labels,
        preds,
        labels=[0, 1],
        target_names=list(CLASS_NAMES),
        digits=4,
        zero_division=0,
    )
    (out_dir / "classification_report.txt").write_text(report, encoding="utf-8")


def evaluate_cached(
    bundles: list[Bundle],
    images: np.ndarray,
    samples: list[Sample],
    indices: np.ndarray,
    *,
    out_dir: Path | None = None,
    ensemble: bool = True,
) -> list[Evaluation]:
    """Score each bundle (and, with several, their ensemble, decided by the service's rule)
    on `images[indices]` (cached crops aligned with `samples`); write reports per bundle
    under `out_dir` when given."""
    labels = np.array([samples[i].label for i in indices])
    results = []
    for bundle in bundles:
        logits = bundle_logits(bundle.model, bundle.config, images, indices)
        probs = calibrated_probs(logits, bundle.config.temperature)
        rule = bundle.config.rule
        results.append(
            Evaluation(bundle.name, labels, probs, verdict_metrics(labels, probs, rule), rule)
        )
    if ensemble and len(bundles) > 1:
        names = [b.name for b in bundles]
        fitted = read_ensemble(bundles[0].path.parent)
        # the service's rule: the fitted one where it applies, else the members' mean
        rule = (
            fitted.rule
            if fitted is not None and fitted.applies_to(names)
            else ensemble_rule([b.config for b in bundles])
        )
        probs = ensemble_probability(
            np.stack([r.probs for r in results], axis=1), member_weights(fitted, names)
        )
        results.append(
            Evaluation("ensemble", labels, probs, verdict_metrics(labels, probs, rule), rule)
        )
    if out_dir is not None:
        for r in results:
            write_reports(r, out_dir / r.name, images=images, indices=indices)
        with (out_dir / "metrics.csv").open("w", newline="", encoding="utf-8") as fh:
            keys = [
                "model",
                "samples",
                "roc_auc",
                "accuracy",
                "balanced_accuracy",
                "precision",
                "recall",
                "f1",
                "eer",
                "threshold",
                "accuracy_at_0.5",
            ]
            writer = csv.writer(fh)
            writer.writerow(keys)
            for r in results:
                writer.writerow([r.name, *(r.metrics[k] for k in keys[1:])])
    return results


def evaluate_mix(
    bundles: list[Bundle],
    config: TrainConfig,
    split: str = "val",
    *,
    out_dir: Path | None = None,
    ensemble: bool = True,
    run_dir: str | Path | None = None,
) -> tuple[list, dict]:
    """Evaluate on a training config's mix (the split read back from `run_dir/split.csv`
    when given and there, see `training.run_data`); returns the evaluations and the
    per-source report {model: by_source(...)} (also written to `out_dir/by_source.json`)."""
    return evaluate_run(
        bundles,
        open_for_bundles(config, bundles, run_dir),
        split,
        out_dir=out_dir,
        ensemble=ensemble,
    )


def evaluate_run(
    bundles: list[Bundle],
    data: RunData,
    split: str = "val",
    *,
    out_dir: Path | None = None,
    ensemble: bool = True,
) -> tuple[list, dict]:
    """`evaluate_mix` on a run's data already opened for `bundles`."""
    indices = data.rows(split)
    if not len(indices):
        raise ValueError(f"the {split} split of this config is empty")
    results = evaluate_cached(
        bundles, data.images, data.samples, indices, out_dir=out_dir, ensemble=ensemble
    )
    report = {r.name: by_source(data.samples, indices, r.probs, r.rule) for r in results}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "by_source.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )
    return results, report


def print_by_source(report: dict) -> None:
    """One table per model: every data set and source, pooled last."""

    def pct(x):
        return "    -" if x is None else f"{100 * x:5.1f}"

    for model, rep in report.items():
        print(
            f"\n{model}: ROC-AUC and verdicts at the served rule "
            f"(%: REAL faces called FAKE / UNCERTAIN, fakes called REAL / UNCERTAIN)"
        )
        print(
            f"  {'source':<26}{'real':>6}{'fake':>6}{'AUC':>8}{'R->F%':>7}{'R->?%':>7}"
            f"{'F->R%':>7}{'F->?%':>7}"
        )
        rows = [(f"[{n}]", f) for n, f in rep["datasets"].items()]
        rows += [(f"  {n}", f) for n, f in rep["sources"].items()]
        rows.append(("pooled", rep["pooled"]))
        for name, f in rows:
            auc = "     -" if f["roc_auc"] != f["roc_auc"] else f"{f['roc_auc']:.4f}"
            print(
                f"  {name:<26}{f['real']:>6}{f['fake']:>6}{auc:>8}"
                f"{pct(f['real_called_fake']):>7}{pct(f['real_uncertain']):>7}"
                f"{pct(f['fake_called_real']):>7}{pct(f['fake_uncertain']):>7}"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", help="a bundle folder, or a folder of bundles")
    add_data_arguments(parser)
    parser.add_argument(
        "--split",
        choices=list(SPLITS),
        help="which part (default: val with --config, all with --data): the "
        "run's own split (its split.csv, else rebuilt as training made "
        "it); 'held_out' the config's hold_out_source",
    )
    parser.add_argument("--output", default="runs/evaluate", help="reports folder")
    parser.add_argument("--no-ensemble", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    folders = find_bundles(args.bundles)
    if not folders:
        parser.error(f"no bundle (folder with model.json) in {args.bundles}")
    if args.data and args.split == "held_out":
        parser.error("--split held_out needs --config")
    bundles = [load_bundle(f) for f in folders]
    out = Path(args.output)
    data = open_run_data(args, bundles)
    split = args.split or ("all" if data.plain else "val")
    results, report = evaluate_run(bundles, data, split, out_dir=out, ensemble=not args.no_ensemble)
    print(
        f"{'model':<22}{'samples':>8}{'ROC-AUC':>9}{'acc':>8}{'F1':>8}{'EER':>8}"
        f"{'abstain':>9}{'acc(decided)':>14}"
    )
    for r in results:
        m = r.metrics
        print(
            f"{r.name:<22}{m['samples']:>8}{m['roc_auc']:>9.4f}{m['accuracy']:>8.2%}"
            f"{m['f1']:>8.4f}{m['eer']:>8.4f}{m['abstain']['fraction']:>9.1%}"
            f"{m['abstain']['decided_accuracy']:>14.2%}"
        )
    if not data.plain:
        print_by_source(report)
    print(f"reports in {out}/")


if __name__ == "__main__":
    main()
