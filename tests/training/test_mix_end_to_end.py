"""A two-source mix with self-blended fakes and degradations trains, exports a bundle whose
card is per source, and a leave-one-source-out run scores the source it never saw."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceproof.bundle import CARD_FILE, read_config
from training.evaluate import main as evaluate_main
from training.train import main as train_main


def _face_variants(astronaut: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    """Shifted, scaled, recoloured copies of the astronaut photo (her face stays findable)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        x, y = rng.integers(0, 80, 2)
        crop = astronaut[y : y + 400, x : x + 400].astype(np.float32)
        crop = np.clip(crop * rng.uniform(0.8, 1.2) + rng.uniform(-20, 20, 3), 0, 255)
        out.append(
            np.ascontiguousarray(crop.astype(np.uint8)[:, :: -1 if rng.random() < 0.5 else 1])
        )
    return out


def _write(root: Path, name: str, images: list[np.ndarray], labels: list[str]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    rows = []
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        file = f"{label}/{i:03d}.jpg"
        (folder / label).mkdir(exist_ok=True)
        Image.fromarray(image).save(folder / file, quality=90)
        rows.append(
            {"file": file, "label": label, "group": f"g{i // 2}", "source": f"{name}-{i % 2}"}
        )
    with (folder / "metadata.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "label", "group", "source"])
        writer.writeheader()
        writer.writerows(rows)
    return folder / "metadata.csv"


@pytest.fixture(scope="module")
def mix(astronaut, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mix")
    real = _face_variants(astronaut, 16, 0)
    fake = [img.copy() for img in _face_variants(astronaut, 16, 1)]
    for img in fake:  # a pasted patch on the face: learnable in a few steps
        img[150:230, 150:230] = [240, 200, 180]
    swaps = _write(tmp, "swaps", real + fake, ["REAL"] * 16 + ["FAKE"] * 16)
    genuine = _write(tmp, "genuine", _face_variants(astronaut, 16, 2), ["REAL"] * 16)
    return tmp, swaps, genuine


def _args(tmp: Path, swaps: Path, genuine: Path, out: str, *extra: str) -> list[str]:
    return [
        f"sources=[{{data: {swaps}}}, {{data: {genuine}, weight: 2}}]",
        "arch=efficientnet_lite0",
        "pretrained=true",
        "input_size=64",
        "cache_size=64",
        "epochs=1",
        "batch_size=8",
        "samples_per_epoch=32",
        "lr=0.001",
        "threads=2",
        "val_fraction=0.3",
        "sbi_fraction=0.25",
        "degrade_jpeg_p=0.5",
        "degrade_scale_p=0.5",
        "degrade_blur_p=0.2",
        "degrade_noise_p=0.2",
        "calibration=false_accusation",
        "min_source_samples=2",
        f"cache_dir={tmp / 'cache'}",
        f"output={tmp / out}",
        *extra,
    ]


@pytest.fixture(scope="module")
def trained(mix):
    tmp, swaps, genuine = mix
    held = tmp / "held"
    train_main(
        _args(tmp, swaps, genuine, "held", "hold_out_source=genuine", f"export={held / 'bundle'}")
    )
    bundle = tmp / "models" / "mixed"
    train_main(
        _args(
            tmp,
            swaps,
            genuine,
            "run",
            f"export={bundle}",
            "name=mixed",
            f"leave_one_out_runs=[{held}]",
        )
    )
    return tmp, bundle, held


def test_the_run_logs_sources_and_self_blended_draws(trained):
    tmp, _, _ = trained
    log = (tmp / "run" / "train.log").read_text()
    assert "become self-blended fakes" in log and "validation ROC-AUC by data set" in log
    with (tmp / "run" / "split.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {r["dataset"] for r in rows} == {"swaps", "genuine"}
    assert {r["split"] for r in rows} == {"train", "val"}


def test_the_bundle_card_is_per_source_with_terms_and_leave_one_out(trained):
    _, bundle, _ = trained
    config = read_config(bundle)
    data = config.data
    assert set(data["sources"]) == {"swaps-0", "swaps-1", "genuine-0", "genuine-1"}
    assert data["self_blended"]["share_of_draws"] == 0.25
    assert data["face_framing"]["by_source"]["swaps-0"]["face_found"] > 0
    report = config.metrics["by_source"]
    assert set(report["datasets"]) == {"swaps", "genuine"}
    assert report["datasets"]["genuine"]["fake"] == 0
    assert report["datasets"]["genuine"]["real_called_fake"] is not None
    assert config.metrics["calibration"]["method"] == "false_accusation"
    band = config.abstain_band
    assert band.low <= config.threshold <= band.high
    loo = config.metrics["leave_one_out"]
    assert [r["source"] for r in loo] == ["genuine"]
    card = (bundle / CARD_FILE).read_text()
    assert "Leave-one-source-out" in card and "genuine called FAKE" in card


def test_export_takes_the_leave_one_out_runs_it_is_given(trained):
    """A continuation stage trained with no leave-one-out runs listed still gets their
    figures when the export is told which runs they are."""
    tmp, _, held = trained
    from training.export import main as export_main

    plain, told = tmp / "models" / "plain", tmp / "models" / "told"
    export_main([str(tmp / "held" / "best.pt"), str(plain)])
    export_main([str(tmp / "held" / "best.pt"), str(told), "--leave-one-out", str(held)])
    assert "leave_one_out" not in read_config(plain).metrics
    assert [r["source"] for r in read_config(told).metrics["leave_one_out"]] == ["genuine"]


def test_a_bundle_gets_the_figures_of_runs_that_finished_after_its_export(trained):
    """training.leave_one_out fills an exported bundle's card from the runs, changing nothing
    else; a run that is gone keeps the entry the card had."""
    import shutil

    from training.leave_one_out import main as refresh_main

    tmp, _, held = trained
    from training.export import main as export_main

    bundle = tmp / "models" / "late"
    export_main([str(tmp / "held" / "best.pt"), str(bundle)])
    before = read_config(bundle)
    assert "leave_one_out" not in before.metrics
    refresh_main([str(bundle), "--runs", str(held)])
    after = read_config(bundle)
    [run] = after.metrics["leave_one_out"]
    assert run["source"] == "genuine" and run["run"] == str(held) and "carried_from" not in run
    assert after.model_copy(update={"metrics": before.metrics}) == before
    card = (bundle / CARD_FILE).read_text()
    assert f"Without genuine: `{held}`" in card and "carried over" not in card

    gone = tmp / "gone"
    shutil.copytree(held, gone)
    refresh_main([str(bundle), "--runs", str(gone)])
    (gone / "held_out.json").unlink()
    refresh_main([str(bundle), "--runs", str(gone)])
    [kept] = read_config(bundle).metrics["leave_one_out"]
    assert kept["run"] == str(gone) and kept["pooled"] == run["pooled"]


def test_the_held_out_source_is_scored_and_never_trained_on(trained):
    _, _, held = trained
    figures = json.loads((held / "held_out.json").read_text())
    assert figures["source"] == "genuine" and figures["pooled"]["real"] == 16
    with (held / "split.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["dataset"] == "genuine"]
    assert rows and {r["split"] for r in rows} == {"held_out"}


def test_evaluate_on_the_config_prints_per_source(trained, capsys):
    tmp, bundle, _ = trained
    config = tmp / "run" / "config.yaml"
    evaluate_main(
        [
            str(bundle),
            "--config",
            str(config),
            "--output",
            str(tmp / "eval"),
            "--cache-dir",
            str(tmp / "cache"),
        ]
    )
    printed = capsys.readouterr().out
    assert "genuine-0" in printed and "R->F%" in printed
    report = json.loads((tmp / "eval" / "by_source.json").read_text())
    assert set(report["mixed"]["datasets"]) == {"swaps", "genuine"}
