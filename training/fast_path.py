"""Check that the fast serving path (bf16, channels-last, micro-batches) gives the fp32
answers on the validation split, and record the check in each bundle's card.

`python -m training.fast_path models --config training/configs/efficientnet_lite0.yaml`
(or `--data x.csv` for a plain data set) scores the validation split twice per bundle, with
the plain fp32 path the cards were measured with and with the precision the service picks on
this machine ("auto", or `--precision`), in batches of the service's default size. It writes
`metrics.fast_path` into each model.json (ROC-AUC both ways, pooled and per data set; the
largest probability change, verdict agreement), re-renders MODEL_CARD.md, records the
ensemble's figures in ensemble.json, and exits non-zero when ROC-AUC moved by more than
`--tolerance` (0.002), pooled or on any data set with both classes and at least 100
validation images.
"""

from __future__ import annotations

import argparse
import logging
import platform
import time
from pathlib import Path

import numpy as np
import torch

from faceproof.bundle import CARD_FILE, Bundle, find_bundles, load_bundle, write_config
from faceproof.ensemble import ensemble_probability, member_weights, read_ensemble, write_ensemble
from faceproof.preprocess import make_preprocessor
from faceproof.runtime import FAST_PATH_TOLERANCE, ModelRunner, resolve_precision
from faceproof.verdict import DecisionRule
from training.cache import open_image_cache
from training.config import load_config
from training.datasets import load_samples
from training.evaluate import bundle_logits, calibrated_probs, split_indices
from training.metrics import binary_metrics
from training.mix import load_mix
from training.model_card import render_model_card
from training.train import open_training_data

log = logging.getLogger("training.fast_path")


