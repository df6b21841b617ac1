"""int8 as an option: a bundle's int8 file, recorded with hashes, served only when intact, made
from the current weights, and (under "auto") verified by the card."""

from __future__ import annotations

import json

import numpy as np
import pytest

from faceproof.bundle import INT8_FILE, load_bundle
from faceproof.compiled import compiled_runner, int8_file, weights_digest
from faceproof.preprocess import make_preprocessor
from faceproof.runner_choice import candidates, choose_runner
from faceproof.runtime import ModelRunner
from training.quantize import calibration_rows, drop_int8, main, quantize_bundle


def face_crops(face: np.ndarray, n: int) -> list[np.ndarray]:
    """`n` crops of a real face, shifted and scaled a little: real-image statistics."""
    rng = np.random.default_rng(0)
    h, w = face.shape[:2]
    out = []
    for _ in range(n):
        side = int(rng.integers(int(0.6 * min(h, w)), min(h, w)))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        out.append(np.ascontiguousarray(face[top : top + side, left : left + side]))
    return out


@pytest.fixture(scope="module")
def quantized(tiny_bundle_dir, tmp_path_factory, astronaut):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACEPROOF_CACHE_DIR", str(cache))
        # constant head (logit 1.5): the plumbing is tested here; how int8 ranks real faces
        # is measured per source by `make fast-path-check`. Lite0's 5x5 kernels need 64 px.
        folder = tiny_bundle_dir("q", input_size=64, logit=1.5)
        crops = face_crops(astronaut, 24)
        quantize_bundle(load_bundle(folder), crops, batch_size=8)
    return folder


def test_the_int8_file_is_recorded_with_its_hashes(quantized):
    bundle = load_bundle(quantized)
    record = bundle.config.int8
    assert (quantized / INT8_FILE).is_file() and record.file == INT8_FILE
    assert record.weights_sha256 == weights_digest(bundle)
    assert record.calibration_images == 24 and "percentile" in record.method
    assert int8_file(bundle) == quantized / INT8_FILE


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_both_runtimes_serve_it_close_to_fp32(quantized, runtime, astronaut):
    bundle = load_bundle(quantized)
    runner = compiled_runner(bundle, runtime, "int8", threads=1)
    assert runner.precision == "int8"
    x = make_preprocessor(bundle.config)(face_crops(astronaut[::-1].copy(), 8))  # unseen
    reference = ModelRunner(bundle.model, "fp32")(x)
    out = runner(x)
    assert out.shape == (8,)
    np.testing.assert_allclose(reference, 1.5, atol=1e-3)
    np.testing.assert_allclose(out, reference, atol=0.02)


def test_int8_is_served_by_auto_only_where_the_card_verifies_it(quantized, tmp_path):
    bundle = load_bundle(quantized)
    assert "onnxruntime-int8" not in [c.key for c in candidates(bundle)]
    assert [c.key for c in candidates(bundle, precision="int8")] == [
        "onnxruntime-int8",
        "openvino-int8",
    ]
    bundle.config.metrics["fast_paths"] = {
        "onnxruntime-int8": {"roc_auc_delta": 0.001, "by_dataset": {}}
    }
    assert "onnxruntime-int8" in [c.key for c in candidates(bundle)]
    runner = choose_runner(bundle, "onnxruntime", "int8", cache=tmp_path, threads=1)
    assert (runner.runtime, runner.precision) == ("onnxruntime", "int8")


def test_a_stale_or_damaged_int8_file_is_never_served(quantized, tmp_path, tiny_bundle_dir):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(quantized, copy)
    # damaged: the hash no longer matches
    data = bytearray((copy / INT8_FILE).read_bytes())
    data[-100] ^= 0xFF
    (copy / INT8_FILE).write_bytes(bytes(data))
    assert int8_file(load_bundle(copy)) is None
    with pytest.raises(ValueError, match="no way to run"):
        candidates(load_bundle(copy), precision="int8")
    # stale: the weights were replaced (retrained) after quantising
    shutil.copy(quantized / INT8_FILE, copy / INT8_FILE)
    other = tiny_bundle_dir("other", input_size=64, logit=4.0)
    shutil.copy(other / "model.safetensors", copy / "model.safetensors")
    assert int8_file(load_bundle(copy)) is None
    # missing
    (copy / INT8_FILE).unlink()
    assert int8_file(load_bundle(copy)) is None
    assert json.loads((copy / "model.json").read_text())["int8"]["file"] == INT8_FILE


def test_calibration_rows_come_from_the_given_rows_only():
    rows = calibration_rows(np.arange(100, 200), 30)
    assert len(rows) == 30 and len(set(rows)) == 30 and rows.min() >= 100 and rows.max() < 200
    assert len(calibration_rows(np.arange(5), 30)) == 5


def test_a_refused_int8_file_is_dropped_with_its_record_and_the_check_kept(quantized, tmp_path):
    import shutil

    folder = tmp_path / "q"
    shutil.copytree(quantized, folder)
    config = json.loads((folder / "model.json").read_text())
    config["metrics"]["fast_paths"] = {"openvino-int8": {"roc_auc_delta": -0.0108}}
    (folder / "model.json").write_text(json.dumps(config))
    assert drop_int8(load_bundle(folder))
    bundle = load_bundle(folder)
    assert bundle.config.int8 is None
    assert not (folder / INT8_FILE).exists()
    assert bundle.config.metrics["fast_paths"]["openvino-int8"]["roc_auc_delta"] == -0.0108
    assert not drop_int8(bundle)  # nothing left to drop


def test_drop_needs_no_config_but_quantising_does(quantized, tmp_path, capsys):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(quantized, models / quantized.name)
    main([str(models), "--drop"])
    assert "int8 removed from: " + quantized.name in capsys.readouterr().out
    assert int8_file(load_bundle(models / quantized.name)) is None
    with pytest.raises(SystemExit):
        main([str(models)])
    assert "--config is required to quantise" in capsys.readouterr().err
