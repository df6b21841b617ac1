"""Which runner serves a bundle: the candidates a card allows, a check against torch at load,
the fastest measured, and the choice remembered."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from faceproof import runner_choice
from faceproof.bundle import load_bundle
from faceproof.runner_choice import Candidate, candidates, choose_runner
from faceproof.runtime import ModelRunner

OK = {"roc_auc_delta": 0.0004, "by_dataset": {"dfdc": {"roc_auc_delta": -0.001, "enforced": True}}}
OFF = {"roc_auc_delta": 0.0004, "by_dataset": {"dfdc": {"roc_auc_delta": -0.004, "enforced": True}}}


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


@pytest.fixture
def make_bundle(tiny_bundle_dir):
    def make(fast_paths: dict | None = None, name: str = "choice"):
        b = load_bundle(tiny_bundle_dir(name, input_size=32))
        if fast_paths is not None:
            b.config.metrics["fast_paths"] = fast_paths
        return b

    return make


@pytest.fixture
def bf16_everywhere(monkeypatch):
    monkeypatch.setattr(runner_choice, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setattr(runner_choice, "openvino_precisions", lambda: ("fp32", "bf16"))


def keys(options) -> list[str]:
    return [c.key for c in options]


def test_lower_precision_only_where_the_card_verifies_it(make_bundle, bf16_everywhere):
    assert keys(candidates(make_bundle())) == ["torch-fp32", "onnxruntime-fp32", "openvino-fp32"]
    verified = make_bundle({"openvino-bf16": OK, "torch-bf16": OFF})
    assert keys(candidates(verified)) == [
        "torch-fp32",
        "onnxruntime-fp32",
        "openvino-fp32",
        "openvino-bf16",
    ]
    # asked for by name, bf16 is served whatever the card says
    assert keys(candidates(make_bundle(), precision="bf16")) == ["torch-bf16", "openvino-bf16"]
    assert keys(candidates(verified, "openvino")) == ["openvino-fp32", "openvino-bf16"]
    assert keys(candidates(verified, "onnxruntime", "fp32")) == ["onnxruntime-fp32"]


def test_a_card_that_refutes_an_fp32_compiled_path_keeps_it_out(make_bundle, bf16_everywhere):
    refuted = make_bundle({"onnxruntime-fp32": OFF, "openvino-fp32": OK})
    assert keys(candidates(refuted)) == ["torch-fp32", "openvino-fp32"]


def test_a_gpu_is_served_by_torch_and_nonsense_is_refused(make_bundle, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert keys(candidates(make_bundle(), device="cuda")) == ["torch-fp32"]
    with pytest.raises(ValueError, match="CPU only"):
        candidates(make_bundle(), "openvino", device="cuda")
    with pytest.raises(ValueError, match="runtime must be"):
        candidates(make_bundle(), "tensorrt")
    with pytest.raises(ValueError, match="precision must be"):
        candidates(make_bundle(), precision="int4")


def test_auto_serves_the_fastest_and_remembers_it(make_bundle, cache, monkeypatch):
    bundle = make_bundle()
    speeds = {"torch": 3.0, "onnxruntime": 1.0, "openvino": 2.0}
    timed = []

    def fake_time(runner, size, repeats=3):
        timed.append(runner.runtime)
        return speeds[runner.runtime]

    monkeypatch.setattr(runner_choice, "time_runner", fake_time)
    monkeypatch.setattr(runner_choice, "openvino_precisions", lambda: ("fp32",))
    monkeypatch.setattr(runner_choice, "cpu_has_native_bf16", lambda: False)
    runner = choose_runner(bundle, cache=cache, threads=1)
    assert runner.runtime == "onnxruntime" and sorted(timed) == sorted(speeds)
    assert (cache / "runtime-choices.json").is_file()
    # the next start measures nothing and builds the remembered one first
    timed.clear()
    again = choose_runner(bundle, cache=cache, threads=1)
    assert again.runtime == "onnxruntime" and timed == []
    # the scores are the reference's
    x = torch.randn(4, 3, 32, 32)
    np.testing.assert_allclose(again(x), ModelRunner(bundle.model, "fp32")(x), atol=1e-4)


def test_a_compiled_runner_that_disagrees_with_torch_is_not_served(make_bundle, cache, monkeypatch):
    class Wrong:
        runtime, precision, device = "onnxruntime", "fp32", torch.device("cpu")

        def __call__(self, batch):
            return np.full(len(batch), 3.0, dtype=np.float32)

    monkeypatch.setattr(runner_choice, "compiled_runner", lambda *a, **k: Wrong())
    runner = choose_runner(make_bundle(), "onnxruntime", cache=cache, threads=1)
    assert isinstance(runner, ModelRunner) and runner.precision == "fp32"


def test_a_runtime_that_cannot_build_falls_back_to_torch(make_bundle, cache, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("cannot compile this graph")

    monkeypatch.setattr(runner_choice, "compiled_runner", broken)
    runner = choose_runner(make_bundle(), "openvino", "fp32", cache=cache, threads=1)
    assert runner.runtime == "torch"


def test_a_timed_bf16_layout_is_undone_when_another_path_wins(
    make_bundle, cache, monkeypatch, bf16_everywhere
):
    bundle = make_bundle({"torch-bf16": OK})
    monkeypatch.setattr(
        runner_choice,
        "time_runner",
        lambda r, s, repeats=3: 0.5 if r.runtime == "openvino" else 1.0,
    )
    runner = choose_runner(bundle, precision="auto", cache=cache, threads=1)
    assert runner.runtime == "openvino"
    conv = next(m for m in bundle.model.modules() if isinstance(m, torch.nn.Conv2d))
    assert (
        not conv.weight.is_contiguous(memory_format=torch.channels_last)
        or conv.weight.shape[-1] == 1
    )


def test_candidate_keys_name_runtime_and_precision():
    assert Candidate("openvino", "bf16").key == "openvino-bf16"


def test_a_predictor_on_openvino_scores_as_torch_and_explains_with_torch(
    tiny_bundle_dir, astronaut, cache
):
    from faceproof.predictor import Predictor

    folder = tiny_bundle_dir("served", input_size=32)
    reference = Predictor([load_bundle(folder)])
    served = Predictor([load_bundle(folder)], runtime="openvino", precision="fp32", cache_dir=cache)
    assert served.runtimes == {"served": "openvino"}
    assert reference.runtimes == {"served": "torch"}
    a = reference.predict_image(astronaut, explain=True)
    b = served.predict_image(astronaut, explain=True)
    assert b.fake_probability == pytest.approx(a.fake_probability, abs=1e-5)
    np.testing.assert_allclose(
        b.faces[0].heatmaps["served"], a.faces[0].heatmaps["served"], atol=1e-5
    )


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_a_remembered_compiled_runner_starts_without_the_torch_model(
    tiny_bundle_dir, cache, runtime
):
    folder = tiny_bundle_dir("lean", input_size=32)
    first = choose_runner(load_bundle(folder), runtime, "fp32", threads=1, cache=cache)
    assert first.runtime == runtime  # checked against torch, then remembered

    lazy = load_bundle(folder, lazy=True)
    again = choose_runner(lazy, runtime, "fp32", threads=1, cache=cache)

    assert again.runtime == runtime and not lazy.model_built
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(3))
    np.testing.assert_allclose(again(x.numpy()), ModelRunner(lazy.model, "fp32")(x), atol=1e-4)


def test_new_weights_are_checked_again_not_served_on_the_old_choice(tiny_bundle_dir, cache):
    folder = tiny_bundle_dir("retrained", input_size=32)
    choose_runner(load_bundle(folder), "onnxruntime", "fp32", threads=1, cache=cache)
    tiny_bundle_dir("retrained", input_size=32, parent=folder.parent, logit=1.5)  # new weights

    lazy = load_bundle(folder, lazy=True)
    runner = choose_runner(lazy, "onnxruntime", "fp32", threads=1, cache=cache)

    assert lazy.model_built  # exported and checked against torch again
    np.testing.assert_allclose(runner(np.zeros((2, 3, 32, 32), np.float32)), [1.5, 1.5], atol=1e-3)


def test_compiled_runners_take_the_threads_the_service_set(make_bundle, cache, monkeypatch):
    from faceproof import lazy_torch

    monkeypatch.setattr(lazy_torch, "_threads", None)
    lazy_torch.set_threads(2)
    bundle = make_bundle()
    ort = choose_runner(bundle, "onnxruntime", "fp32", cache=cache)
    ov = choose_runner(bundle, "openvino", "fp32", cache=cache)

    assert torch.get_num_threads() == 2
    assert ort.session.get_session_options().intra_op_num_threads == 2
    assert int(ov.compiled.get_property("INFERENCE_NUM_THREADS")) == 2
    torch.set_num_threads(1)  # the tests' own setting (tests/conftest.py)