def fast_logits(bundle: Bundle, images: np.ndarray, indices: np.ndarray, precision: str,
                batch_size: int = 32) -> np.ndarray:
    """Logits through the serving runner at `precision`, in batches of `batch_size`."""
    runner = ModelRunner(bundle.model, precision, next(bundle.model.parameters()).device)
    preprocess = make_preprocessor(bundle.config)
    parts = [runner(preprocess([images[i] for i in indices[s:s + batch_size]]))
             for s in range(0, len(indices), batch_size)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


MIN_GROUP_IMAGES = 100
"""Data sets smaller than this get their ROC-AUC change reported but not enforced: on a few
dozen images one swapped pair moves ROC-AUC by more than the tolerance."""


def compare(labels: np.ndarray, reference: np.ndarray, fast: np.ndarray,
            rule: DecisionRule, groups: np.ndarray | None = None) -> dict:
    """ROC-AUC of both, the largest probability change and how often the verdicts agree;
    with `groups` (a data set name per image) also ROC-AUC both ways per group."""
    verdicts_ref = [rule.decide(float(p)) for p in reference]
    verdicts_fast = [rule.decide(float(p)) for p in fast]
    auc_ref = binary_metrics(labels, reference, rule.threshold)["roc_auc"]
    auc_fast = binary_metrics(labels, fast, rule.threshold)["roc_auc"]
    return {
        "roc_auc_fp32": float(auc_ref), "roc_auc_fast": float(auc_fast),
        "roc_auc_delta": float(auc_fast - auc_ref),
        "max_probability_change": float(np.max(np.abs(fast - reference))) if len(fast) else 0.0,
        "mean_probability_change": float(np.mean(np.abs(fast - reference))) if len(fast) else 0.0,
        "verdict_agreement": float(np.mean([a == b for a, b in
                                            zip(verdicts_ref, verdicts_fast, strict=True)])),
        "images": len(labels),
        **({"by_dataset": _by_group(labels, reference, fast, groups)} if groups is not None
           else {}),
    }


def _by_group(labels, reference, fast, groups) -> dict:
    out = {}
    for name in sorted(set(groups.tolist())):
        m = groups == name
        if len(np.unique(labels[m])) < 2:
            continue
        a = float(binary_metrics(labels[m], reference[m])["roc_auc"])
        b = float(binary_metrics(labels[m], fast[m])["roc_auc"])
        out[name] = {"images": int(m.sum()), "roc_auc_fp32": a, "roc_auc_fast": b,
                     "roc_auc_delta": b - a, "enforced": bool(m.sum() >= MIN_GROUP_IMAGES)}
    return out


def worst_delta(result: dict) -> float:
    """The largest enforced ROC-AUC change, pooled or per data set."""
    deltas = [abs(result["roc_auc_delta"])]
    deltas += [abs(g["roc_auc_delta"]) for g in result.get("by_dataset", {}).values()
               if g["enforced"]]
    return max(deltas)


def check_fast_path(models_dir: Path, data: str | None = None, *, config=None,
                    image_root: str | None = None, precision: str = "auto",
                    val_fraction: float = 0.15, split_seed: int = 42,
                    cache_dir: str = "data/cache", batch_size: int = 32) -> dict[str, dict]:
    """Measure every bundle in `models_dir` (and the fitted ensemble) and record the results,
    on a training config's mix (served crops) or on a plain data set."""
    folders = find_bundles(models_dir)
    reference_bundles = [load_bundle(f) for f in folders]
    fast_bundles = [load_bundle(f) for f in folders]  # own modules: channels-last changes them
    groups = None
    if config is not None:
        mix = load_mix(config)
        samples, indices = mix.samples, mix.val_idx
        config.face_margin = reference_bundles[0].config.face_margin
        images = open_training_data(config, samples).images
        groups = np.array([samples[i].dataset for i in indices])
        val_fraction, split_seed = config.val_fraction, config.split_seed
    else:
        samples = load_samples(data, image_root)
        indices = split_indices(samples, "val", val_fraction, split_seed)
        size = max(224, *(b.config.input_size for b in reference_bundles))
        images = open_image_cache(samples, cache_dir, size)
    labels = np.array([samples[i].label for i in indices])
    resolved = resolve_precision(precision)
    machine = f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    results, probs_ref, probs_fast = {}, [], []
    for ref, fast in zip(reference_bundles, fast_bundles, strict=True):
        start = time.perf_counter()
        p_ref = calibrated_probs(bundle_logits(ref.model, ref.config, images, indices),
                                 ref.config.temperature)
        ref_s = time.perf_counter() - start
        start = time.perf_counter()
        p_fast = calibrated_probs(fast_logits(fast, images, indices, resolved, batch_size),
                                  fast.config.temperature)
        fast_s = time.perf_counter() - start
        result = compare(labels, p_ref, p_fast, DecisionRule.from_config(ref.config), groups)
        result.update({"precision": resolved, "batch_size": batch_size, "machine": machine,
                       "seconds_fp32": round(ref_s, 1), "seconds_fast": round(fast_s, 1),
                       "split": f"validation, {val_fraction:.0%} by source group "
                                f"(seed {split_seed})"})
        results[ref.name] = result
        probs_ref.append(p_ref)
        probs_fast.append(p_fast)
        config = ref.config.model_copy(update={"metrics": {**ref.config.metrics,
                                                           "fast_path": result}})
        write_config(config, ref.path)
        (ref.path / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
        log.info("%s: ROC-AUC fp32 %.4f, %s %.4f (delta %+.4f); verdicts agree on %.2f %%; "
                 "%.1f s vs %.1f s", ref.name, result["roc_auc_fp32"], resolved,
                 result["roc_auc_fast"], result["roc_auc_delta"],
                 100 * result["verdict_agreement"], ref_s, fast_s)
    ensemble = read_ensemble(models_dir)
    names = [b.name for b in reference_bundles]
    if ensemble is not None and ensemble.applies_to(names):
        weights = member_weights(ensemble, names)
        result = compare(labels, ensemble_probability(np.stack(probs_ref, 1), weights),
                         ensemble_probability(np.stack(probs_fast, 1), weights), ensemble.rule,
                         groups)
        result.update({"precision": resolved, "batch_size": batch_size, "machine": machine})
        results["ensemble"] = result
        write_ensemble(ensemble.model_copy(update={"metrics": {**ensemble.metrics,
                                                               "fast_path": result}}),
                       models_dir)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path, help="folder of bundles (and ensemble.json)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="a training config: its mix's validation split")
    source.add_argument("--data", help="folder with Real/ and Fake/, or a CSV")
    parser.add_argument("--image-root", help="folder the CSV's paths are relative to")
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--cache-dir", default="data/cache")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--tolerance", type=float, default=FAST_PATH_TOLERANCE,
                        help="largest ROC-AUC change accepted (either way)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = load_config(args.config, [f"cache_dir={args.cache_dir}"]) if args.config else None
    results = check_fast_path(args.models_dir, args.data, config=config,
                              image_root=args.image_root,
                              precision=args.precision, val_fraction=args.val_fraction,
                              split_seed=args.split_seed, cache_dir=args.cache_dir,
                              batch_size=args.batch_size)
    worst = max(worst_delta(r) for r in results.values())
    for name, r in results.items():
        print(f"{name}: ROC-AUC fp32 {r['roc_auc_fp32']:.4f}, {r['precision']} "
              f"{r['roc_auc_fast']:.4f} ({r['roc_auc_delta']:+.4f}); verdicts agree "
              f"{100 * r['verdict_agreement']:.2f} %; largest probability change "
              f"{r['max_probability_change']:.4f}")
        for group, g in r.get("by_dataset", {}).items():
            print(f"  {group}: {g['roc_auc_fp32']:.4f} vs {g['roc_auc_fast']:.4f} "
                  f"({g['roc_auc_delta']:+.4f}, {g['images']} images"
                  f"{'' if g['enforced'] else ', too few to enforce'})")
    if worst > args.tolerance:
        raise SystemExit(f"the fast path moved ROC-AUC by {worst:.4f} > {args.tolerance}")


if __name__ == "__main__":
    main()
