"""MODEL_CARD.md text, rendered from a bundle's measured `model.json` only."""

from __future__ import annotations

from faceproof.bundle import BundleConfig
from faceproof.runtime import MIN_VERDICT_AGREEMENT, within_tolerance


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _framing(card: dict) -> str:
    if "crop_to_box_median" not in card:
        return ""
    return (
        f", measured: the training crops are {card['crop_to_box_median']:.2f}x the "
        f"{card.get('detector', 'face')} detector's box (median of {card['measured_on']} "
        f"crops), so serving crops frame faces as training did"
    )


def _fast_path_lines(metrics: dict, *, ships_int8: bool = True) -> list[str]:
    """Every serving path checked against torch fp32 (by `python -m training.fast_path`).

    `ships_int8` False: the bundle carries no int8 file (`training.quantize --drop` took it
    back), so an int8 path that passed its check is not served either."""
    checks = dict(metrics.get("fast_paths") or {})
    if not checks and metrics.get("fast_path"):
        checks = {f"torch-{metrics['fast_path']['precision']}": metrics["fast_path"]}
    if not checks:
        return []
    first = next(iter(checks.values()))
    lines = [
        "## Fast path (as served)",
        "The service runs this model through the fastest serving path measured on its CPU "
        "(`FACEPROOF_RUNTIME=auto`) among those that keep the reference's answers: an fp32 "
        "path unless its check below fails, a bf16 or int8 path only where its check passes "
        "(ROC-AUC within 0.002, pooled and on every data set of 100 images or more, and the "
        f"same verdict on at least {MIN_VERDICT_AGREEMENT:.0%} of the images). Measured on "
        f"the same validation split ({first['images']} "
        f"images, batches of {first['batch_size']}) against torch fp32 above, by "
        f"`python -m training.fast_path` ({first.get('machine', '')}):",
        "",
        "| path | ROC-AUC | change | worst data set change | verdicts agree | largest "
        "probability change | seconds (fp32 reference) | served by auto |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, c in checks.items():
        groups = [g for g in c.get("by_dataset", {}).values() if g["enforced"]]
        worst = max(groups, key=lambda g: abs(g["roc_auc_delta"])) if groups else None
        within = within_tolerance(c)
        served = (
            "yes, if fastest"
            if within
            else ("no" if c["precision"] != "fp32" else "no: make fast-path-check fails")
        )
        if within and c["precision"] == "int8" and not ships_int8:
            served = "no: no int8 file ships"
        worst_text = "-" if worst is None else f"{worst['roc_auc_delta']:+.4f}"
        lines.append(
            f"| {key} | {c['roc_auc_fast']:.4f} | {c['roc_auc_delta']:+.4f} | {worst_text} | "
            f"{_pct(c['verdict_agreement'])} | {c['max_probability_change']:.4f} | "
            f"{c.get('seconds_fast', 0):.1f} ({c.get('seconds_fp32', 0):.1f}) | {served} |"
        )
    notes = [f"- {key}: {c['note']}." for key, c in checks.items() if c.get("note")]
    return [*lines, *(["", *notes] if notes else []), ""]


def _auc_cell(f: dict) -> str:
    """ROC-AUC with its change from the clean crop, or "-" for a one-class set."""
    if f.get("roc_auc") is None:
        return "-"
    delta = f.get("roc_auc_delta")
    return f"{f['roc_auc']:.4f}" + ("" if not delta else f" ({delta:+.4f})")


def robustness_table(report: dict) -> list[str]:
    """change -> images, pooled ROC-AUC, per data set (ROC-AUC; verdict flips), flips."""
    sets = list(report.get("datasets", {}))
    lines = [
        "| change | images | ROC-AUC (change) | "
        + " | ".join(sets)
        + " | verdicts changed | REAL <-> FAKE |",
        "|---|---:|---:|" + "---:|" * len(sets) + "---:|---:|",
    ]
    for c in report.get("changes", {}).values():
        cells = []
        for name in sets:
            g = c.get("by_dataset", {}).get(name)
            cells.append("-" if g is None else f"{_auc_cell(g)}; {_pct(g['flips'])}")
        lines.append(
            f"| {c['label']} | {c['images']} | {_auc_cell(c)} | "
            + " | ".join(cells)
            + f" | {_pct(c['flips'])} | {_pct(c['reversals'])} |"
        )
    return lines


def _robustness_lines(metrics: dict) -> list[str]:
    """How stable the verdict is (by `python -m training.robustness`)."""
    r = metrics.get("robustness")
    if not r:
        return []
    return [
        "## Robustness: how stable the verdict is",
        f"Measured by `python -m training.robustness` with torch fp32 on {r['images']} faces "
        f"of the {r.get('split', 'validation split')} ({r.get('sample', 'stratified')}; "
        f"{r.get('machine', '')}). Benign changes are applied to the face crop before "
        "preprocessing; the adversarial ones perturb the preprocessed face within eps in "
        "pixel space [0, 1], toward the wrong label, on "
        f"{r['adversarial_images']} of these faces. Each row is compared with the clean crop "
        'on the same faces: ROC-AUC and its change; per data set, ROC-AUC ("-" where it '
        "has one class) and the share of verdicts changed; a verdict is changed when REAL, "
        "UNCERTAIN or FAKE at the served rule differs from the clean crop's.",
        "",
        *robustness_table(r),
        "",
        "Figure: `reports/robustness.png`; figures: `reports/robustness.json`.",
        "",
    ]


def _opt_pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _auc(x) -> str:
    return "-" if x is None or x != x else f"{x:.4f}"


def _sources_lines(data: dict) -> list[str]:
    """The training mix: every source with its counts per split and its terms."""
    sources = data.get("sources")
    if not sources:
        return [
            f"- Source: {data.get('description', '')} (`{data.get('source', '')}`); "
            f"terms: {data.get('terms', 'see source')}.",
        ]
    framing = data.get("face_framing", {}).get("by_source", {})
    lines = [
        f"- Mix: {data.get('description', '')}; split by group within each source "
        f"({data.get('split', {}).get('val_fraction', 0):.0%} validation, seed "
        f"{data.get('split', {}).get('seed')}): no identity or source video is on both sides.",
        "",
        "| data set | source | train real / fake | validation real / fake | held out | "
        "faces found | what it is | terms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, e in sources.items():
        tr, va, ho = e.get("train", {}), e.get("validation", {}), e.get("held_out")
        f = framing.get(name, {})
        found = f"{f['face_found']} / {f['images']}" if f else "-"
        held = f"{ho['real']} / {ho['fake']}" if ho else "-"
        lines.append(
            f"| {e.get('dataset', '')} | {name} | {tr.get('real', 0)} / {tr.get('fake', 0)} | "
            f"{va.get('real', 0)} / {va.get('fake', 0)} | "
            f"{held} | {found} | "
            f"{e.get('description', '')} | {e.get('terms', 'see source')} |"
        )
    lines.append("")
    sbi = data.get("self_blended")
    if sbi:
        lines.append(
            f"- Self-blended fakes: {sbi['share_of_draws']:.0%} of the training draws are "
            f"{sbi['method']}; {sbi['real_training_faces_with_landmarks']:.1%} of the genuine "
            f"training faces have landmarks and can be blended "
            f"({sbi['skipped_without_landmarks']} without are skipped)."
        )
    degrade = data.get("degradations")
    if degrade:
        lines.append(
            f"- Degradations on both classes alike: JPEG quality {degrade['jpeg_min']}-100 "
            f"(p {degrade['jpeg_p']}), down-scaling to {degrade['scale_min']}-1x and back "
            f"(p {degrade['scale_p']}), blur sigma up to {degrade['blur_sigma']} "
            f"(p {degrade['blur_p']}), noise std up to {degrade['noise_std']} "
            f"(p {degrade['noise_p']}); random framing around the detected box."
        )
    fr = data.get("face_framing", {})
    if fr.get("method"):
        no_face = (
            "kept and trained on whole (the service answers NO_FACE for such an image "
            "unless asked to score it whole, for tight crops the detector missed)"
            if fr.get("no_face") == "keep"
            else "left out of training"
        )
        search = ""
        if fr.get("detector") == "haar":  # cards from before crop-first have no key: full search
            search = ", crop-first search" if fr.get("crop_first") else ", full search"
        lines.append(
            f"- Crops: {fr['method']} ({fr.get('detector')}{search}, margin "
            f"{fr.get('face_margin')}); images where no face was found are {no_face}."
        )
    return lines


def _by_source_table(report: dict, title: str) -> list[str]:
    if not report:
        return []
    lines = [
        title,
        "",
        "| data set / source | real | fake | ROC-AUC | genuine called FAKE | genuine "
        "UNCERTAIN | fakes called REAL | fakes UNCERTAIN |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    for name, f in report.get("datasets", {}).items():
        rows.append((f"**{name}**", f))
        rows += [
            (f"{src}", g)
            for src, g in report.get("sources", {}).items()
            if g.get("dataset") == name and src != name
        ]
    rows.append(("**pooled**", report["pooled"]))
    for name, f in rows:
        lines.append(
            f"| {name} | {f['real']} | {f['fake']} | {_auc(f['roc_auc'])} | "
            f"{_opt_pct(f['real_called_fake'])} | {_opt_pct(f['real_uncertain'])} | "
            f"{_opt_pct(f['fake_called_real'])} | {_opt_pct(f['fake_uncertain'])} |"
        )
    return [*lines, ""]


def _calibration_lines(config: BundleConfig) -> list[str]:
    cal = config.metrics.get("calibration")
    if not cal or cal.get("method") != "false_accusation":
        return []
    rates = cal["false_fake_by_source"]
    binding = cal["worst_real_source"]
    highest = max(rates, key=rates.get) if rates else binding
    also = (
        f"; the most genuine faces called FAKE at this cut: `{highest}`, {_pct(rates[highest])}"
        if highest != binding and rates[highest] > rates.get(binding, 0)
        else ""
    )
    return [
        "## Decision rule: calibrated against false accusations",
        f"FAKE at or above {config.abstain_band.high:.3f}: the lowest cut at which at most "
        f"{cal['max_false_fake_rate']:.0%} of the genuine faces of every source in validation "
        f"are called FAKE (set by `{binding}`, {_pct(rates.get(binding, 0))} there{also}). "
        f"REAL below {config.abstain_band.low:.3f}: the highest cut at which at most "
        f"{cal['max_false_real_rate']:.0%} of the fakes of every source are called REAL (set "
        f"by `{cal['worst_fake_source']}`), never above the FAKE cut. UNCERTAIN between. "
        f"Sources with fewer than {cal.get('min_source_samples', 20)} validation faces of a "
        "class count within their data set.",
        "",
    ]


def _leave_one_out_lines(loo: list[dict]) -> list[str]:
    if not loo:
        return []
    lines = [
        "## Leave-one-source-out: data sets nobody trained on",
        "Each row is a separate run of the same recipe with one data set kept out of "
        "training and validation entirely (shorter: see `make train-default`), scored on all "
        "of that data set at its own calibrated rule. These are the honest figures for media "
        "unlike the training data.",
        "",
        *[
            f"- Without {run['source']}: `{run['run']}`"
            + (f", {run['recipe']}" if run.get("recipe") else "")
            + (
                f"; measured for the bundle of {run['carried_from']} and carried over (the run "
                "was not re-trained for this bundle)"
                if run.get("carried_from")
                else ""
            )
            + "."
            for run in loo
        ],
        "",
        "| held out | source | real | fake | ROC-AUC | genuine called FAKE | fakes called REAL |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for run in loo:
        for src, f in run["sources"].items():
            lines.append(
                f"| {run['source']} | {src} | {f['real']} | {f['fake']} | "
                f"{_auc(f['roc_auc'])} | {_opt_pct(f['real_called_fake'])} | "
                f"{_opt_pct(f['fake_called_real'])} |"
            )
        f = run["pooled"]
        lines.append(
            f"| {run['source']} | **all** | {f['real']} | {f['fake']} | "
            f"{_auc(f['roc_auc'])} | {_opt_pct(f['real_called_fake'])} | "
            f"{_opt_pct(f['fake_called_real'])} |"
        )
    return [*lines, ""]


def _history_lines(
    history: list[dict], data: str | None, validation_images: int | None
) -> list[str]:
    """The replaced bundles' figures, and which of this bundle's rows each compares with: the
    pooled one where it was measured on the same mix and split, its own data set's otherwise."""
    if not history:
        return []
    lines = [
        "## History: the bundles this one replaced",
        "",
        "| created | data | input | validation images | ROC-AUC | accuracy |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for h in history:
        lines.append(
            f"| {h.get('created')} | {h.get('data')} | {h.get('input_size')} | "
            f"{h.get('validation_images')} | {_auc(h.get('roc_auc'))} | "
            f"{_opt_pct(h.get('accuracy'))} |"
        )
    same = [
        h.get("data") == data and h.get("validation_images") == validation_images for h in history
    ]
    if all(same):
        note = (
            "They were measured on the same mix and validation split as this bundle, so they "
            "compare with its pooled row."
        )
    elif not any(same):
        note = (
            "They were measured on their own data and validation split, so they compare with "
            "this bundle's row for that data set, not with the pooled one."
        )
    else:
        note = (
            "Those with this bundle's data and validation size were measured on the same split "
            "and compare with its pooled row; the others on their own data, so they compare "
            "with this bundle's row for that data set."
        )
    return [*lines, "", note, ""]


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
        f"({config.head.dropout}) linear head giving one logit"
        + (
            " (served: the mean of the logits of the face and of its left-right mirror "
            "image, scored together; every figure below was measured that way)"
            if config.head.mirror_average
            else ""
        )
        + f", FAKE probability = sigmoid(logit / {config.temperature:.3f}).",
        "",
        "## Intended use",
        "Triage of single faces cropped from photos or video frames: a score and a verdict "
        "(REAL / UNCERTAIN / FAKE) to help a person decide, never a proof on its own.",
        "",
        "## Training data",
        *_sources_lines(data),
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
        *(
            [f"- Warm start from `{cfg['init_from']}` (an earlier stage of training), then:"]
            if cfg.get("init_from")
            else []
        ),
        (
            "- No training in this stage: the warm start's weights, validated and exported as "
            "they are (the serving and the decision rule are what changed)."
            if cfg.get("epochs") == 0
            else f"- {cfg.get('epochs')} epochs planned, best at epoch {train.get('best_epoch')}; "
            f"{cfg.get('optimizer')} lr {cfg.get('lr')} (warm-up {cfg.get('warmup_epochs')} "
            f"epochs, cosine), weight decay {cfg.get('weight_decay')}, batch "
            f"{cfg.get('batch_size')}, loss {cfg.get('loss')}, autocast {cfg.get('amp')}."
        ),
    ]
    if cfg.get("teacher"):
        features = (
            f"; its pooled features matched too (cosine distance, weight "
            f"{cfg['distill_feature_weight']}, through a linear projection trained beside the "
            "model and not kept)"
            if cfg.get("distill_feature_weight")
            else ""
        )
        lines.append(
            f"- Knowledge distillation from `{cfg['teacher']}` (weight "
            f"{cfg.get('distill_weight')}, temperature {cfg.get('distill_temperature')}"
            f"{features})."
        )
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
        *_by_source_table(
            m.get("by_source", {}),
            "Per data set and source, at the served "
            "rule (FAKE at or above the band's top, REAL below its bottom):",
        ),
        f"Confusion matrix (rows true, columns predicted; REAL, FAKE): {cm}.",
        "The threshold, temperature and band were fitted on this same split, so accuracy here "
        "is slightly optimistic; ROC-AUC does not depend on them.",
        "",
        "Figures: `reports/confusion_matrix.png`, `reports/roc.png`"
        + (", `reports/training_curves.png`" if cfg.get("epochs") != 0 else "")
        + "; `reports/samples.png` (validation faces with their "
        "scores) stays where the bundle was exported, as the data sets' terms forbid "
        "redistributing their images.",
        "",
        *_calibration_lines(config),
        *_leave_one_out_lines(m.get("leave_one_out", [])),
        *_fast_path_lines(m, ships_int8=config.int8 is not None),
        *_robustness_lines(m),
        "## Limits",
        *_limits(data),
        "- Heavy compression, resizing and filters shift the score; treat UNCERTAIN as "
        "'needs a human'.",
        "- The validation split is not a test set: a separate group-disjoint test set is kept "
        "outside the project and was not used.",
        "",
        *_history_lines(
            train.get("history", []),
            data.get("description", data.get("source")),
            data.get("validation", {}).get("images"),
        ),
        "## Training log (last lines)",
        "```",
        *train.get("log_tail", []),
        "```",
        "",
    ]
    return "\n".join(lines)


def _limits(data: dict) -> list[str]:
    if not data.get("sources"):
        return [
            "- Trained on one data set (DFDC, 2019-2020 face-swap methods, mostly frontal "
            "faces of paid actors, crops median 155 px upscaled to 224): newer generators, "
            "other manipulations (lip-sync, full synthesis) and other populations are out of "
            "distribution and may be missed or mislabelled.",
            "- Scores faces, not images: a face the detector misses is not judged; with no "
            "face found the whole image is scored, which the model was not trained for.",
        ]
    return [
        "- Trained on the sources above only: a generator or manipulation none of them "
        "contains may be missed; the leave-one-source-out figures show how far the recipe "
        "carries to a data set it never saw.",
        "- Small sources (a few dozen validation faces) give noisy rates; the decision rule "
        "pools them within their data set.",
        "- Scores faces, not images: a face the detector misses is not judged; with no face "
        "found the whole image is scored (training kept such images, so this is seen but "
        "less reliable).",
    ]
