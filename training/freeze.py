"""Freeze a backbone's first stages: on a CPU budget, the high-resolution early layers cost
most of the backward pass while their ImageNet features (edges, textures) transfer well."""

from __future__ import annotations

from torch import nn


def early_stages(backbone: nn.Module, count: int) -> list[nn.Module]:
    """The stem plus the first `count` stages of a timm EfficientNet- or ResNet-style net."""
    if count <= 0:
        return []
    if hasattr(backbone, "blocks") and hasattr(backbone, "conv_stem"):  # EfficientNet family
        return [backbone.conv_stem, backbone.bn1, *list(backbone.blocks)[:count]]
    if hasattr(backbone, "layer1") and hasattr(backbone, "conv1"):  # ResNet family
        layers = [getattr(backbone, f"layer{i}") for i in range(1, 5)][:count]
        return [backbone.conv1, backbone.bn1, *layers]
    raise ValueError(f"don't know the stages of {type(backbone).__name__}; use freeze_stages=0")


def freeze(modules: list[nn.Module]) -> int:
    """Stop gradients through `modules`; returns how many parameters were frozen."""
    count = 0
    for module in modules:
        for param in module.parameters():
            param.requires_grad_(False)
            count += param.numel()
    return count


def keep_frozen_in_eval(modules: list[nn.Module]) -> None:
    """Call after `model.train()`: frozen BatchNorms keep their ImageNet statistics."""
    for module in modules:
        module.eval()
