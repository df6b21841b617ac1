"""Train on a tiny generated data set, export a bundle, evaluate it, classify with it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from faceproof.bundle import CARD_FILE, REPORTS_DIR, load_bundle, read_config
from faceproof.cli import main as cli_main
from faceproof.predictor import Predictor
from training.evaluate import main as evaluate_main
from training.train import main as train_main

REPO = Path(__file__).resolve().parents[2]


def _make_dataset(root: Path, per_class: int = 24, size: int = 48) -> Path:
    """Real/ and Fake/ images; fakes carry a bright blotch the model can learn quickly."""
    rng = np.random.default_rng(0)
    rows = []
    for label in ("Real", "Fake"):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            img = rng.integers(60, 120, (size, size, 3), dtype=np.uint8)
            if label == "Fake":
                x, y = rng.integers(0, size // 2, 2)
                img[y : y + size // 2, x : x + size // 2] = 240
            name = f"{label}/{label.lower()}_{i:03d}.png"
            Image.fromarray(img).save(root / name)
            rows.append({"file": name, "label": label.upper(), "group": f"g{i // 2}"})
    with (root / "metadata.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "label", "group"])
        writer.writeheader()
        writer.writerows(rows)
    return root


def _train_args(tmp_path: Path, data: Path, out: str, *extra: str) -> list[str]:
    # ImageNet init (the offline Lite0 weights) makes the toy task learnable in two epochs
    return [
        f"data={data}",
        "arch=efficientnet_lite0",
        "pretrained=true",
        "input_size=48",
        "cache_size=48",
        "epochs=2",
        "batch_size=8",
        "lr=0.001",
        "warmup_epochs=0.2",
        f"cache_dir={tmp_path / 'cache'}",
        f"output={tmp_path / out}",
        "threads=2",
        "val_fraction=0.25",
        *extra,
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("e2e")
    data = _make_dataset(tmp / "data")
    bundle = tmp / "models" / "tiny"
    train_main(_train_args(tmp, data / "metadata.csv", "run", f"export={bundle}", "name=tiny"))
    return tmp, data, bundle


def test_training_writes_run_outputs(trained):
    tmp, _, _ = trained
    run = tmp / "run"
    for name in ("config.yaml", "metrics.csv", "last.pt", "best.pt", "split.csv", "train.log"):
        assert (run / name).is_file(), name
    with (run / "metrics.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    # group-aware split: no group on both sides
    with (run / "split.csv").open() as fh:
        reader = csv.DictReader(fh)
        split = list(reader)
    assert reader.fieldnames == ["file", "label", "group", "dataset", "source", "split"]
    assert len(split) == 48 and {row["dataset"] for row in split} == {"data"}
    assert {row["split"] for row in split} == {"train", "val"}
    sides: dict[str, set] = {}
    for row in split:
        sides.setdefault(row["group"], set()).add(row["split"])
    assert all(len(s) == 1 for s in sides.values())


def test_exported_bundle_is_complete_and_loads(trained):
    _, _, bundle_dir = trained
    config = read_config(bundle_dir)
    assert config.name == "tiny" and config.input_size == 48
    assert config.abstain_band.low <= config.threshold <= config.abstain_band.high
    assert config.temperature > 0
    for key in ("roc_auc", "accuracy", "eer", "confusion_matrix", "abstain"):
        assert key in config.metrics
    assert config.data["validation"]["images"] > 0
    assert config.training["log_tail"], "the card quotes the training log"
    for name in ("confusion_matrix.png", "roc.png", "training_curves.png", "samples.png"):
        assert (bundle_dir / REPORTS_DIR / name).stat().st_size > 1000, name
    card = (bundle_dir / CARD_FILE).read_text()
    assert "ROC-AUC" in card and f"{config.metrics['roc_auc']:.4f}" in card
    bundle = load_bundle(bundle_dir)
    assert not bundle.model.training


def test_learns_the_toy_task(trained):
    """On the validation images it never trained on, the bundle separates the classes."""
    tmp, data, bundle_dir = trained
    predictor = Predictor.from_dir(bundle_dir.parent)
    with (tmp / "run" / "split.csv").open() as fh:
        val = [row for row in csv.DictReader(fh) if row["split"] == "val"]
    assert {row["label"] for row in val} == {"REAL", "FAKE"}

    # the toy images hold no face: scored whole, as a tight face crop would be
    def score(row: dict) -> float:
        return predictor.predict_path(data / row["file"], whole_image=True).fake_probability

    scores = {
        label: [score(row) for row in val if row["label"] == label] for label in ("REAL", "FAKE")
    }
    # every validation fake above every validation real (ROC-AUC 1 on the toy task)
    assert min(scores["FAKE"]) > max(scores["REAL"]), scores
    assert read_config(bundle_dir).metrics["roc_auc"] == 1.0


def test_evaluate_cli_writes_reports(trained, capsys):
    tmp, data, bundle_dir = trained
    out = tmp / "eval"
    # --split all: the CLI's default is the validation split training used
    evaluate_main(
        [
            str(bundle_dir.parent),
            "--data",
            str(data),
            "--output",
            str(out),
            "--cache-dir",
            str(tmp / "cache"),
            "--split",
            "all",
        ]
    )
    printed = capsys.readouterr().out
    assert "tiny" in printed and "ROC-AUC" in printed
    metrics = json.loads((out / "tiny" / "metrics.json").read_text())
    assert metrics["samples"] == 48
    assert (out / "metrics.csv").read_text().startswith("model,samples,roc_auc")
    assert (out / "tiny" / "roc.png").is_file()


def test_cli_predicts_with_the_bundle(trained, capsys):
    _, data, bundle_dir = trained
    code = cli_main(
        [
            "predict",
            str(data / "Fake" / "fake_001.png"),
            "--models-dir",
            str(bundle_dir.parent),
            "--json",
            "--whole-image",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["models_used"] == ["tiny"]
    # the CLI says what the library says, under the bundle's own rule
    direct = Predictor.from_dir(bundle_dir.parent).predict_path(
        data / "Fake" / "fake_001.png", whole_image=True
    )
    assert result["fake_probability"] == pytest.approx(direct.fake_probability, abs=1e-6)
    assert result["prediction"] == direct.verdict.value
    config = read_config(bundle_dir)
    rule_says = (
        "FAKE"
        if direct.fake_probability >= config.abstain_band.high
        else "REAL"
        if direct.fake_probability < config.abstain_band.low
        else "UNCERTAIN"
    )
    assert result["prediction"] == rule_says


def test_resume_continues_from_last_checkpoint(trained, tmp_path):
    tmp, data, _ = trained
    # same run folder, one more epoch: resumes at epoch 2 instead of starting over
    train_main(
        _train_args(tmp, data / "metadata.csv", "run", "epochs=3", "early_stopping_patience=0")
    )
    log = (tmp / "run" / "train.log").read_text()
    assert "resumed from" in log
    with (tmp / "run" / "metrics.csv").open() as fh:
        assert [r["epoch"] for r in csv.DictReader(fh)] == ["0", "1", "2"]


def test_zero_epochs_exports_the_warm_start_as_it_is_with_mirror_averaging(trained, tmp_path):
    """A stage that changes only how the weights are served: nothing trains, the same weights
    are exported with a rule fitted again on the mirror-averaged scores."""
    tmp, data, bundle_dir = trained
    out = tmp_path / "models" / "tiny"
    args = _train_args(
        tmp, data / "metadata.csv", "zero", "epochs=0", f"init_from={bundle_dir}", "name=tiny"
    )
    train_main([*args, "mirror_average=true", f"export={out}"])
    before, after = load_bundle(bundle_dir), load_bundle(out)
    assert after.config.head.mirror_average and not before.config.head.mirror_average
    for key, weights in before.model.state_dict().items():
        assert torch.equal(after.model.state_dict()[key], weights), key
    x = torch.randn(4, 3, 48, 48, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        expected = (before.model(x) + before.model(x.flip(3))) / 2
        torch.testing.assert_close(after.model(x), expected)
    with (tmp / "zero" / "metrics.csv").open() as fh:
        assert [r["epoch"] for r in csv.DictReader(fh)] == ["-1"]
    assert after.config.training["best_epoch"] == 0
    card = (out / CARD_FILE).read_text()
    assert "No training in this stage: the warm start's weights" in card
    assert "the mean of the logits of the face and of its left-right mirror" in card
    assert not (out / REPORTS_DIR / "training_curves.png").exists()  # nothing trained
    assert "training_curves.png" not in card and "`reports/roc.png`;" in card
    with pytest.raises(ValueError, match="needs init_from"):
        train_main(_train_args(tmp, data / "metadata.csv", "nothing", "epochs=0"))


def test_folder_dataset_and_focal_loss(tmp_path):
    data = _make_dataset(tmp_path / "data", per_class=8)
    train_main(
        _train_args(
            tmp_path,
            data,
            "run",
            "epochs=1",
            "loss=focal",
            "optimizer=sgd",
            "cbam=true",
            "max_steps_per_epoch=2",
        )
    )
    state = torch.load(tmp_path / "run" / "best.pt", map_location="cpu", weights_only=False)
    assert (state["config"]["loss"], state["config"]["optimizer"]) == ("focal", "sgd")
    assert any(key.startswith("attention.") for key in state["model"]), "CBAM was not built"
    with (tmp_path / "run" / "metrics.csv").open() as fh:
        row = next(csv.DictReader(fh))
    assert 0 < float(row["train_loss"]) < 1  # focal loss of a 0.5 guess is 0.5 * 0.69 / 4
    assert np.isfinite(float(row["val_loss"]))
    with (tmp_path / "run" / "split.csv").open() as fh:  # a folder of Real/ and Fake/
        assert {r["label"] for r in csv.DictReader(fh)} == {"REAL", "FAKE"}


@pytest.mark.slow
def test_ddp_two_processes(tmp_path):
    """torchrun with two CPU processes (gloo): both train, rank 0 writes."""
    data = _make_dataset(tmp_path / "data", per_class=8)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "training.train",
        *_train_args(tmp_path, data / "metadata.csv", "run", "epochs=1", "threads=1"),
    ]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "world 2" in (tmp_path / "run" / "train.log").read_text()
    assert (tmp_path / "run" / "best.pt").is_file()


def _student_args(tmp_path: Path, data: Path, teacher: Path, *extra: str) -> list[str]:
    """A tiny ResNet-50 distilled from the toy Lite0 bundle for two steps."""
    return _train_args(
        tmp_path,
        data / "metadata.csv",
        "student",
        "epochs=1",
        "arch=resnet50",
        "input_size=32",
        f"teacher={teacher}",
        "distill_weight=0.5",
        "max_steps_per_epoch=2",
        *extra,
    )


def test_distillation_from_a_teacher_bundle(trained, tmp_path):
    _, data, bundle_dir = trained
    train_main(_student_args(tmp_path, data, bundle_dir))
    logits = np.load(tmp_path / "student" / "teacher_logits.npy")
    assert logits.shape == (48,) and np.isfinite(logits).all()
    assert (tmp_path / "student" / "best.pt").is_file()


def test_a_student_learns_the_teachers_features_too(trained, tmp_path):
    """With distill_feature_weight the teacher's pooled features are computed once (unit
    length, one row per image), the projection onto them trains beside the student and is
    kept in the checkpoint for a resume, and the exported bundle is the student alone."""
    _, data, bundle_dir = trained
    args = _student_args(tmp_path, data, bundle_dir, "distill_feature_weight=1.0")
    train_main([*args, f"export={tmp_path / 'models' / 'student'}"])
    run = tmp_path / "student"
    features = np.load(run / "teacher_features.npy")
    assert features.shape == (48, 1280)  # the Lite0 teacher's pooled vector
    assert np.allclose(np.linalg.norm(features.astype(np.float32), axis=1), 1, atol=1e-2)
    state = torch.load(run / "last.pt", map_location="cpu", weights_only=False)
    assert state["projection"]["weight"].shape == (1280, 2048)
    assert not any(k.startswith("project") for k in state["model"])
    card = (tmp_path / "models" / "student" / CARD_FILE).read_text()
    assert "pooled features matched too (cosine distance, weight 1.0" in card
    # a resumed run picks the projection back up and trains on
    train_main([*args, "epochs=2"])
    with (run / "metrics.csv").open() as fh:
        assert [r["epoch"] for r in csv.DictReader(fh)] == ["0", "1"]


@pytest.mark.slow
def test_ddp_early_stopping_stops_every_rank(trained, tmp_path):
    """Rank 0 alone validates; when it stops early the other rank must stop too instead of
    waiting in the next epoch's all-reduce (it used to hang there). With lr=0 validation never
    improves after epoch 0, so patience 1 stops after epoch 1 of 5. Distillation makes rank 0
    write the teacher logits (16 images, no SBI) that rank 1 then reads."""
    _, _, bundle_dir = trained
    data = _make_dataset(tmp_path / "data", per_class=8)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "training.train",
        *_train_args(
            tmp_path,
            data / "metadata.csv",
            "run",
            "epochs=5",
            "threads=1",
            "lr=0",
            "early_stopping_patience=1",
            "max_steps_per_epoch=1",
            f"teacher={bundle_dir}",
            "distill_weight=0.5",
        ),
    ]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    run = tmp_path / "run"
    assert "early stopping" in (run / "train.log").read_text()
    with (run / "metrics.csv").open() as fh:
        assert [r["epoch"] for r in csv.DictReader(fh)] == ["0", "1"]
    logits = np.load(run / "teacher_logits.npy")
    assert logits.shape == (16,) and np.isfinite(logits).all()
