"""Check that every serving path (torch bf16, ONNX Runtime, OpenVINO; fp32, bf16, int8) gives the
torch fp32 answers on the validation split, and record the checks in each bundle's card.

`python -m training.fast_path models --config training/configs/efficientnet_lite0.yaml`
(or `--data x.csv` for a plain data set) scores the validation split with the plain torch fp32
path the cards were measured with, then through each serving path this machine has (or those
named by `--paths`), in batches of the service's default size. It writes
`metrics.fast_paths` into each model.json (per path: ROC-AUC both ways, pooled and per data
set; the largest probability change, verdict agreement, seconds), re-renders MODEL_CARD.md,
records the ensemble's figures in ensemble.json, and reports each path within or beyond
`--tolerance` (0.002 ROC-AUC, pooled or on any data set with both classes and at least 100
validation images).

What the service does with the checks (`faceproof.runner_choice`): a lower-precision path
(bf16) is served by "auto" only where its check is within the tolerance; an fp32 compiled
path is served unless its check is beyond it. The command exits non-zero when an fp32 path is
beyond the tolerance (one that would be served otherwise), and names the bf16 paths that will
not be served.
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
from faceproof.compiled import int8_file, openvino_precisions
from faceproof.ensemble import ensemble_probability, member_weights, read_ensemble, write_ensemble
from faceproof.preprocess import make_preprocessor
from faceproof.runner_choice import Candidate, build_runner
from faceproof.runtime import FAST_PATH_TOLERANCE, MIN_VERDICT_AGREEMENT, cpu_has_native_bf16
from faceproof.verdict import DecisionRule
from training.evaluate import bundle_logits, calibrated_probs
from training.metrics import binary_metrics
from training.model_card import render_model_card
from training.run_data import RunData, add_data_arguments, open_run_data, split_words

log = logging.getLogger("training.fast_path")


def available_paths() -> list[Candidate]:
    """The serving paths this machine can check: torch bf16 where the CPU has it natively,
    ONNX Runtime fp32, OpenVINO at each precision its CPU plugin computes natively, and both
    on int8 (measured for the bundles that have an int8 file, `training.quantize`)."""
    paths = [Candidate("torch", "bf16")] if cpu_has_native_bf16() else []
    ov = [Candidate("openvino", p) for p in openvino_precisions()]  # () without it
    try:
        import onnxruntime  # noqa: F401

        paths.append(Candidate("onnxruntime", "fp32"))
        ort = True
    except ImportError:
        ort = False
    return (
        paths
        + ov
        + ([Candidate("onnxruntime", "int8")] if ort else [])
        + ([Candidate("openvino", "int8")] if ov else [])
    )


def parse_paths(text: str) -> list[Candidate]:
    """ "openvino-bf16,onnxruntime-fp32" -> candidates."""
    out = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        runtime, _, precision = item.rpartition("-")
        if runtime not in ("torch", "onnxruntime", "openvino") or precision not in (
            "fp32",
            "bf16",
            "int8",
        ):
            raise SystemExit(
                f"unknown serving path {item!r}: RUNTIME-PRECISION, e.g. openvino-bf16"
            )
        out.append(Candidate(runtime, precision))
    return out


def fast_logits(
    bundle: Bundle,
    images: np.ndarray,
    indices: np.ndarray,
    path: Candidate,
    batch_size: int = 32,
    threads: int | None = None,
) -> np.ndarray:
    """Logits through the serving runner of `path`, in batches of `batch_size`."""
    runner = build_runner(bundle, path, threads or torch.get_num_threads())
    preprocess = make_preprocessor(bundle.config)
    parts = [
        runner(preprocess([images[i] for i in indices[s : s + batch_size]]))
        for s in range(0, len(indices), batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


MIN_GROUP_IMAGES = 100
"""Data sets smaller than this get their ROC-AUC change reported but not enforced: on a few
dozen images one swapped pair moves ROC-AUC by more than the tolerance."""


def compare(
    labels: np.ndarray,
    reference: np.ndarray,
    fast: np.ndarray,
    rule: DecisionRule,
    groups: np.ndarray | None = None,
) -> dict:
    """ROC-AUC of both, the largest probability change and how often the verdicts agree;
    with `groups` (a data set name per image) also ROC-AUC both ways per group."""
    auc_ref = binary_metrics(labels, reference, rule.threshold)["roc_auc"]
    auc_fast = binary_metrics(labels, fast, rule.threshold)["roc_auc"]
    return {
        "roc_auc_fp32": float(auc_ref),
        "roc_auc_fast": float(auc_fast),
        "roc_auc_delta": float(auc_fast - auc_ref),
        "max_probability_change": float(np.max(np.abs(fast - reference))) if len(fast) else 0.0,
        "mean_probability_change": float(np.mean(np.abs(fast - reference))) if len(fast) else 0.0,
        "verdict_agreement": float(np.mean(rule.verdicts(reference) == rule.verdicts(fast))),
        "images": len(labels),
        **(
            {"by_dataset": _by_group(labels, reference, fast, groups)} if groups is not None else {}
        ),
    }


def _by_group(labels, reference, fast, groups) -> dict:
    out = {}
    for name in sorted(set(groups.tolist())):
        m = groups == name
        if len(np.unique(labels[m])) < 2:
            continue
        a = float(binary_metrics(labels[m], reference[m])["roc_auc"])
        b = float(binary_metrics(labels[m], fast[m])["roc_auc"])
        out[name] = {
            "images": int(m.sum()),
            "roc_auc_fp32": a,
            "roc_auc_fast": b,
            "roc_auc_delta": b - a,
            "enforced": bool(m.sum() >= MIN_GROUP_IMAGES),
        }
    return out


def worst_delta(result: dict) -> float:
    """The largest enforced ROC-AUC change, pooled or per data set."""
    deltas = [abs(result["roc_auc_delta"])]
    deltas += [
        abs(g["roc_auc_delta"]) for g in result.get("by_dataset", {}).values() if g["enforced"]
    ]
    return max(deltas)


def check_fast_path(
    models_dir: Path,
    data: RunData,
    *,
    paths: list[Candidate] | None = None,
    batch_size: int = 32,
    bundles: list[Bundle] | None = None,
) -> dict[str, dict]:
    """Measure every bundle in `models_dir` (and the fitted ensemble) through each of `paths`
    (default: `available_paths()`) and record the results, on the validation split of a run's
    data (`training.run_data.open_run_data`: a config's mix as served crops, or a plain data
    set). Returns {bundle or "ensemble": {path key: result}}."""
    paths = available_paths() if paths is None else paths
    folders = find_bundles(models_dir)
    reference_bundles = bundles or [load_bundle(f) for f in folders]
    samples, indices, images = data.samples, data.rows("val"), data.images
    groups = None if data.plain else np.array([samples[i].dataset for i in indices])
    labels = np.array([samples[i].label for i in indices])
    machine = f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    split = f"validation, {split_words(data.config)}"
    results: dict[str, dict] = {}
    probs_ref: list[np.ndarray] = []
    probs_fast: dict[str, list[np.ndarray]] = {c.key: [] for c in paths}
    for ref, folder in zip(reference_bundles, folders, strict=True):
        start = time.perf_counter()
        p_ref = calibrated_probs(
            bundle_logits(ref.model, ref.config, images, indices), ref.config.temperature
        )
        ref_s = time.perf_counter() - start
        probs_ref.append(p_ref)
        rule = DecisionRule.from_config(ref.config)
        checks = {}
        for path in paths:
            fast = load_bundle(folder)  # own modules: channels-last changes them
            if path.precision == "int8" and int8_file(fast) is None:
                continue  # no int8 file (training.quantize) for this bundle
            start = time.perf_counter()
            p_fast = calibrated_probs(
                fast_logits(fast, images, indices, path, batch_size), ref.config.temperature
            )
            fast_s = time.perf_counter() - start
            probs_fast[path.key].append(p_fast)
            result = compare(labels, p_ref, p_fast, rule, groups)
            result.update(
                {
                    "runtime": path.runtime,
                    "precision": path.precision,
                    "batch_size": batch_size,
                    "machine": machine,
                    "seconds_fp32": round(ref_s, 1),
                    "seconds_fast": round(fast_s, 1),
                    "split": split,
                }
            )
            checks[path.key] = result
            log.info(
                "%s %s: ROC-AUC fp32 %.4f, fast %.4f (delta %+.4f); verdicts agree on "
                "%.2f %%; %.1f s vs %.1f s",
                ref.name,
                path.key,
                result["roc_auc_fp32"],
                result["roc_auc_fast"],
                result["roc_auc_delta"],
                100 * result["verdict_agreement"],
                ref_s,
                fast_s,
            )
        results[ref.name] = checks
        metrics = {k: v for k, v in ref.config.metrics.items() if k != "fast_path"}
        checks = {**metrics.get("fast_paths", {}), **checks}  # paths not measured now stay
        config_out = ref.config.model_copy(update={"metrics": {**metrics, "fast_paths": checks}})
        write_config(config_out, ref.path)
        (ref.path / CARD_FILE).write_text(render_model_card(config_out), encoding="utf-8")
    ensemble = read_ensemble(models_dir)
    names = [b.name for b in reference_bundles]
    if ensemble is not None and ensemble.applies_to(names) and paths:
        weights = member_weights(ensemble, names)
        reference = ensemble_probability(np.stack(probs_ref, 1), weights)
        checks = {}
        for path in paths:
            if len(probs_fast[path.key]) != len(names):
                continue  # a path some member lacks (int8)
            result = compare(
                labels,
                reference,
                ensemble_probability(np.stack(probs_fast[path.key], 1), weights),
                ensemble.rule,
                groups,
            )
            result.update(
                {
                    "runtime": path.runtime,
                    "precision": path.precision,
                    "batch_size": batch_size,
                    "machine": machine,
                }
            )
            checks[path.key] = result
        results["ensemble"] = checks
        metrics = {k: v for k, v in ensemble.metrics.items() if k != "fast_path"}
        checks = {**metrics.get("fast_paths", {}), **checks}
        write_ensemble(
            ensemble.model_copy(update={"metrics": {**metrics, "fast_paths": checks}}), models_dir
        )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir", type=Path, help="folder of bundles (and ensemble.json)")
    add_data_arguments(parser, config_help="a training config: its mix's validation split")
    parser.add_argument(
        "--paths",
        help="comma-separated serving paths, e.g. "
        "openvino-bf16,onnxruntime-fp32 (default: all this machine has)",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--tolerance",
        type=float,
        default=FAST_PATH_TOLERANCE,
        help="largest ROC-AUC change accepted (either way)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    paths = parse_paths(args.paths) if args.paths else None
    bundles = [load_bundle(f) for f in find_bundles(args.models_dir)]
    results = check_fast_path(
        args.models_dir,
        open_run_data(args, bundles),
        paths=paths,
        batch_size=args.batch_size,
        bundles=bundles,
    )
    failed, unserved = [], []
    for name, checks in results.items():
        for key, r in checks.items():
            worst = worst_delta(r)
            ok = worst <= args.tolerance and r["verdict_agreement"] >= MIN_VERDICT_AGREEMENT
            print(
                f"{name} {key}: ROC-AUC fp32 {r['roc_auc_fp32']:.4f}, fast "
                f"{r['roc_auc_fast']:.4f} ({r['roc_auc_delta']:+.4f}); verdicts agree "
                f"{100 * r['verdict_agreement']:.2f} %; largest probability change "
                f"{r['max_probability_change']:.4f}; "
                f"{'within' if ok else 'BEYOND'} {args.tolerance}"
            )
            if r["verdict_agreement"] < MIN_VERDICT_AGREEMENT:
                print(f"  verdicts agree on fewer than {MIN_VERDICT_AGREEMENT:.0%}")
            for group, g in r.get("by_dataset", {}).items():
                print(
                    f"  {group}: {g['roc_auc_fp32']:.4f} vs {g['roc_auc_fast']:.4f} "
                    f"({g['roc_auc_delta']:+.4f}, {g['images']} images"
                    f"{'' if g['enforced'] else ', too few to enforce'})"
                )
            if not ok and name != "ensemble":
                (failed if r["precision"] == "fp32" else unserved).append(
                    f"{name} {key} ({worst:.4f})"
                )
    if unserved:
        print("not served by auto (beyond the tolerance): " + ", ".join(unserved))
    if failed:
        raise SystemExit(
            "fp32 serving paths moved ROC-AUC beyond the tolerance: " + ", ".join(failed)
        )


if __name__ == "__main__":
    main()
