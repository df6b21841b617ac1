"""Tests for faceproof.cli: `faceproof predict`, `models` and `doctor`."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from faceproof.cli import main

LOGIT = 1.5
P_FAKE = 1 / (1 + math.exp(-LOGIT))


@pytest.fixture(scope="module")
def models_dir(tiny_bundle_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("cli") / "models"
    tiny_bundle_dir("tiny_fake", parent=parent, logit=LOGIT)
    return parent


@pytest.fixture(scope="module")
def face_png(astronaut: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "astronaut.png"
    small = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    assert cv2.imwrite(str(path), cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
    return path


def test_predict_json(models_dir: Path, face_png: Path, capsys) -> None:
    code = main(["predict", str(face_png), "--models-dir", str(models_dir), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(face_png)
    assert data["kind"] == "image"
    assert data["prediction"] == "FAKE"
    assert data["fake_probability"] == pytest.approx(P_FAKE, abs=1e-5)
    assert data["face_detected"] is True
    assert data["models_used"] == ["tiny_fake"]


def test_predict_text(models_dir: Path, face_png: Path, capsys) -> None:
    assert main(["predict", str(face_png), "--models-dir", str(models_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{face_png}: Fake – {100 * P_FAKE:.1f} % fake" in out
    assert "1 face;" in out and "tiny_fake 0.818" in out


def test_predict_stability(models_dir: Path, face_png: Path, capsys) -> None:
    assert main(["predict", str(face_png), "--models-dir", str(models_dir), "--stability"]) == 0
    assert "Stable: re-compressed, resized or with noise added" in capsys.readouterr().out
    assert (
        main(["predict", str(face_png), "--models-dir", str(models_dir), "--stability", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["stability"]["unstable"] is False
    assert data["faces"][0]["stability"]["verdicts"] == ["FAKE"]


@pytest.mark.parametrize(
    ("logit", "word"), [(-2.0, "Real – 11.9 % fake"), (0.0, "Uncertain – 50.0 % fake, leans fake")]
)
def test_predict_text_other_verdicts(
    tiny_bundle_dir, face_png: Path, capsys, logit: float, word: str
) -> None:
    folder = tiny_bundle_dir("other", logit=logit, threshold=0.5, low=0.4, high=0.6)
    assert main(["predict", str(face_png), "--models-dir", str(folder)]) == 0
    assert word in capsys.readouterr().out


def test_predict_explain_writes_a_png(
    models_dir: Path, face_png: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "why.png"
    code = main(
        ["predict", str(face_png), "--models-dir", str(models_dir), "--json", "--explain", str(out)]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["explanation"] == str(out)
    image = cv2.imread(str(out))
    assert image is not None
    assert image.shape == (224, 2 * 224, 3)  # one face: the crop and one model's overlay


def test_predict_an_undecodable_file(
    models_dir: Path, face_png: Path, tmp_path: Path, capsys
) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    code = main(["predict", str(bad), str(face_png), "--models-dir", str(models_dir), "--json"])
    assert code == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["file"] == str(bad)
    assert lines[0]["code"] == "undecodable_image"
    assert lines[0]["error"]
    assert lines[1]["prediction"] == "FAKE"  # one bad file does not stop the others


def test_predict_a_missing_file(models_dir: Path, tmp_path: Path, capsys) -> None:
    code = main(["predict", str(tmp_path / "nope.png"), "--models-dir", str(models_dir)])
    assert code == 1
    assert "error:" in capsys.readouterr().out


def test_predict_a_video(models_dir: Path, astronaut: np.ndarray, tmp_path: Path, capsys) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (256, 256))
    frame = cv2.cvtColor(cv2.resize(astronaut, (256, 256)), cv2.COLOR_RGB2BGR)
    for _ in range(4):
        writer.write(frame)
    writer.release()
    code = main(["predict", str(path), "--models-dir", str(models_dir), "--json", "--frames", "2"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "video"
    assert data["frames_analyzed"] == 2
    assert data["fake_percentage"] == 100.0


def test_models_lists_bundles(models_dir: Path, capsys) -> None:
    assert main(["models", "--models-dir", str(models_dir)]) == 0
    out = capsys.readouterr().out
    assert "tiny_fake" in out and "tf_efficientnet_lite0" in out
    assert main(["models", "--models-dir", str(models_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["tiny_fake"]
    assert rows[0]["input"] == 32


def test_models_with_no_bundles(tmp_path: Path, capsys) -> None:
    assert main(["models", "--models-dir", str(tmp_path)]) == 1
    assert "no bundles" in capsys.readouterr().err


def test_doctor_healthy(models_dir: Path, capsys) -> None:
    assert main(["doctor", "--models-dir", str(models_dir)]) == 0
    out = capsys.readouterr().out
    assert f"torch: {torch.__version__}" in out
    assert "face_detectors:" in out and "haar: ok" in out
    assert "tiny_fake:" in out and "status: ok" in out
    assert "runtimes:" in out and "onnxruntime: " in out and "openvino: " in out
    # --runtime auto: the fastest verified path, measured here; tiny cards verify no bf16
    assert re.search(r"served_by: (torch|onnxruntime|openvino), fp32, cpu", out)


def test_doctor_names_the_runtime_and_precision_that_serve_each_bundle(
    models_dir: Path, capsys
) -> None:
    assert (
        main(
            [
                "doctor",
                "--models-dir",
                str(models_dir),
                "--json",
                "--runtime",
                "openvino",
                "--precision",
                "fp32",
            ]
        )
        == 0
    )
    bundles = json.loads(capsys.readouterr().out)["bundles"]
    assert {b["served_by"] for b in bundles.values()} == {"openvino, fp32, cpu"}


def test_doctor_broken_bundle(tiny_bundle_dir, tmp_path: Path, capsys) -> None:
    parent = tmp_path / "models"
    tiny_bundle_dir("good", parent=parent)
    broken = tiny_bundle_dir("broken", parent=parent)
    (broken / "model.safetensors").write_bytes(b"garbage" * 20)
    assert main(["doctor", "--models-dir", str(parent), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["bundles"]["good"]["status"] == "ok"
    assert data["bundles"]["broken"]["status"].startswith("error:")
    assert data["torch"] == torch.__version__
    assert data["face_detectors"]["haar"] == "ok"


@pytest.mark.parametrize(
    ("extra", "code"), [([], "invalid_bundle"), (["--models", "nope"], "unknown_model")]
)
def test_setup_errors_are_messages_not_tracebacks(
    models_dir: Path, face_png: Path, tmp_path: Path, capsys, extra: list[str], code: str
) -> None:
    folder = tmp_path if not extra else models_dir  # empty folder, or an unknown model name
    assert main(["predict", str(face_png), "--models-dir", str(folder), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("faceproof predict: error: ")
    assert f"({code})" in err


def test_python_dash_m_faceproof(models_dir: Path) -> None:
    """Users type `python -m faceproof ...`: it is the same command line."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "faceproof", "models", "--models-dir", str(models_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "tiny_fake" in done.stdout


