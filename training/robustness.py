"""How stable the verdict is: ROC-AUC and verdict flips per data set under the benign changes a
file meets on its way to a newsroom, and under small adversarial perturbations.

`python -m training.robustness models --config training/configs/efficientnet_lite0.yaml`
(or one bundle folder; `--data x.csv` for a plain data set) scores a stratified sample of the
validation split (`--max-images`, default 600, seeded; every data set and class in its share)
with the plain torch fp32 path the cards were measured with:

- benign changes, applied to the uint8 face crop before preprocessing: JPEG re-compression at
  quality 90 / 70 / 50, down-scaling to 0.5x and back, Gaussian blur (sigma 1) and Gaussian
  noise (sigma 5/255);
- adversarial perturbations of the preprocessed face, bounded in pixel space [0, 1] (the
  bundle's mean and std are undone and redone around each step) and aimed at the wrong label:
  FGSM and PGD (10 steps of eps/4, from the clean face) at eps 1/255, 2/255 and 4/255, on
  `--adversarial-images` of the sample (default: all of it).

Per change: ROC-AUC pooled and per data set (next to the clean figure on the same images), the
share of verdicts (REAL / UNCERTAIN / FAKE at the served rule) that differ from the clean
crop's, and the share turned from REAL to FAKE or back. Each bundle gets
`reports/robustness.json`, `reports/robustness.png`, `metrics.robustness` in model.json and a
"Robustness" section in MODEL_CARD.md; the table is printed in Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import platform
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from faceproof.bundle import CARD_FILE, Bundle, find_bundles, load_bundle, write_config
from faceproof.preprocess import Preprocessor
from faceproof.stability import BENIGN_CHANGES, BenignChange
from faceproof.verdict import DecisionRule
from training.datasets import Sample
from training.evaluate import calibrated_probs
from training.metrics import binary_metrics
from training.model_card import render_model_card, robustness_table
from training.run_data import add_data_arguments, open_run_data, split_words

log = logging.getLogger("training.robustness")

EPSILONS = (1, 2, 4)
"""Adversarial budgets, in grey levels of 255 (L-inf in pixel space)."""

PGD_STEPS = 10

ATTACKS = ("fgsm", "pgd")


def adversarial_changes() -> dict[str, str]:
    """Name -> what it is, for every attack and budget."""
    return {
        f"{a}_{e}": (
            f"FGSM, eps {e}/255" if a == "fgsm" else f"PGD-{PGD_STEPS} (step eps/4), eps {e}/255"
        )
        for a in ATTACKS
        for e in EPSILONS
    }


# --- adversarial perturbations on the preprocessed tensor ----------------------------------


class PixelSpace:
    """Between a bundle's normalised input and pixels on [0, 1]: x = (p - mean) / std."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    def to_pixels(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.std + self.mean

    def from_pixels(self, p: torch.Tensor) -> torch.Tensor:
        return (p - self.mean) / self.std


