"""Tests for training.freeze: stem and early stages of EfficientNet and ResNet backbones."""

from __future__ import annotations

import pytest
from torch import nn

from faceproof.models import create_model
from training.freeze import early_stages, freeze, keep_frozen_in_eval

# (arch, modules frozen with 2 stages, modules that stay trainable)
CASES = [
    (
        "efficientnet_lite0",
        ["conv_stem", "bn1", "blocks.0", "blocks.1"],
        ["blocks.2", "blocks.6", "conv_head", "bn2"],
    ),
    ("resnet50", ["conv1", "bn1", "layer1", "layer2"], ["layer3", "layer4"]),
]


@pytest.fixture(scope="module", params=CASES, ids=[case[0] for case in CASES])
def case(request) -> tuple[nn.Module, list[str], list[str]]:
    arch, frozen, trainable = request.param
    return create_model(arch, pretrained=False), frozen, trainable


def _under(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_freezing_two_stages_stops_gradients_in_stem_and_first_stages_only(case) -> None:
    model, frozen_names, trainable_names = case
    backbone = model.backbone
    modules = early_stages(backbone, 2)
    assert modules == [backbone.get_submodule(name) for name in frozen_names]
    count = freeze(modules)
    assert count == sum(p.numel() for m in modules for p in m.parameters()) > 0
    for name, param in backbone.named_parameters():
        assert param.requires_grad is not _under(name, frozen_names), name
    for name in trainable_names:
        assert all(p.requires_grad for p in backbone.get_submodule(name).parameters())
    assert all(p.requires_grad for p in model.classifier.parameters())


def test_frozen_stages_stay_in_eval_mode_after_train(case) -> None:
    model, frozen_names, trainable_names = case
    modules = early_stages(model.backbone, 2)
    model.train()
    keep_frozen_in_eval(modules)
    for name, module in model.backbone.named_modules():
        if _under(name, frozen_names):
            assert not module.training, name
    for name in trainable_names:
        assert all(m.training for m in model.backbone.get_submodule(name).modules())
    assert model.training and model.classifier.training


def test_zero_stages_freeze_nothing(case) -> None:
    model, _, _ = case
    assert early_stages(model.backbone, 0) == []


def test_unknown_backbone_is_an_error() -> None:
    with pytest.raises(ValueError, match="Sequential"):
        early_stages(nn.Sequential(nn.Linear(2, 2)), 1)