def test_predict_without_a_face_gives_no_verdict(models_dir: Path, tmp_path: Path, capsys) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((96, 128, 3), 128, np.uint8))
    assert main(["predict", str(blank), "--models-dir", str(models_dir)]) == 0
    assert f"{blank}: No face found – no verdict" in capsys.readouterr().out
    assert main(["predict", str(blank), "--models-dir", str(models_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["prediction"], data["fake_probability"], data["faces"]) == ("NO_FACE", None, [])
    assert (
        main(["predict", str(blank), "--models-dir", str(models_dir), "--json", "--whole-image"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["prediction"] == "FAKE"


def test_provenance_names_the_signer_and_trusts_what_it_is_told(tmp_path: Path, capsys) -> None:
    from tests.faceproof.provenance_files import jpeg, signed
    from tests.faceproof.provenance_files import test_signer as signing_keys

    photo = tmp_path / "signed.jpg"
    photo.write_bytes(signed(jpeg(), source_type="trainedAlgorithmicMedia"))
    assert main(["provenance", str(photo)]) == 0
    out = capsys.readouterr().out
    assert f"{photo}: Content Credentials untrusted" in out
    assert "[warning]" in out and "never changes it" in out
    anchors = tmp_path / "trust.pem"
    anchors.write_bytes(signing_keys().ca_pem)
    assert main(["provenance", str(photo), "--trust-anchors", str(anchors), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["content_credentials"]["status"] == "valid"
    assert data["content_credentials"]["ai_generated"] is True
    assert main(["provenance", str(tmp_path / "missing.jpg")]) == 1
