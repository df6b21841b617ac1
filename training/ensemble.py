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

from faceproof.bundle import AbstainBand, find_bundles, load_bundle
from faceproof.ensemble import EnsembleConfig, ensemble_probability, write_ensemble
from training.calibrate import abstain_band, best_threshold, false_accusation_rule
from training.config import load_config
from training.datasets import load_samples
from training.evaluate import evaluate_bundles, evaluate_mix, split_indices, verdict_metrics
from training.metrics import safe_auc
from training.mix import load_mix, regression_sample
from training.source_metrics import by_source

log = logging.getLogger("training.ensemble")


def weight_grid(members: int, step: float = 0.05) -> list[tuple[float, ...]]:
    """Every weight vector on the simplex with entries multiple of `step`."""
    n = round(1 / step)
    return [(*(c / n for c in combo), (n - sum(combo)) / n)
            for combo in itertools.product(range(n + 1), repeat=members - 1)
            if sum(combo) <= n]


MIN_ENSEMBLE_GAIN = 0.005
"""ROC-AUC a mix of members must gain over the best member alone to be used: below it the
gain is within the noise of a few thousand validation images, and a weak member given weight
would only blur the scores a user reads."""


def fit_weights(probs: np.ndarray, labels: np.ndarray, step: float = 0.05,
                min_gain: float = MIN_ENSEMBLE_GAIN) -> tuple[float, ...]:
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


def fit_ensemble(probs: np.ndarray, labels: np.ndarray, names: list[str], *,
                 target_accuracy: float = 0.95, max_fraction: float = 0.2) -> EnsembleConfig:
    weights = fit_weights(probs, labels)
    combined = ensemble_probability(probs, weights)
    threshold = best_threshold(labels, combined)
    band = abstain_band(labels, combined, threshold, target_accuracy=target_accuracy,
                        max_fraction=max_fraction)
    config = EnsembleConfig(weights=dict(zip(names, weights, strict=True)), threshold=threshold,
                            abstain_band=AbstainBand(low=band.low, high=band.high))
    metrics = verdict_metrics(labels, combined, config)
    metrics["members_roc_auc"] = {n: safe_auc(labels, probs[:, j]) for j, n in enumerate(names)}
    metrics["equal_weights_roc_auc"] = safe_auc(labels, probs.mean(axis=1))
    return config.model_copy(update={"metrics": metrics})


def fit_ensemble_on_mix(bundles, config) -> EnsembleConfig:
    """Fit on a training config's validation split, with its calibration and per-source
    figures for the ensemble and each member."""
    results, report = evaluate_mix(bundles, config, "val", ensemble=False)
    mix = load_mix(config)
    idx = mix.val_idx
    names = [b.name for b in bundles]
    probs = np.stack([r.probs for r in results], axis=1)
    labels = results[0].labels
    fitted = fit_ensemble(probs, labels, names, target_accuracy=config.abstain_target_accuracy,
                          max_fraction=config.abstain_max_fraction)
    combined = ensemble_probability(probs, tuple(fitted.weights[n] for n in names))
    metrics = dict(fitted.metrics)
    if config.calibration == "false_accusation":
        rule = false_accusation_rule(
            labels, combined, np.array([mix.samples[i].source for i in idx]),
            np.array([mix.samples[i].dataset for i in idx]),
            max_false_fake_rate=config.max_false_fake_rate,
            max_false_real_rate=config.max_false_real_rate,
            min_source_samples=config.min_source_samples)
        fitted = fitted.model_copy(update={
            "threshold": rule.threshold,
            "abstain_band": AbstainBand(low=rule.low, high=rule.high)})
        metrics.update(verdict_metrics(labels, combined, fitted))
        metrics["calibration"] = {
            "method": "false_accusation", "max_false_fake_rate": config.max_false_fake_rate,
            "max_false_real_rate": config.max_false_real_rate,
            "worst_real_source": rule.worst_real_source,
            "worst_fake_source": rule.worst_fake_source,
            "false_fake_by_source": rule.false_fake, "false_real_by_source": rule.false_real}
    metrics["by_source"] = by_source(mix.samples, idx, combined, fitted.rule)
    metrics["members_by_source"] = report
    sample = regression_sample(mix)
    position = {int(r): k for k, r in enumerate(idx)}
    metrics["regression_sample"] = {
        "per_source": 30, "seed": 0,
        **by_source(mix.samples, sample, combined[[position[int(r)] for r in sample]],
                    fitted.rule)}
    metrics["split"] = (f"validation: {len(idx)} images, {config.val_fraction:.0%} of each "
                        f"source by group (seed {config.split_seed})")
    return fitted.model_copy(update={"metrics": metrics})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", help="folder of bundles; ensemble.json is written there")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="the training config the bundles trained on (mix)")
    source.add_argument("--data", help="the data set the bundles trained on")
    parser.add_argument("--image-root")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--cache-dir", default="data/cache")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    bundles = [load_bundle(f) for f in find_bundles(args.models_dir)]
    if len(bundles) < 2:
        parser.error("an ensemble needs at least two bundles")
    if args.config:
        config = fit_ensemble_on_mix(bundles, load_config(args.config,
                                                          [f"cache_dir={args.cache_dir}"]))
        path = write_ensemble(config, Path(args.models_dir))
        _print_summary(config, path)
        return
    for b in bundles:
        split = b.config.data.get("split", {})
        if (split.get("seed"), split.get("val_fraction")) != (args.split_seed, args.val_fraction):
            log.warning("%s was validated on another split (%s): the ensemble would be fitted "
                        "on images it trained on", b.name, split)
    samples = load_samples(args.data, args.image_root)
    indices = split_indices(samples, "val", args.val_fraction, args.split_seed)
    results = evaluate_bundles(bundles, samples, indices, cache_dir=args.cache_dir,
                               ensemble=False)
    probs = np.stack([r.probs for r in results], axis=1)
    config = fit_ensemble(probs, results[0].labels, [b.name for b in bundles])
    config.metrics["split"] = (f"validation: {len(indices)} images, {args.val_fraction:.0%} by "
                               f"source group (seed {args.split_seed})")
    path = write_ensemble(config, Path(args.models_dir))
    _print_summary(config, path)


def _print_summary(config: EnsembleConfig, path: Path) -> None:
    m = config.metrics
    print(f"weights {config.weights}; ROC-AUC {m['roc_auc']:.4f} (members "
          f"{ {k: round(v, 4) for k, v in m['members_roc_auc'].items()} }, equal weights "
          f"{m['equal_weights_roc_auc']:.4f}); accuracy {m['accuracy']:.2%}; wrote {path}")


if __name__ == "__main__":
    main()