@contextlib.contextmanager
def _input_gradients_only(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode, no weight gradients (restored afterwards): only the input's are needed."""
    flags = [p.requires_grad for p in model.parameters()]
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        with torch.enable_grad():
            yield
    finally:
        for p, flag in zip(model.parameters(), flags, strict=True):
            p.requires_grad_(flag)


def _loss_and_grad(
    model: torch.nn.Module, space: PixelSpace, pixels: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image BCE against the true label, and its gradient w.r.t. the pixels."""
    pixels = pixels.detach().requires_grad_(True)
    logits = model(space.from_pixels(pixels)).float().reshape(-1)
    loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), pixels)
    return loss.detach(), grad


def fgsm(
    model: torch.nn.Module, x: torch.Tensor, labels: torch.Tensor, eps: float, space: PixelSpace
) -> torch.Tensor:
    """One signed-gradient step of `eps` (pixels on [0, 1]) toward the wrong label.

    Args:
        x: normalised input batch (N, 3, S, S).
        labels: 0 (REAL) or 1 (FAKE) per image.
    Returns:
        The perturbed batch, normalised like `x`.
    """
    labels = labels.float()
    with _input_gradients_only(model):
        pixels = space.to_pixels(x)
        _, grad = _loss_and_grad(model, space, pixels, labels)
    return space.from_pixels((pixels + eps * grad.sign()).clamp(0.0, 1.0)).detach()


def pgd(
    model: torch.nn.Module,
    x: torch.Tensor,
    labels: torch.Tensor,
    eps: float,
    space: PixelSpace,
    steps: int = PGD_STEPS,
    step: float | None = None,
) -> torch.Tensor:
    """Projected gradient ascent on the true label's loss (toward the wrong label) within
    `eps` of `x` in pixel space [0, 1]: `steps` signed steps of `step` (default eps/4) from
    the clean image, keeping per image the iterate with the highest loss, so the attack never
    ends weaker than the clean image."""
    step = eps / 4 if step is None else step
    labels = labels.float()
    with _input_gradients_only(model):
        clean = space.to_pixels(x).detach()
        current, best, best_loss = clean, clean, None
        for i in range(steps + 1):
            if i == steps:  # the last iterate needs its loss, not a gradient
                with torch.no_grad():
                    logits = model(space.from_pixels(current)).float().reshape(-1)
                    loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
            else:
                loss, grad = _loss_and_grad(model, space, current, labels)
            if best_loss is None:
                best_loss = loss
            else:
                better = loss > best_loss
                best = torch.where(better.view(-1, 1, 1, 1), current, best)
                best_loss = torch.maximum(loss, best_loss)
            if i == steps:
                break
            moved = current + step * grad.sign()
            current = torch.minimum(torch.maximum(moved, clean - eps), clean + eps)
            current = current.clamp(0.0, 1.0).detach()
    return space.from_pixels(best).detach()


ATTACK_FUNCTIONS = {"fgsm": fgsm, "pgd": pgd}


# --- the sample and the measurement ---------------------------------------------------------


def stratified_sample(
    samples: Sequence[Sample], indices: np.ndarray, n: int | None, seed: int = 0
) -> np.ndarray:
    """About `n` of `indices` with every (data set, label) stratum in its share (at least one
    each), drawn with `seed`; sorted. All of them when `n` is None or not smaller."""
    indices = np.asarray(indices)
    if n is None or n >= len(indices):
        return np.sort(indices)
    keys = [(samples[i].dataset, samples[i].label) for i in indices]
    strata: dict[tuple, list[int]] = {}
    for i, key in zip(indices.tolist(), keys, strict=True):
        strata.setdefault(key, []).append(i)
    names = sorted(strata)
    exact = np.array([n * len(strata[k]) / len(indices) for k in names])
    quota = np.maximum(np.floor(exact).astype(int), 1)
    for j in np.argsort(-(exact - np.floor(exact))):  # largest remainders first
        if quota.sum() >= n:
            break
        quota[j] += 1
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(strata[k], size=min(q, len(strata[k])), replace=False)
        for k, q in zip(names, quota, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def _auc(labels: np.ndarray, probs: np.ndarray) -> float | None:
    if len(np.unique(labels)) < 2:
        return None
    return float(binary_metrics(labels, probs)["roc_auc"])


def _nan(x: float | None) -> float:
    return float("nan") if x is None else x


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare_change(
    labels: np.ndarray,
    datasets: np.ndarray,
    clean: np.ndarray,
    changed: np.ndarray,
    rule: DecisionRule,
) -> dict:
    """ROC-AUC clean and changed (pooled and per data set), verdict flips and reversals."""
    v_clean, v_changed = rule.levels(clean), rule.levels(changed)
    flipped = v_clean != v_changed
    reversed_ = np.abs(v_clean.astype(int) - v_changed) == 2  # REAL <-> FAKE

    def figures(m: np.ndarray) -> dict:
        a, b = _auc(labels[m], clean[m]), _auc(labels[m], changed[m])
        return {
            "images": int(m.sum()),
            "roc_auc_clean": a,
            "roc_auc": b,
            "roc_auc_delta": _delta(a, b),
            "flips": float(flipped[m].mean()),
            "reversals": float(reversed_[m].mean()),
            "mean_probability_change": float(np.abs(changed[m] - clean[m]).mean()),
        }

    out = figures(np.ones(len(labels), dtype=bool))
    out["by_dataset"] = {name: figures(datasets == name) for name in sorted(set(datasets.tolist()))}
    return out


def _probs(bundle: Bundle, x: torch.Tensor) -> np.ndarray:
    with torch.inference_mode():
        logits = bundle.model(x).float().reshape(-1).numpy()
    return calibrated_probs(logits, bundle.config.temperature)


def measure_bundle(
    bundle: Bundle,
    crops: Sequence[np.ndarray],
    labels: np.ndarray,
    datasets: np.ndarray,
    *,
    adversarial: np.ndarray | None = None,
    batch_size: int = 32,
    seed: int = 0,
) -> dict:
    """Every change on `crops` (uint8 RGB face crops, as served) for one bundle.

    Args:
        labels: 0 (REAL) / 1 (FAKE) per crop.
        datasets: data set name per crop.
        adversarial: positions (into `crops`) to attack; default all.
    Returns:
        {"images", "adversarial_images", "datasets", "changes": {name: figures}}; "clean" is
        the reference, each change compared with it on the same images.
    """
    labels, datasets = np.asarray(labels).astype(int), np.asarray(datasets)
    adversarial = np.arange(len(crops)) if adversarial is None else np.asarray(adversarial)
    preprocess = Preprocessor.from_config(bundle.config)
    rule = DecisionRule.from_config(bundle.config)
    space = PixelSpace(bundle.config.mean, bundle.config.std)
    batches = [
        np.arange(s, min(s + batch_size, len(crops))) for s in range(0, len(crops), batch_size)
    ]

    def score(change: BenignChange | None, rng: np.random.Generator | None) -> np.ndarray:
        parts = [
            _probs(
                bundle,
                preprocess([crops[i] if change is None else change(crops[i], rng) for i in b]),
            )
            for b in batches
        ]
        return np.concatenate(parts)

    clean = score(None, None)
    changes = {
        "clean": {
            "label": "none (the clean crop)",
            "kind": "clean",
            **compare_change(labels, datasets, clean, clean, rule),
        }
    }
    for j, (name, (label, change)) in enumerate(BENIGN_CHANGES.items()):
        start = time.perf_counter()
        changed = score(change, np.random.default_rng([seed, j]))
        changes[name] = {
            "label": label,
            "kind": "benign",
            **compare_change(labels, datasets, clean, changed, rule),
        }
        log.info(
            "%s %s: ROC-AUC %.4f, flips %.1f %% (%.1f s)",
            bundle.name,
            name,
            _nan(changes[name]["roc_auc"]),
            100 * changes[name]["flips"],
            time.perf_counter() - start,
        )
    adv_batches = [adversarial[s : s + batch_size] for s in range(0, len(adversarial), batch_size)]
    for name, label in adversarial_changes().items():
        attack, eps = name.split("_")
        start = time.perf_counter()
        parts = []
        for b in adv_batches:
            x = preprocess([crops[i] for i in b])
            y = torch.from_numpy(labels[b])
            parts.append(
                _probs(bundle, ATTACK_FUNCTIONS[attack](bundle.model, x, y, int(eps) / 255, space))
            )
        changed = np.concatenate(parts) if parts else np.zeros(0)
        changes[name] = {
            "label": label,
            "kind": "adversarial",
            **compare_change(
                labels[adversarial], datasets[adversarial], clean[adversarial], changed, rule
            ),
        }
        log.info(
            "%s %s: ROC-AUC %.4f, flips %.1f %% (%.1f s)",
            bundle.name,
            name,
            _nan(changes[name]["roc_auc"]),
            100 * changes[name]["flips"],
            time.perf_counter() - start,
        )
    return {
        "images": len(crops),
        "adversarial_images": len(adversarial),
        "datasets": {
            name: {
                "real": int(((datasets == name) & (labels == 0)).sum()),
                "fake": int(((datasets == name) & (labels == 1)).sum()),
            }
            for name in sorted(set(datasets.tolist()))
        },
        "rule": {"low": rule.low, "high": rule.high},
        "changes": changes,
    }


# --- writing it into the bundle -------------------------------------------------------------


def plot_robustness(report: dict, path: Path, title: str) -> None:
    """ROC-AUC (pooled and per data set with both classes) and verdict flips per change."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["changes"])
    x = np.arange(len(names))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    series = [("pooled", [report["changes"][n] for n in names])]
    series += [
        (d, [report["changes"][n]["by_dataset"].get(d, {}) for n in names])
        for d in report["datasets"]
    ]
    for label, rows in series:
        aucs = [r.get("roc_auc") for r in rows]
        if any(a is not None for a in aucs):
            left.plot(
                x,
                [np.nan if a is None else a for a in aucs],
                "o-",
                lw=2.5 if label == "pooled" else 1.2,
                label=label,
            )
        right.plot(
            x,
            [100 * r.get("flips", np.nan) for r in rows],
            "o-",
            lw=2.5 if label == "pooled" else 1.2,
            label=label,
        )
    for ax, ylabel in ((left, "ROC-AUC"), (right, "verdicts changed vs clean (%)")):
        ax.set_xticks(x, names, rotation=60, ha="right", fontsize=8)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_robustness(bundle: Bundle, report: dict) -> None:
    """reports/robustness.json and .png, metrics.robustness in model.json, the card."""
    reports = bundle.path / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "robustness.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    plot_robustness(
        report,
        reports / "robustness.png",
        f"{bundle.name}: {report['images']} validation faces "
        f"({report['adversarial_images']} attacked), torch fp32",
    )
    config = bundle.config.model_copy(
        update={"metrics": {**bundle.config.metrics, "robustness": report}}
    )
    write_config(config, bundle.path)
    (bundle.path / CARD_FILE).write_text(render_model_card(config), encoding="utf-8")
    bundle.config = config


def load_validation(args: argparse.Namespace, bundles):
    """(samples, validation indices, cached crops, split description) of a config or data."""
    data = open_run_data(args, bundles)
    return (
        data.samples,
        data.rows("val"),
        data.images,
        (f"validation split ({split_words(data.config)})"),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", type=Path, help="a bundle folder, or a folder of bundles")
    add_data_arguments(parser, config_help="a training config: its mix's validation split")
    parser.add_argument(
        "--max-images",
        type=int,
        default=600,
        help="stratified sample of the validation split (0: all of it)",
    )
    parser.add_argument(
        "--adversarial-images",
        type=int,
        default=None,
        help="attack a stratified part of the sample (default: all of it)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    folders = find_bundles(args.bundles)
    if not folders:
        parser.error(f"no bundle (folder with model.json) in {args.bundles}")
    bundles = [load_bundle(f) for f in folders]
    samples, val_idx, images, split = load_validation(args, bundles)
    sample = stratified_sample(samples, val_idx, args.max_images or None, args.seed)
    attacked = stratified_sample(samples, sample, args.adversarial_images, args.seed)
    crops = [np.ascontiguousarray(images[i]) for i in sample]
    labels = np.array([samples[i].label for i in sample])
    datasets = np.array([samples[i].dataset for i in sample])
    machine = f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    for bundle in bundles:
        start = time.perf_counter()
        report = measure_bundle(
            bundle,
            crops,
            labels,
            datasets,
            adversarial=np.searchsorted(sample, attacked),
            batch_size=args.batch_size,
            seed=args.seed,
        )
        report.update(
            {
                "split": split,
                "sample": f"stratified by data set and class, seed {args.seed}",
                "machine": machine,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        write_robustness(bundle, report)
        print(
            f"\n{bundle.name} ({report['images']} validation faces, "
            f"{report['adversarial_images']} attacked; {report['seconds']:.0f} s):\n"
        )
        print("\n".join(robustness_table(report)))


if __name__ == "__main__":
    main()
