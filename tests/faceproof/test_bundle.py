"""Tests for faceproof.bundle: saving, loading and validating model bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from faceproof.bundle import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    AbstainBand,
    BundleConfig,
    find_bundles,
    load_bundle,
    read_config,
    save_bundle,
)
from faceproof.errors import BundleError
from faceproof.models import create_model


def _reference_model(arch: str = "efficientnet_lite0") -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model(arch).eval()


def test_round_trip_without_cast_is_bit_exact(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("exact", dtype=None)
    bundle = load_bundle(folder)
    expected = _reference_model().state_dict()
    loaded = bundle.model.state_dict()
    assert loaded.keys() == expected.keys()
    for key, tensor in expected.items():
        assert loaded[key].dtype == tensor.dtype, key
        assert torch.equal(loaded[key], tensor), key
    assert not bundle.model.training
    assert bundle.name == "exact"
    assert bundle.card.startswith("# exact")


def test_fp16_bundle_loads_as_float32_and_predicts_close(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("half", input_size=64)
    bundle = load_bundle(folder)
    assert all(p.dtype == torch.float32 for p in bundle.model.parameters())
    torch.manual_seed(3)
    x = torch.randn(4, 3, 64, 64)
    with torch.no_grad():
        expected = _reference_model()(x)
        got = bundle.model(x)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, expected, atol=1e-2, rtol=1e-2)


def test_model_json_holds_the_contract(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("fields", threshold=0.6, low=0.4, high=0.7, temperature=1.5)
    data = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    for key in (
        "format_version",
        "name",
        "arch",
        "head",
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
    ):
        assert key in data, key
    assert data["name"] == "fields"
    assert data["arch"] == "tf_efficientnet_lite0"
    assert data["input_size"] == 32
    assert data["threshold"] == 0.6
    assert data["temperature"] == 1.5
    assert data["abstain_band"] == {"low": 0.4, "high": 0.7}
    assert data["head"] == {"cbam": False, "dropout": 0.0, "mirror_average": False}
    config = read_config(folder)
    assert config.abstain_band.low == 0.4 and config.abstain_band.high == 0.7


def test_a_bundle_that_averages_over_the_mirror_loads_a_model_that_does(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("mirror", mirror_average=True)
    assert json.loads((folder / CONFIG_FILE).read_text())["head"]["mirror_average"] is True
    assert load_bundle(folder).model.mirror_average is True
    # model.json written before the option existed reads as the plain logit
    data = json.loads((folder / CONFIG_FILE).read_text())
    data["head"] = {"cbam": False, "dropout": 0.0}
    (folder / CONFIG_FILE).write_text(json.dumps(data))
    assert load_bundle(folder).model.mirror_average is False


def _config(**kwargs) -> BundleConfig:
    return BundleConfig(
        name="x", arch="tf_efficientnet_lite0", mean=(0.5,) * 3, std=(0.5,) * 3, **kwargs
    )


def test_threshold_outside_band_is_rejected() -> None:
    with pytest.raises(ValidationError, match="outside abstain band"):
        _config(threshold=0.3, abstain_band=AbstainBand(low=0.4, high=0.6))


def test_band_low_above_high_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"low 0\.7 > high 0\.4"):
        AbstainBand(low=0.7, high=0.4)


def test_threshold_without_band_becomes_a_plain_cut() -> None:
    config = _config(threshold=0.7)
    assert (config.abstain_band.low, config.abstain_band.high) == (0.7, 0.7)


def test_invalid_model_json_is_a_bundle_error(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("invalid")
    data = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    data["threshold"] = 0.9
    data["abstain_band"] = {"low": 0.2, "high": 0.4}
    (folder / CONFIG_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleError, match="invalid model config"):
        load_bundle(folder)


def test_undecodable_model_json_is_a_bundle_error(tiny_bundle_dir) -> None:
    # was a UnicodeDecodeError, which escaped Predictor.from_dir and the service's 4xx mapping
    folder = tiny_bundle_dir("binary_json")
    (folder / CONFIG_FILE).write_bytes(b"\xff\xfe\x00 not utf-8")
    with pytest.raises(BundleError, match="invalid model config"):
        read_config(folder)


def test_missing_model_json(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("no_json")
    (folder / CONFIG_FILE).unlink()
    with pytest.raises(BundleError, match=r"no model\.json"):
        load_bundle(folder)


def test_missing_weights(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("no_weights")
    (folder / WEIGHTS_FILE).unlink()
    with pytest.raises(BundleError, match=r"no model\.safetensors"):
        load_bundle(folder)


@pytest.mark.parametrize("lazy", [False, True])
def test_corrupt_weights(tiny_bundle_dir, lazy) -> None:
    folder = tiny_bundle_dir(f"corrupt_{lazy}")
    (folder / WEIGHTS_FILE).write_bytes(b"\x00garbage, not safetensors" * 10)
    with pytest.raises(BundleError, match="unreadable weights") as info:
        load_bundle(folder, lazy=lazy)  # lazy too: the header is read at load
    assert info.value.code == "invalid_bundle"


def test_weights_of_another_arch(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("mixed")
    save_bundle(create_model("mobilenetv3_small_050"), read_config(folder), folder)
    with pytest.raises(BundleError, match="do not fit tf_efficientnet_lite0"):
        load_bundle(folder)
    lazy = load_bundle(folder, lazy=True)  # found when the model is first built
    with pytest.raises(BundleError, match="do not fit tf_efficientnet_lite0"):
        lazy.model  # noqa: B018


def test_a_lazy_bundle_builds_its_model_once_on_first_use(tiny_bundle_dir) -> None:
    folder = tiny_bundle_dir("lazy")
    bundle = load_bundle(folder, lazy=True)
    assert not bundle.model_built and bundle.name == "lazy" and bundle.device == "cpu"
    model = bundle.model
    assert bundle.model_built and bundle.model is model and not model.training
    eager = load_bundle(folder).model.state_dict()
    assert all(torch.equal(v, eager[k]) for k, v in model.state_dict().items())


def test_find_bundles(tiny_bundle_dir, tmp_path: Path) -> None:
    models = tmp_path / "models"
    second = tiny_bundle_dir("b_model", parent=models)
    first = tiny_bundle_dir("a_model", parent=models)
    (models / "not_a_bundle").mkdir()
    (models / "readme.txt").write_text("hi", encoding="utf-8")
    assert find_bundles(models) == [first, second]
    assert find_bundles(str(first)) == [first]
    assert find_bundles(tmp_path / "missing") == []
