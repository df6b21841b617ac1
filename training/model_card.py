"""MODEL_CARD.md text, rendered from a bundle's measured `model.json` only."""

from __future__ import annotations

from faceproof.bundle import BundleConfig


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _framing(card: dict) -> str:
    if "crop_to_box_median" not in card:
        return ""
    return (f", measured: the training crops are {card['crop_to_box_median']:.2f}x the "
            f"{card.get('detector', 'face')} detector's box (median of {card['measured_on']} "
            f"crops), so serving crops frame faces as training did")


def _fast_path_lines(fast: dict | None) -> list[str]:
    """The serving fast path checked against fp32 (by `python -m training.fast_path`)."""
    if not fast:
        return []
    return [
        "## Fast path (as served)",
        f"The service runs this model in {fast['precision']} (channels-last, batches of up to "
        f"{fast['batch_size']}) where the CPU supports it. Measured on the same validation "
        f"split ({fast['images']} images) against the fp32 path above, by "
        "`python -m training.fast_path`:",
        "",
        f"- ROC-AUC {fast['roc_auc_fast']:.4f} vs {fast['roc_auc_fp32']:.4f} in fp32 "
        f"(change {fast['roc_auc_delta']:+.4f}; accepted: within 0.002).",
        f"- Verdicts agree on {_pct(fast['verdict_agreement'])} of the images; probabilities "
        f"move by {fast['mean_probability_change']:.4f} on average, at most "
        f"{fast['max_probability_change']:.4f}.",
        f"- Scoring the split took {fast.get('seconds_fast', 0):.1f} s vs "
        f"{fast.get('seconds_fp32', 0):.1f} s in fp32 ({fast.get('machine', '')}).",
        "",
    ]


def render_model_card(config: BundleConfig) -> str:
    m, data, train = config.metrics, config.data, config.training
    cfg = train.get("config", {})
    cm = m.get("confusion_matrix", [[0, 0], [0, 0]])
    abstain = m.get("abstain", {})
    total, tr, va = data.get("total", {}), data.get("train", {}), data.get("validation", {})
    notes = train.get("notes") or {}
    frozen = cfg.get("freeze_stages")
    init = "ImageNet" if cfg.get("pretrained") else "random (from scratch)"
    lines = [
        f"# Model card: {config.name}",
        "",
        f"Binary deepfake classifier for face crops: `{config.arch}` (timm) with "
        f"{'a CBAM attention block and ' if config.head.cbam else ''}a dropout "
        f"({config.head.dropout}) linear head giving one logit, FAKE probability = "
        f"sigmoid(logit / {config.temperature:.3f}).",
        "",
        "## Intended use",
        "Triage of single faces cropped from photos or video frames: a score and a verdict "
        "(REAL / UNCERTAIN / FAKE) to help a person decide, never a proof on its own.",
        "",
        "## Training data",
        f"- Source: {data.get('description', '')} (`{data.get('source', '')}`); "
        f"terms: {data.get('terms', 'see source')}.",
        f"- {total.get('images')} images ({total.get('real')} real, {total.get('fake')} fake) "
        f"from {total.get('groups')} source groups.",
        f"- Split by source group (a fake and the real video it was made from share a group): "
        f"train {tr.get('images')} images, validation {va.get('images')} images "
        f"({va.get('real')} real, {va.get('fake')} fake), seed "
        f"{data.get('split', {}).get('seed')}. No group is on both sides.",
        "",
        "## Training",
        f"- Initialisation: {init}{f'; stem and first {frozen} stages frozen' if frozen else ''}.",
        f"- Input {config.input_size} px, mean {list(config.mean)}, std {list(config.std)}, "
        f"{config.interpolation} resize; detected faces are cropped with margin "
        f"{config.face_margin:g}{_framing(data.get('face_framing', {}))}.",
        f"- {cfg.get('epochs')} epochs planned, best at epoch {train.get('best_epoch')}; "
        f"{cfg.get('optimizer')} lr {cfg.get('lr')} (warm-up {cfg.get('warmup_epochs')} epochs, "
        f"cosine), weight decay {cfg.get('weight_decay')}, batch {cfg.get('batch_size')}, loss "
        f"{cfg.get('loss')}, autocast {cfg.get('amp')}.",
    ]
    if cfg.get("teacher"):
        lines.append(f"- Knowledge distillation from `{cfg['teacher']}` (weight "
                     f"{cfg.get('distill_weight')}, temperature {cfg.get('distill_temperature')}).")
    lines += [f"- {key}: {value}" for key, value in notes.items()]
    lines += [
        f"- Built with faceproof {train.get('faceproof')}, torch {train.get('torch')} on "
        f"{train.get('machine')}.",
        "",
        "## Measured on the validation split",
        f"Weights as shipped ({m.get('weights_dtype', 'float16')}), preprocessing as served.",
        "",
        "| metric | value |",
        "|---|---|",
        f"| ROC-AUC | {m.get('roc_auc', float('nan')):.4f} |",
        f"| accuracy at the calibrated threshold {config.threshold:.3f} | {_pct(m['accuracy'])} |",
        f"| accuracy at 0.5 | {_pct(m['accuracy_at_0.5'])} |",
        f"| balanced accuracy | {_pct(m['balanced_accuracy'])} |",
        f"| precision / recall (FAKE) | {m['precision']:.4f} / {m['recall']:.4f} |",
        f"| F1 | {m['f1']:.4f} |",
        f"| equal error rate | {_pct(m['eer'])} |",
        f"| log loss before / after temperature | {m.get('log_loss_uncalibrated', 0):.4f} / "
        f"{m.get('log_loss', 0):.4f} |",
        f"| abstain band [{config.abstain_band.low:.3f}, {config.abstain_band.high:.3f}) | "
        f"UNCERTAIN on {_pct(abstain.get('fraction', 0))}; accuracy on the rest "
        f"{_pct(abstain.get('decided_accuracy', 0))} |",
        "",
        f"Confusion matrix (rows true, columns predicted; REAL, FAKE): {cm}.",
        "The threshold, temperature and band were fitted on this same split, so accuracy here "
        "is slightly optimistic; ROC-AUC does not depend on them.",
        "",
        "Figures: `reports/confusion_matrix.png`, `reports/roc.png`, "
        "`reports/training_curves.png`, `reports/samples.png`.",
        "",
        *_fast_path_lines(m.get("fast_path")),
        "## Limits",
        "- Trained on one data set (DFDC, 2019-2020 face-swap methods, mostly frontal faces of "
        "paid actors, crops median 155 px upscaled to 224): newer generators, other "
        "manipulations (lip-sync, full synthesis) and other populations are out of "
        "distribution and may be missed or mislabelled.",
        "- Scores faces, not images: a face the detector misses is not judged; with no face "
        "found the whole image is scored, which the model was not trained for.",
        "- Heavy compression, resizing and filters shift the score; treat UNCERTAIN as "
        "'needs a human'.",
        "- The validation split is not a test set: a separate group-disjoint test set is kept "
        "outside the project and was not used.",
        "",
        "## Training log (last lines)",
        "```",
        *train.get("log_tail", []),
        "```",
        "",
    ]
    return "\n".join(lines)
