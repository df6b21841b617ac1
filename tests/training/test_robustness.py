"""How stable the verdict is: the changes, the attacks' budgets, the report and the card."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from faceproof.bundle import load_bundle
from faceproof.preprocess import Preprocessor
from faceproof.stability import BENIGN_CHANGES
from training.datasets import Sample
from training.model_card import render_model_card
from training.robustness import (
    PixelSpace,
    adversarial_changes,
    fgsm,
    measure_bundle,
    pgd,
    stratified_sample,
    write_robustness,
)

DATASETS = ("dfdc", "real-faces", "generated-faces")


def textured_crops(n: int, size: int = 48, seed: int = 0) -> list[np.ndarray]:
    """Smooth colour gradients with noise: something JPEG and blur visibly change."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = []
    for _ in range(n):
        base = np.stack(
            [
                xx * rng.uniform(50, 200),
                yy * rng.uniform(50, 200),
                (xx + yy) * rng.uniform(20, 100),
            ],
            axis=-1,
        )
        out.append(np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8))
    return out


@pytest.fixture(scope="module")
def tiny(tiny_bundle_dir):
    """A tiny untrained (not constant) bundle whose card can be rendered."""
    folder = tiny_bundle_dir("robust", input_size=32, threshold=0.5, low=0.4, high=0.6)
    path = folder / "model.json"
    config = json.loads(path.read_text())
    config["metrics"].update(
        {
            "accuracy": 0.5,
            "accuracy_at_0.5": 0.5,
            "balanced_accuracy": 0.5,
            "precision": 0.5,
            "recall": 0.5,
            "f1": 0.5,
            "eer": 0.5,
        }
    )
    path.write_text(json.dumps(config))
    return folder


def batch(bundle, n=6):
    crops = textured_crops(n)
    return Preprocessor.from_config(bundle.config)(crops), torch.tensor([0, 1] * (n // 2))


@pytest.mark.parametrize("name", list(BENIGN_CHANGES))
def test_benign_changes_keep_shape_and_dtype(name):
    image = textured_crops(1)[0]
    out = BENIGN_CHANGES[name][1](image, np.random.default_rng(0))
    assert out.shape == image.shape and out.dtype == np.uint8


def test_jpeg_50_changes_pixels():
    image = textured_crops(1)[0]
    out = BENIGN_CHANGES["jpeg_50"][1](image, np.random.default_rng(0))
    assert np.abs(out.astype(int) - image).mean() > 1.0


def _loss(model, x, y):
    with torch.no_grad():
        return F.binary_cross_entropy_with_logits(model(x).float(), y.float()).item()


@pytest.mark.parametrize("attack", ["fgsm", "pgd"])
@pytest.mark.parametrize("eps", [1 / 255, 4 / 255])
def test_attacks_stay_within_eps_in_pixel_space_and_raise_the_loss(tiny, attack, eps):
    bundle = load_bundle(tiny)
    space = PixelSpace(bundle.config.mean, bundle.config.std)
    x, y = batch(bundle)
    adv = {"fgsm": fgsm, "pgd": pgd}[attack](bundle.model, x, y, eps, space)
    assert adv.shape == x.shape and adv.dtype == x.dtype
    moved = (space.to_pixels(adv) - space.to_pixels(x)).abs()
    assert moved.max().item() <= eps + 1e-5 and moved.max().item() > eps / 2
    pixels = space.to_pixels(adv)
    assert pixels.min().item() >= -1e-5 and pixels.max().item() <= 1 + 1e-5
    assert _loss(bundle.model, adv, y) > _loss(bundle.model, x, y)
    assert all(p.requires_grad for p in bundle.model.parameters())  # restored


def test_stratified_sample_keeps_every_data_set_and_class():
    samples = [
        Sample(path=f"{i}.jpg", label=i % 2, group=str(i), source=d, dataset=d)
        for i, d in enumerate([*["dfdc"] * 80, *["generated-faces"] * 16, *["faceswap-faces"] * 4])
    ]
    pick = stratified_sample(samples, np.arange(100), 20, seed=1)
    assert len(pick) == 20 and len(set(pick.tolist())) == 20
    assert {(samples[i].dataset, samples[i].label) for i in pick} == {
        (s.dataset, s.label) for s in samples
    }
    assert np.array_equal(pick, stratified_sample(samples, np.arange(100), 20, seed=1))
    assert len(stratified_sample(samples, np.arange(100), None)) == 100


@pytest.fixture(scope="module")
def report(tiny):
    bundle = load_bundle(tiny)
    n = 12
    labels = np.array([0, 1] * (n // 2))
    labels[4:8] = 0  # "real-faces": genuine only, as in the default mix
    datasets = np.array([DATASETS[0]] * 4 + [DATASETS[1]] * 4 + [DATASETS[2]] * 4)
    return measure_bundle(
        bundle,
        textured_crops(n),
        labels,
        datasets,
        adversarial=np.array([0, 1, 4, 5, 8, 9]),
        batch_size=5,
    )


def test_the_report_has_every_change_and_every_data_set(report):
    assert list(report["changes"]) == ["clean", *BENIGN_CHANGES, *adversarial_changes()]
    assert set(report["datasets"]) == set(DATASETS)
    for name, c in report["changes"].items():
        assert set(c["by_dataset"]) == set(DATASETS), name
        assert 0 <= c["flips"] <= 1 and 0 <= c["reversals"] <= c["flips"]
        assert c["by_dataset"]["real-faces"]["roc_auc"] is None  # one class
        assert c["by_dataset"]["dfdc"]["roc_auc"] is not None
        assert c["images"] == (6 if c["kind"] == "adversarial" else 12)
    assert report["changes"]["clean"]["flips"] == 0.0
    assert report["changes"]["clean"]["roc_auc_delta"] == 0.0
    json.dumps(report, allow_nan=False)  # no NaN: one-class ROC-AUC is null


def test_it_is_written_into_the_bundle_and_its_card(tiny, report):
    bundle = load_bundle(tiny)
    write_robustness(bundle, {**report, "split": "validation", "machine": "test"})
    assert (tiny / "reports" / "robustness.json").is_file()
    assert (tiny / "reports" / "robustness.png").stat().st_size > 1000
    reloaded = load_bundle(tiny)
    assert reloaded.config.metrics["robustness"]["images"] == 12
    card = (tiny / "MODEL_CARD.md").read_text()
    assert card == render_model_card(reloaded.config)
    section = card.split("## Robustness: how stable the verdict is")[1].split("\n## ")[0]
    for label in ["JPEG quality 50", "PGD-10 (step eps/4), eps 4/255", "FGSM, eps 1/255"]:
        assert f"| {label} |" in section
    assert "| change | images | ROC-AUC (change) | dfdc | generated-faces | real-faces |" in section
