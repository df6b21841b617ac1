"""The committed default bundles in models/: complete, loadable, sane on generated inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from faceproof.bundle import CARD_FILE, REPORTS_DIR, find_bundles, load_bundle, read_config
from faceproof.predictor import Predictor
from faceproof.runtime import within_tolerance

MODELS = Path(__file__).resolve().parents[2] / "models"
DEFAULTS = [p for p in find_bundles(MODELS)]
pytestmark = pytest.mark.skipif(not DEFAULTS, reason="no default bundles in models/")

SERVICE_FIELDS = (
    "name",
    "arch",
    "input_size",
    "mean",
    "std",
    "interpolation",
    "face_margin",
    "threshold",
    "temperature",
    "abstain_band",
    "metrics",
    "data",
    "created",
)
METRICS = (
    "roc_auc",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "eer",
    "confusion_matrix",
    "abstain",
    "samples",
    "split",
)


@pytest.mark.parametrize("folder", DEFAULTS, ids=lambda p: p.name)
def test_bundle_is_complete(folder: Path) -> None:
    config = read_config(folder)
    for field in SERVICE_FIELDS:
        assert getattr(config, field) not in (None, "", {}), field
    for key in METRICS:
        assert key in config.metrics, key
    assert 0.5 < config.metrics["roc_auc"] <= 1.0
    assert config.data["validation"]["images"] >= 1000, "measured on a real validation split"
    assert (
        config.data["split"]["method"].startswith("by group")
        or "group" in config.data["split"]["method"]
    )
    assert (folder / CARD_FILE).read_text().count(f"{config.metrics['roc_auc']:.4f}") >= 1
    trained = config.training["config"].get("epochs") != 0  # epochs 0: re-exported as it was
    for figure in (
        "confusion_matrix.png",
        "roc.png",
        *(["training_curves.png"] if trained else []),
    ):
        assert (folder / REPORTS_DIR / figure).stat().st_size > 5000, figure


def test_weights_are_fp16_and_small() -> None:
    from safetensors import safe_open

    total = 0
    for folder in DEFAULTS:
        path = folder / "model.safetensors"
        total += path.stat().st_size
        with safe_open(str(path), "pt") as fh:
            dtypes = {fh.get_tensor(k).dtype for k in fh.keys()}  # noqa: SIM118
        assert torch.float16 in dtypes and torch.float32 not in dtypes
    assert total < 60 * 1024 * 1024


@pytest.mark.parametrize("folder", DEFAULTS, ids=lambda p: p.name)
def test_bundle_predicts_in_range(folder: Path) -> None:
    bundle = load_bundle(folder)
    predictor = Predictor([bundle])
    rng = np.random.default_rng(0)
    crops = [
        rng.integers(0, 256, (224, 224, 3), dtype=np.uint8),
        np.full((224, 224, 3), 128, np.uint8),
        rng.integers(90, 160, (180, 180, 3), dtype=np.uint8),
    ]
    probs = predictor.score_crops(crops)
    assert probs.shape == (3, 1)
    assert np.isfinite(probs).all() and (probs > 0).all() and (probs < 1).all()
    # flip test-time augmentation leaves a sane score too
    assert np.isfinite(predictor.score_crops(crops, tta=True)).all()


def test_all_default_bundles_load_together() -> None:
    predictor = Predictor.from_dir(MODELS)
    assert set(predictor.model_names) == {p.name for p in DEFAULTS}
    rule = predictor.rule(predictor.model_names)
    assert 0 < rule.low <= rule.threshold <= rule.high < 1


def test_readme_models_table_matches_the_bundles() -> None:
    from faceproof.cli import markdown_table
    from faceproof.ensemble import read_ensemble

    readme = (MODELS.parent / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- models-table -->\n", "\n<!-- /models-table -->"
    assert start in readme and end in readme, "README lacks the generated Models table"
    table = readme.split(start, 1)[1].split(end, 1)[0]
    assert table == markdown_table([read_config(f) for f in DEFAULTS], read_ensemble(MODELS)), (
        "README's Models table is stale: run `make models-table`"
    )


def test_readme_robustness_table_matches_the_cards() -> None:
    from training.readme_robustness import MARKERS, bundle_reports, robustness_markdown

    readme = (MODELS.parent / "README.md").read_text(encoding="utf-8")
    start, end = MARKERS[0] + "\n", "\n" + MARKERS[1]
    assert start in readme and end in readme, "README lacks the generated robustness table"
    table = readme.split(start, 1)[1].split(end, 1)[0]
    assert table == robustness_markdown(bundle_reports(MODELS)), (
        "README's robustness table is stale: run `make robustness-table`"
    )


@pytest.mark.parametrize("folder", DEFAULTS, ids=lambda p: p.name)
def test_every_serving_path_was_checked_on_the_validation_split(folder: Path) -> None:
    """`make fast-path-check` recorded each serving path against torch fp32 in the card: the
    fp32 compiled paths within the 0.002 bound (they are served without further say), the
    bf16 ones measured either way (auto serves them only within it)."""
    config = read_config(folder)
    checks = config.metrics.get("fast_paths")
    assert checks, "run `make fast-path-check`"
    assert {"onnxruntime-fp32", "openvino-fp32"} <= set(checks)
    card = (folder / CARD_FILE).read_text()
    assert "## Fast path (as served)" in card
    for key, fast in checks.items():
        assert fast["roc_auc_fp32"] == pytest.approx(config.metrics["roc_auc"], abs=1e-6)
        assert fast["images"] == config.data["validation"]["images"]
        assert f"| {key} | {fast['roc_auc_fast']:.4f} |" in card
        if fast["precision"] == "fp32":
            assert within_tolerance(fast), key
