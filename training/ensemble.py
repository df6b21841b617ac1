"""Fit the ensemble of the bundles in a models folder on the validation split.

`python -m training.ensemble models/ --config training/configs/efficientnet_lite0.yaml`
scores every bundle on the config's group-disjoint validation split (the one they were
calibrated on), picks the weights of the weighted mean of calibrated probabilities that
maximise ROC-AUC (on a 0.05 grid), fits the ensemble's decision rule as the config says (with
`calibration: false_accusation`, from the false-FAKE budget per genuine source), and writes
`models/ensemble.json` with the measured metrics, per source, next to each member's.
`--data x.csv` fits on a plain data set instead.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path

import numpy as np

from faceproof.bundle import find_bundles, load_bundle, rule_fields
from faceproof.ensemble import EnsembleConfig, ensemble_probability, write_ensemble
from faceproof.verdict import DecisionRule
from training.calibrate import abstain_band, best_threshold, false_accusation_rule
from training.evaluate import evaluate_cached, evaluate_run, verdict_metrics
from training.metrics import safe_auc
from training.mix import regression_sample
from training.run_data import (
    RunData,
    add_data_arguments,
    open_for_bundles,
    open_run_data,
    split_words,
)
from training.source_metrics import by_source

log = logging.getLogger("training.ensemble")


def weight_grid(members: int, step: float = 0.05) -> list[tuple[float, ...]]:
    """Every weight vector on the simplex with entries multiple of `step`."""
    n = round(1 / step)
    return [
        (*(c / n for c in combo), (n - sum(combo)) / n)
        for combo in itertools.product(range(n + 1), repeat=members - 1)
        if sum(combo) <= n
    ]


MIN_ENSEMBLE_GAIN = 0.005
"""ROC-AUC a mix of members must gain over the best member alone to be used: below it the
gain is within the noise of a few thousand validation images, and a weak member given weight
would only blur the scores a user reads."""


def fit_weights(
    probs: np.ndarray, labels: np.ndarray, step: float = 0.05, min_gain: float = MIN_ENSEMBLE_GAIN
) -> tuple[float, ...]:
    """The grid weights with the best ROC-AUC (ties go to the most even weights), unless they
    beat the best single member by less than `min_gain`: then that member alone."""
    members = probs.shape[1]
    if members == 1:
        return (1.0,)
    best, best_key = None, None
    for weights in weight_grid(members, step):
        auc = safe_auc(labels, ensemble_probability(probs, weights))
        key = (round(auc, 6), -float(np.std(weights)))
        if best_key is None or key > best_key:
            best, best_key = weights, key
    singles = [safe_auc(labels, probs[:, j]) for j in range(members)]
    top = int(np.argmax(singles))
    if best_key[0] < singles[top] + min_gain:
        return tuple(1.0 if j == top else 0.0 for j in range(members))
    return best


def fit_ensemble(
    probs: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    *,
    target_accuracy: float = 0.95,
    max_fraction: float = 0.2,
) -> EnsembleConfig:
    weights = fit_weights(probs, labels)
    combined = ensemble_probability(probs, weights)
    threshold = best_threshold(labels, combined)
    band = abstain_band(
        labels, combined, threshold, target_accuracy=target_accuracy, max_fraction=max_fraction
    )
    rule = DecisionRule(threshold, band.low, band.high)
    config = EnsembleConfig(weights=dict(zip(names, weights, strict=True)), **rule_fields(rule))
    metrics = verdict_metrics(labels, combined, rule)
    metrics["members_roc_auc"] = {n: safe_auc(labels, probs[:, j]) for j, n in enumerate(names)}
    metrics["equal_weights_roc_auc"] = safe_auc(labels, probs.mean(axis=1))
    return config.model_copy(update={"metrics": metrics})


def fit_ensemble_on_mix(bundles, config, run_dir=None) -> EnsembleConfig:
    """Fit on a training config's validation split (its run's, see `training.run_data`),
    with its calibration and per-source figures for the ensemble and each member."""
    return fit_ensemble_on_run(bundles, open_for_bundles(config, bundles, run_dir))


def fit_ensemble_on_run(bundles, data: RunData) -> EnsembleConfig:
    """`fit_ensemble_on_mix` on a run's data already opened for `bundles`."""
    config, mix = data.config, data.mix
    results, report = evaluate_run(bundles, data, "val", ensemble=False)
    idx = mix.val_idx
    names = [b.name for b in bundles]
    probs = np.stack([r.probs for r in results], axis=1)
    labels = results[0].labels
    fitted = fit_ensemble(
        probs,
        labels,
        names,
        target_accuracy=config.abstain_target_accuracy,
        max_fraction=config.abstain_max_fraction,
    )
    combined = ensemble_probability(probs, tuple(fitted.weights[n] for n in names))
    metrics = dict(fitted.metrics)
    if config.calibration == "false_accusation":
        rule = false_accusation_rule(
            labels,
            combined,
            np.array([mix.samples[i].source for i in idx]),
            np.array([mix.samples[i].dataset for i in idx]),
            max_false_fake_rate=config.max_false_fake_rate,
            max_false_real_rate=config.max_false_real_rate,
            min_source_samples=config.min_source_samples,
        )
        fitted = fitted.model_copy(
            update=rule_fields(DecisionRule(rule.threshold, rule.low, rule.high))
        )
        metrics.update(verdict_metrics(labels, combined, fitted.rule))
        metrics["calibration"] = {
            "method": "false_accusation",
            "max_false_fake_rate": config.max_false_fake_rate,
            "max_false_real_rate": config.max_false_real_rate,
            "worst_real_source": rule.worst_real_source,
            "worst_fake_source": rule.worst_fake_source,
            "false_fake_by_source": rule.false_fake,
            "false_real_by_source": rule.false_real,
        }
    metrics["by_source"] = by_source(mix.samples, idx, combined, fitted.rule)
    metrics["members_by_source"] = report
    sample = regression_sample(mix)
    position = {int(r): k for k, r in enumerate(idx)}
    metrics["regression_sample"] = {
        "per_source": 30,
        "seed": 0,
        **by_source(mix.samples, sample, combined[[position[int(r)] for r in sample]], fitted.rule),
    }
    metrics["split"] = f"validation: {len(idx)} images, {split_words(config)}"
    return fitted.model_copy(update={"metrics": metrics})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", help="folder of bundles; ensemble.json is written there")
    add_data_arguments(parser, config_help="the training config the bundles trained on (mix)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    bundles = [load_bundle(f) for f in find_bundles(args.models_dir)]
    if len(bundles) < 2:
        parser.error("an ensemble needs at least two bundles")
    data = open_run_data(args, bundles)
    if not data.plain:
        config = fit_ensemble_on_run(bundles, data)
        path = write_ensemble(config, Path(args.models_dir))
        _print_summary(config, path)
        return
    for b in bundles:
        split = b.config.data.get("split", {})
        if (split.get("seed"), split.get("val_fraction")) != (args.split_seed, args.val_fraction):
            log.warning(
                "%s was validated on another split (%s): the ensemble would be fitted "
                "on images it trained on",
                b.name,
                split,
            )
    indices = data.rows("val")
    results = evaluate_cached(bundles, data.images, data.samples, indices, ensemble=False)
    probs = np.stack([r.probs for r in results], axis=1)
    config = fit_ensemble(probs, results[0].labels, [b.name for b in bundles])
    config.metrics["split"] = f"validation: {len(indices)} images, {split_words(data.config)}"
    path = write_ensemble(config, Path(args.models_dir))
    _print_summary(config, path)


def _print_summary(config: EnsembleConfig, path: Path) -> None:
    m = config.metrics
    print(
        f"weights {config.weights}; ROC-AUC {m['roc_auc']:.4f} (members "
        f"{ {k: round(v, 4) for k, v in m['members_roc_auc'].items()} }, equal weights "
        f"{m['equal_weights_roc_auc']:.4f}); accuracy {m['accuracy']:.2%}; wrote {path}"
    )


if __name__ == "__main__":
    main()
