"""The compiled runtimes: ONNX export cached by the weights, and the same logits as torch."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from faceproof import compiled
from faceproof.bundle import load_bundle
from faceproof.runtime import ModelRunner


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FACEPROOF_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def bundle(tiny_bundle_dir):
    return load_bundle(tiny_bundle_dir("compiled", input_size=32))


def test_export_is_cached_under_a_key_of_the_weights(bundle, tiny_bundle_dir, cache):
    path = compiled.onnx_file(bundle)
    assert path.is_file() and path.parent == cache / "onnx" and path.name.startswith("compiled-")
    stamp = path.stat().st_mtime_ns
    assert compiled.onnx_file(bundle) == path and path.stat().st_mtime_ns == stamp  # reused
    assert not list(path.parent.glob("*.tmp"))
    # other weights (a constant head) under the same name: another file, never the stale one
    other = load_bundle(tiny_bundle_dir("compiled", input_size=32, logit=1.5))
    assert compiled.weights_digest(other) != compiled.weights_digest(bundle)
    assert compiled.onnx_file(other) != path
    # the same weights at another input size: another graph
    bigger = load_bundle(tiny_bundle_dir("compiled", input_size=48))
    assert compiled.export_key(bigger) != compiled.export_key(bundle)


def test_an_explicit_cache_wins_over_the_environment(cache, tmp_path, monkeypatch):
    assert compiled.cache_dir() == cache
    assert compiled.cache_dir(tmp_path / "mine") == tmp_path / "mine"
    monkeypatch.delenv("FACEPROOF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compiled.cache_dir() == tmp_path / "xdg" / "faceproof"


@pytest.mark.parametrize(("runtime", "precision"), [("onnxruntime", "fp32"), ("openvino", "fp32")])
def test_fp32_compiled_runners_give_torch_logits_for_any_batch_size(
    bundle, cache, runtime, precision
):
    runner = compiled.compiled_runner(bundle, runtime, precision, threads=1)
    assert (runner.runtime, runner.precision, str(runner.device)) == (runtime, "fp32", "cpu")
    reference = ModelRunner(bundle.model, "fp32")
    for n in (1, 3, 8):
        x = torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(n))
        out = runner(x)
        assert out.shape == (n,) and out.dtype == np.float32
        np.testing.assert_allclose(out, reference(x), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_a_mirror_averaging_bundle_compiles_to_the_same_logits(tiny_bundle_dir, cache, runtime):
    """The mirror and the mean are in the exported graph: a compiled path scores as torch
    does, under another key than the same weights without it."""
    mirrored = load_bundle(tiny_bundle_dir("mirrored", input_size=32, mirror_average=True))
    plain = load_bundle(tiny_bundle_dir("mirrored", input_size=32))
    assert compiled.export_key(mirrored) != compiled.export_key(plain)
    runner = compiled.compiled_runner(mirrored, runtime, "fp32", threads=1)
    reference = ModelRunner(mirrored.model, "fp32")
    for n in (1, 4):
        x = torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(n))
        np.testing.assert_allclose(runner(x), reference(x), atol=1e-4, rtol=1e-4)
        assert not np.allclose(reference(x), ModelRunner(plain.model, "fp32")(x), atol=1e-4)


def test_openvino_keeps_its_compiled_blobs_in_the_cache(bundle, cache):
    compiled.compiled_runner(bundle, "openvino", "fp32", threads=1)
    assert any((cache / "openvino").iterdir())


def test_onnxruntime_refuses_bf16_and_unknown_runtimes_are_refused(bundle, cache):
    with pytest.raises(ValueError, match="fp32 or int8 only"):
        compiled.compiled_runner(bundle, "onnxruntime", "bf16", threads=1)
    with pytest.raises(ValueError, match="not a compiled runtime"):
        compiled.compiled_runner(bundle, "tensorrt", "fp32", threads=1)
    with pytest.raises(ValueError, match="fp32, bf16 or int8"):
        compiled.OpenVinoRunner(compiled.onnx_file(bundle), 1, "int4")


def test_export_leaves_a_channels_last_model_as_it_was(tiny_bundle_dir, cache):
    b = load_bundle(tiny_bundle_dir("layout", input_size=32))
    b.model.to(memory_format=torch.channels_last)
    compiled.onnx_file(b)
    conv = next(m for m in b.model.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert os.listdir(cache / "onnx")


def test_serving_writes_nothing_outside_the_cache(bundle, tmp_path):
    """ONNX Runtime's usage records ($TMPDIR/.ses, ~/.cache/Microsoft/...) stay off."""
    import subprocess
    import sys

    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    script = (
        "import torch, sys; from faceproof.bundle import load_bundle; "
        "from faceproof.runner_choice import choose_runner; "
        f"r = choose_runner(load_bundle({str(bundle.path)!r}), 'onnxruntime', "
        f"cache={str(tmp_path / 'cache')!r}); print(r.runtime)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(home / ".cache")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "onnxruntime"
    assert [p for p in home.rglob("*") if p.is_file()] == []
    assert [p for p in tmp.rglob("*") if p.is_file()] == []
