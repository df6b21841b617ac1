"""Turn a training checkpoint into a calibrated, measured model bundle.

The weights are stored in fp16 and the bundle is evaluated as stored (loaded back and cast to
float32, exactly as the service loads it) on the run's group-disjoint validation split; the
temperature, threshold and abstain band are fitted on those logits; metrics, data card, card
text and report figures are all written from what was measured here.
"""

from __future__ import annotations

import argparse
import logging
import platform
import time
from pathlib import Path

import numpy as np
import torch

import faceproof
from faceproof.bundle import (
    CARD_FILE,
    REPORTS_DIR,
    AbstainBand,
    BundleConfig,
    HeadOptions,
    load_bundle,
    save_bundle,
    write_config,
)
from faceproof.models import create_model, resolve_arch
from training.cache import open_image_cache
from training.calibrate import abstain_band, best_threshold, fit_temperature, sigmoid
from training.config import TrainConfig
from training.datasets import describe, load_samples
from training.evaluate import Evaluation, bundle_logits, verdict_metrics, write_reports
from training.face_margin import measure_face_margin
from training.model_card import render_model_card
from training.splits import make_split
from training.train import select_subset

log = logging.getLogger("training.export")


def _log_loss(labels: np.ndarray, probs: np.ndarray) -> float:
    probs = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(probs) + (1 - labels) * np.log(1 - probs)))


def _tail(path: Path, contains: str, count: int) -> list[str]:
    if not path.is_file():
        return []
    lines = [ln.rstrip() for ln in path.read_text(encoding="utf-8").splitlines() if contains in ln]
    return lines[-count:]


def export_from_checkpoint(checkpoint: str | Path, bundle_dir: str | Path, *,
                           run_dir: str | Path | None = None,
                           face_margin: float | str | None = None) -> Path:
    """Write a complete bundle from `checkpoint` (a `best.pt` or `last.pt` of training).

    `face_margin` overrides the training config's (a number, or "auto" to measure it).
    """
    checkpoint = Path(checkpoint)
    run_dir = Path(run_dir) if run_dir else checkpoint.parent
    bundle_dir = Path(bundle_dir)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    cfg = TrainConfig(**state["config"])
    pre = state["preprocessing"]
    samples = select_subset(load_samples(cfg.data, cfg.image_root or None), cfg.max_samples,
                            cfg.seed)
    train_idx, val_idx = make_split(samples, val_fraction=cfg.val_fraction,
                                    seed=cfg.split_seed, folds=cfg.folds, fold=cfg.fold)
    margin = cfg.face_margin if face_margin is None else face_margin
    margin_card: dict = {"face_margin": margin, "source": "training config"}
    if margin == "auto":
        margin_card = measure_face_margin([samples[i] for i in train_idx], seed=cfg.seed)
        margin = margin_card["face_margin"]
        log.info("face margin measured on %d training crops: %.2f", margin_card["measured_on"],
                 margin)

    model = create_model(cfg.arch, pretrained=False, cbam=cfg.cbam, dropout=cfg.dropout)
    model.load_state_dict(state["model"])
    config = BundleConfig(
        name=cfg.bundle_name, arch=resolve_arch(cfg.arch),
        head=HeadOptions(cbam=cfg.cbam, dropout=cfg.dropout), input_size=pre["input_size"],
        mean=tuple(pre["mean"]), std=tuple(pre["std"]), interpolation=pre["interpolation"],
        face_margin=float(margin))
    save_bundle(model, config, bundle_dir)  # fp16 weights: measure what will be served
    bundle = load_bundle(bundle_dir)

    images = open_image_cache(samples, cfg.cache_dir, max(cfg.cache_size, pre["input_size"]))
    labels = np.array([samples[i].label for i in val_idx])
    start = time.perf_counter()
    logits = bundle_logits(bundle.model, bundle.config, images, val_idx)
    log.info("scored %d validation images in %.1f s", len(val_idx), time.perf_counter() - start)

    temperature = fit_temperature(logits, labels)
    probs = sigmoid(logits / temperature)
    threshold = best_threshold(labels, probs)
    band = abstain_band(labels, probs, threshold, target_accuracy=cfg.abstain_target_accuracy,
                        max_fraction=cfg.abstain_max_fraction)
    config = config.model_copy(update={
        "threshold": threshold, "temperature": temperature,
        "abstain_band": AbstainBand(low=band.low, high=band.high)})
    metrics = verdict_metrics(labels, probs, config)
    metrics.update({
        "split": (f"validation: {len(val_idx)} images, {cfg.val_fraction:.0%} of the data by "
                  f"source group (seed {cfg.split_seed}); no group is on both sides"),
        "log_loss_uncalibrated": _log_loss(labels, sigmoid(logits)),
        "log_loss": _log_loss(labels, probs),
        "weights_dtype": "float16",
    })
    val_samples = [samples[i] for i in val_idx]
    train_samples = [samples[i] for i in train_idx]
    data_card = {
        "source": str(cfg.data),
        "description": "DFDC face crops (Kaggle 'deepfake-faces'), one 224 px crop per video",
        "terms": "DFDC data terms: research and non-commercial use",
        "total": describe(samples),
        "train": describe(train_samples),
        "validation": describe(val_samples),
        "split": {"method": "k-fold by group" if cfg.folds > 1 else "by group",
                  "val_fraction": cfg.val_fraction, "seed": cfg.split_seed,
                  "folds": cfg.folds, "fold": cfg.fold},
        "face_framing": margin_card,
    }
    epochs_run = int(state.get("epoch", -1)) + 1
    training = {
        "config": {k: v for k, v in state["config"].items() if k != "notes"},
        "best_epoch": epochs_run,
        "log_tail": _tail(run_dir / "train.log", "epoch", 8),
        "faceproof": faceproof.__version__, "torch": torch.__version__,
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        "notes": cfg.notes,
    }
    config = config.model_copy(update={"metrics": metrics, "data": data_card,
                                       "training": training})
    write_config(config, bundle_dir)
    write_reports(Evaluation(config.name, labels, probs, metrics, threshold),
                  bundle_dir / REPORTS_DIR, images=images, indices=val_idx,
                  metrics_csv=run_dir / "metrics.csv", title=f"{config.name} (validation)")
    (bundle_dir / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
    log.info("bundle %s: ROC-AUC %.4f, accuracy %.2f%% at threshold %.3f, T=%.3f", bundle_dir,
             metrics["roc_auc"], 100 * metrics["accuracy"], threshold, temperature)
    return bundle_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="best.pt or last.pt of a training run")
    parser.add_argument("bundle", help="bundle folder to write")
    parser.add_argument("--run-dir", help="the run folder (default: the checkpoint's)")
    parser.add_argument("--face-margin", help="a number, or 'auto' to measure it on the "
                                              "training crops (default: the run's config)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    margin = args.face_margin
    if margin not in (None, "auto"):
        margin = float(margin)
    export_from_checkpoint(args.checkpoint, args.bundle, run_dir=args.run_dir,
                           face_margin=margin)


if __name__ == "__main__":
    main()
