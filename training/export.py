"""Turn a training checkpoint into a calibrated, measured model bundle.

The weights are stored in fp16 and the bundle is evaluated as stored (loaded back and cast to
float32, exactly as the service loads it) on the run's group-disjoint validation split; the
temperature, threshold and abstain band are fitted on those logits; metrics, data card, card
text and report figures are all written from what was measured here.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import yaml

import faceproof
from faceproof.bundle import (
    CARD_FILE,
    REPORTS_DIR,
    BundleConfig,
    HeadOptions,
    load_bundle,
    rule_fields,
    save_bundle,
    write_config,
)
from faceproof.models import create_model, resolve_arch
from faceproof.verdict import DecisionRule
from training.calibrate import (
    abstain_band,
    best_threshold,
    false_accusation_rule,
    fit_temperature,
    sigmoid,
)
from training.config import TrainConfig
from training.datasets import Sample, describe
from training.degrade import Degradations
from training.evaluate import Evaluation, bundle_logits, verdict_metrics, write_reports
from training.face_margin import measure_face_margin
from training.leave_one_out import leave_one_out_figures
from training.mix import Mix, describe_by_source, regression_sample
from training.model_card import render_model_card
from training.run_data import open_training_data, run_mix, split_words
from training.source_metrics import by_source

log = logging.getLogger("training.export")


def _log_loss(labels: np.ndarray, probs: np.ndarray) -> float:
    probs = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(probs) + (1 - labels) * np.log(1 - probs)))


def _tail(path: Path, contains: str, count: int) -> list[str]:
    if not path.is_file():
        return []
    lines = [ln.rstrip() for ln in path.read_text(encoding="utf-8").splitlines() if contains in ln]
    return lines[-count:]


def export_from_checkpoint(
    checkpoint: str | Path,
    bundle_dir: str | Path,
    *,
    run_dir: str | Path | None = None,
    face_margin: float | str | None = None,
    leave_one_out_runs: list[str] | None = None,
) -> Path:
    """Write a complete bundle from `checkpoint` (a `best.pt` or `last.pt` of training).

    `face_margin` overrides the training config's (a number, or "auto" to measure it);
    `leave_one_out_runs` the runs whose held-out figures go into the card (default: the
    config's), for a run trained with none listed, such as a continuation stage.
    """
    checkpoint = Path(checkpoint)
    run_dir = Path(run_dir) if run_dir else checkpoint.parent
    bundle_dir = Path(bundle_dir)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    cfg = TrainConfig(**state["config"])
    pre = state["preprocessing"]
    mix = run_mix(cfg, run_dir)  # the split training wrote (split.csv), or the same computed
    samples, train_idx, val_idx = mix.samples, mix.train_idx, mix.val_idx
    data = open_training_data(cfg, samples)
    margin = cfg.face_margin if face_margin is None else face_margin
    if cfg.face_crops:
        margin = 0.3 if margin == "auto" else float(margin)
        margin_card: dict = {
            "face_margin": margin,
            "detector": cfg.face_detector,
            "crop_first": cfg.face_crop_first and cfg.face_detector == "haar",
            "method": "training crops cut by the serving face detector",
            "no_face": cfg.no_face,
            "by_source": (data.face_stats or {}).get("by_source", {}),
        }
    elif margin == "auto":
        margin_card = measure_face_margin(
            [samples[i] for i in train_idx],
            seed=cfg.seed,
            detector=cfg.face_detector,
            detector_model=cfg.face_detector_model or None,
            crop_first=cfg.face_crop_first,
        )
        margin = margin_card["face_margin"]
        log.info(
            "face margin measured on %d training crops: %.2f", margin_card["measured_on"], margin
        )
    else:
        margin_card = {"face_margin": margin, "source": "training config"}

    replaced = _read_bundle_json(bundle_dir)
    previous = _previous_figures(replaced, state["config"])
    model = create_model(cfg.arch, pretrained=False, cbam=cfg.cbam, dropout=cfg.dropout)
    model.load_state_dict(state["model"])
    config = BundleConfig(
        name=cfg.bundle_name,
        arch=resolve_arch(cfg.arch),
        head=HeadOptions(cbam=cfg.cbam, dropout=cfg.dropout, mirror_average=cfg.mirror_average),
        input_size=pre["input_size"],
        mean=tuple(pre["mean"]),
        std=tuple(pre["std"]),
        interpolation=pre["interpolation"],
        face_margin=float(margin),
    )
    save_bundle(model, config, bundle_dir)  # fp16 weights: measure what will be served
    bundle = load_bundle(bundle_dir)

    images = data.images
    labels = np.array([samples[i].label for i in val_idx])
    start = time.perf_counter()
    logits = bundle_logits(bundle.model, bundle.config, images, val_idx)
    log.info("scored %d validation images in %.1f s", len(val_idx), time.perf_counter() - start)

    temperature = fit_temperature(logits, labels)
    probs = sigmoid(logits / temperature)
    rule, calibration = fit_rule(cfg, samples, val_idx, labels, probs)
    config = config.model_copy(update={"temperature": temperature, **rule_fields(rule)})
    metrics = verdict_metrics(labels, probs, rule)
    metrics.update(
        {
            "split": (
                f"validation: {len(val_idx)} images, {split_words(cfg)}; no group is on both sides"
            ),
            "log_loss_uncalibrated": _log_loss(labels, sigmoid(logits)),
            "log_loss": _log_loss(labels, probs),
            "weights_dtype": "float16",
            "calibration": calibration,
            "by_source": by_source(samples, val_idx, probs, rule),
        }
    )
    sample = regression_sample(mix)
    position = {int(r): k for k, r in enumerate(val_idx)}
    metrics["regression_sample"] = {
        "per_source": 30,
        "seed": 0,
        **by_source(samples, sample, probs[[position[int(r)] for r in sample]], rule),
    }
    if len(mix.held_out_idx):
        held_logits = bundle_logits(bundle.model, bundle.config, images, mix.held_out_idx)
        held = by_source(samples, mix.held_out_idx, sigmoid(held_logits / temperature), rule)
        metrics["held_out"] = {"source": cfg.hold_out_source, **held}
        (run_dir / "held_out.json").write_text(
            json.dumps(metrics["held_out"], indent=2) + "\n", encoding="utf-8"
        )
    loo = leave_one_out_figures(
        cfg.leave_one_out_runs if leave_one_out_runs is None else leave_one_out_runs,
        replaced.get("metrics", {}).get("leave_one_out", []),
        replaced.get("created"),
    )
    if loo:
        metrics["leave_one_out"] = loo
    data_card = data_card_for(cfg, mix, margin_card, data)
    epochs_run = int(state.get("epoch", -1)) + 1
    training = {
        "config": {k: v for k, v in state["config"].items() if k != "notes"},
        "best_epoch": epochs_run,
        "log_tail": _tail(run_dir / "train.log", "epoch", 8),
        "faceproof": faceproof.__version__,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        "notes": cfg.notes,
        "history": previous,
    }
    config = config.model_copy(update={"metrics": metrics, "data": data_card, "training": training})
    write_config(config, bundle_dir)
    write_reports(
        Evaluation(config.name, labels, probs, metrics, rule),
        bundle_dir / REPORTS_DIR,
        images=images,
        indices=val_idx,
        metrics_csv=run_dir / "metrics.csv",
        title=f"{config.name} (validation)",
    )
    (bundle_dir / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
    log.info(
        "bundle %s: ROC-AUC %.4f, accuracy %.2f%% at threshold %.3f, T=%.3f, band [%.3f, %.3f)",
        bundle_dir,
        metrics["roc_auc"],
        100 * metrics["accuracy"],
        rule.threshold,
        temperature,
        rule.low,
        rule.high,
    )
    return bundle_dir


def fit_rule(
    cfg: TrainConfig,
    samples: list[Sample],
    indices: np.ndarray,
    labels: np.ndarray,
    probs: np.ndarray,
) -> tuple[DecisionRule, dict]:
    """The decision rule per the config's `calibration`, and what the card says of it."""
    if cfg.calibration == "false_accusation":
        fitted = false_accusation_rule(
            labels,
            probs,
            np.array([samples[i].source for i in indices]),
            np.array([samples[i].dataset for i in indices]),
            max_false_fake_rate=cfg.max_false_fake_rate,
            max_false_real_rate=cfg.max_false_real_rate,
            min_source_samples=cfg.min_source_samples,
        )
        return DecisionRule(fitted.threshold, fitted.low, fitted.high), {
            "method": "false_accusation",
            "max_false_fake_rate": cfg.max_false_fake_rate,
            "max_false_real_rate": cfg.max_false_real_rate,
            "min_source_samples": cfg.min_source_samples,
            "worst_real_source": fitted.worst_real_source,
            "worst_fake_source": fitted.worst_fake_source,
            "false_fake_by_source": fitted.false_fake,
            "false_real_by_source": fitted.false_real,
        }
    if cfg.calibration != "accuracy":
        raise ValueError(
            f"calibration must be accuracy or false_accusation, not {cfg.calibration!r}"
        )
    threshold = best_threshold(labels, probs)
    band = abstain_band(
        labels,
        probs,
        threshold,
        target_accuracy=cfg.abstain_target_accuracy,
        max_fraction=cfg.abstain_max_fraction,
    )
    return DecisionRule(threshold, band.low, band.high), {
        "method": "accuracy",
        "target_accuracy": cfg.abstain_target_accuracy,
        "max_fraction": cfg.abstain_max_fraction,
    }


def data_card_for(cfg: TrainConfig, mix: Mix, framing: dict, data) -> dict:
    """Every source with its counts per split, description and terms; the SBI share."""
    samples = mix.samples
    catalogue = source_catalogue()
    parts = {"train": mix.train_idx, "validation": mix.val_idx, "held_out": mix.held_out_idx}
    sources = {}
    for name, idx in parts.items():
        for source, counts in describe_by_source(samples, idx).items():
            entry = sources.setdefault(
                source, {"dataset": counts["dataset"], **catalogue.get(source, {})}
            )
            entry[name] = {"real": counts["real"], "fake": counts["fake"]}
    card = {
        "source": ", ".join(s.data for s in mix.specs),
        "description": "mix of "
        + ", ".join(
            f"{s.dataset} (weight {s.weight:g}{f', at most {s.max}' if s.max else ''})"
            for s in mix.specs
        ),
        "terms": "; ".join(sorted({e.get("terms", "see source") for e in sources.values()})),
        "total": describe(samples),
        "train": describe([samples[i] for i in mix.train_idx]),
        "validation": describe([samples[i] for i in mix.val_idx]),
        "sources": sources,
        "split": {
            "method": "k-fold by group" if cfg.folds > 1 else "by group within each source",
            "val_fraction": cfg.val_fraction,
            "seed": cfg.split_seed,
            "folds": cfg.folds,
            "fold": cfg.fold,
        },
        "face_framing": framing,
    }
    if mix.hold_out_source:
        card["held_out"] = {
            "source": mix.hold_out_source,
            **describe([samples[i] for i in mix.held_out_idx]),
        }
    if cfg.sbi_fraction > 0 and data.landmarks is not None:
        real = mix.train_idx[mix.labels[mix.train_idx] == 0]
        card["self_blended"] = {
            "share_of_draws": cfg.sbi_fraction,
            "real_training_faces_with_landmarks": float(
                np.isfinite(data.landmarks[real, 0, 0]).mean()
            )
            if len(real)
            else 0.0,
            "skipped_without_landmarks": int((~np.isfinite(data.landmarks[real, 0, 0])).sum()),
            "method": "SBI (Shiohara & Yamasaki, CVPR 2022): the face blended onto an altered "
            "copy of itself through its 68-landmark hull",
        }
    degrade = Degradations.from_config(cfg)
    if degrade.active:
        card["degradations"] = asdict(degrade)
    return card


def source_catalogue() -> dict[str, dict]:
    """Descriptions and terms of the known sources (training/configs/sources.yaml)."""
    path = Path(__file__).parent / "configs" / "sources.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _read_bundle_json(bundle_dir: Path) -> dict:
    """The model.json of the bundle about to be replaced ({} when there is none)."""
    path = bundle_dir / "model.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _previous_figures(old: dict, run_config: dict) -> list[dict]:
    """The history of the bundle being replaced (`old`, its model.json), with its own
    figures added last, unless it came from the same training run (`run_config`)."""
    if not old:
        return []
    m, data = old.get("metrics", {}), old.get("data", {})
    history = list(old.get("training", {}).get("history", []))
    same = {k: v for k, v in run_config.items() if k != "notes"}
    if old.get("training", {}).get("config") == same:
        return history  # a re-export of the same run replaces itself, not a predecessor
    entry = {
        "created": old.get("created"),
        "data": data.get("description", data.get("source")),
        "validation_images": m.get("samples"),
        "roc_auc": m.get("roc_auc"),
        "accuracy": m.get("accuracy"),
        "input_size": old.get("input_size"),
    }
    pooled = m.get("by_source", {}).get("pooled")
    if pooled:
        entry["real_called_fake"] = pooled.get("real_called_fake")
    if not history or history[-1].get("created") != entry["created"]:
        history.append(entry)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="best.pt or last.pt of a training run")
    parser.add_argument("bundle", help="bundle folder to write")
    parser.add_argument("--run-dir", help="the run folder (default: the checkpoint's)")
    parser.add_argument(
        "--face-margin",
        help="a number, or 'auto' to measure it on the training crops (default: the run's config)",
    )
    parser.add_argument(
        "--leave-one-out",
        nargs="*",
        metavar="RUN",
        help="leave-one-source-out runs for the card (default: the run's "
        "config's); a run not here keeps the replaced bundle's figures",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    margin = args.face_margin
    if margin not in (None, "auto"):
        margin = float(margin)
    export_from_checkpoint(
        args.checkpoint,
        args.bundle,
        run_dir=args.run_dir,
        face_margin=margin,
        leave_one_out_runs=args.leave_one_out,
    )


if __name__ == "__main__":
    main()
