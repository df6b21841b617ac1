"""Tests for faceproof.pretrained: ImageNet initialisation that works offline."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import timm
import torch
from safetensors.torch import save_file

import faceproof.pretrained as pretrained
from faceproof.models import create_model
from faceproof.pretrained import hub_reachable, load_state_dict_by_order, packaged_weights_path


def test_lite0_loads_the_packaged_imagenet_weights() -> None:
    path = packaged_weights_path("tf_efficientnet_lite0")
    assert path is not None and path.is_file()
    packaged = torch.load(path, map_location="cpu", weights_only=True)
    first_name, first = next(iter(packaged.items()))
    assert first_name == "_conv_stem.weight"

    torch.manual_seed(0)
    random = create_model("efficientnet_lite0", pretrained=False)
    loaded = create_model("efficientnet_lite0", pretrained=True)
    stem = loaded.backbone.conv_stem.weight.detach()
    assert torch.equal(stem, first)
    assert not torch.equal(stem, random.backbone.conv_stem.weight.detach())


def test_no_packaged_weights_for_other_archs() -> None:
    assert packaged_weights_path("resnet50") is None


@pytest.mark.parametrize("value", ["1", "true", "YES", "ON"])
def test_hub_unreachable_when_offline(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", value)

    def no_network(*args, **kwargs):
        raise AssertionError("offline mode must not touch the network")

    monkeypatch.setattr(pretrained.socket, "create_connection", no_network)
    start = time.perf_counter()
    assert hub_reachable() is False
    assert time.perf_counter() - start < 0.5


def test_fallback_to_random_init_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pretrained, "hub_reachable", lambda *a, **k: False)
    with caplog.at_level(logging.INFO, logger="faceproof.pretrained"):
        model = create_model("resnet50", pretrained=True)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "resnet50" in warnings[0].getMessage()
    assert "random initialisation" in warnings[0].getMessage()
    with torch.no_grad():
        assert model.eval()(torch.randn(1, 3, 32, 32)).shape == (1,)


@pytest.fixture(scope="module")
def small_timm_state() -> dict[str, torch.Tensor]:
    torch.manual_seed(1)
    return timm.create_model("mobilenetv3_small_050", pretrained=False).state_dict()


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_local_weights_file(tmp_path: Path, small_timm_state: dict, suffix: str) -> None:
    path = tmp_path / f"weights{suffix}"
    if suffix == ".safetensors":  # what the hub serves timm weights as
        save_file(small_timm_state, str(path))
    else:
        torch.save(small_timm_state, path)
    torch.manual_seed(2)
    model = create_model("mobilenetv3_small_050", pretrained=path)
    assert torch.equal(model.backbone.conv_stem.weight, small_timm_state["conv_stem.weight"])
    # a str works as well as a Path
    model = create_model("mobilenetv3_small_050", pretrained=str(path))
    assert torch.equal(model.backbone.conv_stem.weight, small_timm_state["conv_stem.weight"])


def test_local_weights_file_with_other_names_loads_by_order(
    tmp_path: Path, small_timm_state: dict
) -> None:
    renamed = {f"module.{k}": v for k, v in small_timm_state.items()}
    path = tmp_path / "weights.pth"
    torch.save({"state_dict": renamed}, path)
    model = create_model("mobilenetv3_small_050", pretrained=path)
    assert torch.equal(model.backbone.conv_stem.weight, small_timm_state["conv_stem.weight"])


def test_load_by_order_rejects_a_shape_mismatch() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    source = {
        "a": torch.zeros(3, 4),
        "b": torch.zeros(3),
        "c": torch.zeros(2, 4),
        "d": torch.zeros(2),
    }
    with pytest.raises(ValueError, match="shape mismatch"):
        load_state_dict_by_order(model, source)


def test_load_by_order_rejects_a_count_mismatch() -> None:
    model = torch.nn.Linear(4, 3)
    with pytest.raises(ValueError, match="1 tensors"):
        load_state_dict_by_order(model, {"w": torch.zeros(3, 4)})


def test_load_by_order_copies_values() -> None:
    model = torch.nn.Linear(2, 1)
    load_state_dict_by_order(model, {"x": torch.ones(1, 2), "y": torch.full((1,), 3.0)})
    assert torch.equal(model.weight, torch.ones(1, 2))
    assert model.bias.item() == 3.0
