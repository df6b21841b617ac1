"""Model factory: any timm backbone with an optional CBAM block and a dropout head.

Every classifier outputs one logit per image: the evidence that the face is FAKE.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import timm
import torch
from torch import nn

from faceproof.cbam import CBAM
from faceproof.pretrained import create_imagenet_backbone

# Our names for the architectures we train and test; anything else timm knows also works.
FIRST_CLASS_ARCHS: dict[str, str] = {
    "efficientnet_lite0": "tf_efficientnet_lite0",
    "efficientnet_lite1": "tf_efficientnet_lite1",
    "efficientnet_lite2": "tf_efficientnet_lite2",
    "efficientnet_b0": "efficientnet_b0",
    "efficientnet_b4": "efficientnet_b4",
    "resnet50": "resnet50",
}


class UnknownArchitectureError(ValueError):
    """Raised for an architecture name neither FaceProof nor timm knows."""


def resolve_arch(arch: str) -> str:
    """Map a FaceProof or timm architecture name to the timm name, or raise listing options."""
    if arch in FIRST_CLASS_ARCHS:
        return FIRST_CLASS_ARCHS[arch]
    if arch in timm.list_models():
        return arch
    close = timm.list_models(f"*{arch}*")[:10]
    hint = f"; timm names containing it: {', '.join(close)}" if close else ""
    raise UnknownArchitectureError(
        f"unknown architecture {arch!r}. First-class: {', '.join(FIRST_CLASS_ARCHS)}; "
        f"or any of timm's {len(timm.list_models())} models{hint}"
    )


@dataclass(frozen=True)
class HeadConfig:
    """What sits between the backbone's feature map and the logit."""

    cbam: bool = False
    dropout: float = 0.0
    mirror_average: bool = False  # the logit: the mean of the face's and its mirror image's


class DeepfakeClassifier(nn.Module):
    """Backbone feature map -> (CBAM) -> global average pool -> dropout -> one logit.

    `forward_features` returns the last spatial feature map, which Grad-CAM explains.
    With `mirror_average` the logit `forward` gives is the mean of the logits of each face and
    of its left-right mirror image, scored in one batch: the same weights, one more forward per
    face, and every serving path (torch, ONNX Runtime, OpenVINO) gets it from this one graph.
    Grad-CAM explains the face as given (`forward_features`, `forward_head`); training sees
    mirrored faces through its augmentation and trains on the plain logit.
    """

    def __init__(self, backbone: nn.Module, head: HeadConfig):
        super().__init__()
        self.backbone = backbone
        # timm types its models as plain nn.Module, whose __getattr__ reads Tensor | Module:
        # num_features, forward_features and reset_classifier, which every timm model has,
        # are invisible to mypy
        channels: int = backbone.num_features  # type: ignore[assignment]  # timm: see above
        self.attention = CBAM(channels) if head.cbam else nn.Identity()
        self.dropout = nn.Dropout(head.dropout)
        self.classifier = nn.Linear(channels, 1)
        self.mirror_average = head.mirror_average

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        features = self.backbone.forward_features(x)  # type: ignore[operator]  # timm
        return self.attention(features)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        pooled = features.float().mean(dim=(2, 3)) if features.ndim == 4 else features
        return self.classifier(self.dropout(pooled.to(self.classifier.weight.dtype))).squeeze(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.mirror_average or self.training:
            return self.forward_head(self.forward_features(x))
        both = self.forward_head(self.forward_features(torch.cat([x, x.flip(3)])))
        return both.reshape(2, -1).mean(dim=0)


def create_model(
    arch: str,
    *,
    pretrained: bool | str | Path = False,
    cbam: bool = False,
    dropout: float = 0.0,
    mirror_average: bool = False,
) -> DeepfakeClassifier:
    """Create a one-logit deepfake classifier.

    Args:
        arch: a first-class name (`efficientnet_lite0`, `efficientnet_b0`, `efficientnet_b4`,
            `resnet50`) or any timm architecture name.
        pretrained: ImageNet initialisation: True tries packaged weights, then the hub, then
            falls back to random init with a warning; a path loads a local file.
        cbam: add a CBAM attention block before the head.
        dropout: dropout probability before the final linear layer.
        mirror_average: in eval mode, the logit is the mean over the face and its mirror.
    """
    timm_name = resolve_arch(arch)
    backbone = create_imagenet_backbone(timm_name, pretrained)
    backbone.reset_classifier(0, global_pool="")  # type: ignore[operator]  # timm: see DeepfakeClassifier
    head = HeadConfig(cbam=cbam, dropout=dropout, mirror_average=mirror_average)
    return DeepfakeClassifier(backbone, head)


def default_preprocessing(arch: str) -> dict:
    """The ImageNet preprocessing timm records for an architecture (input size, mean, std...)."""
    pretrained_cfg = timm.get_pretrained_cfg(resolve_arch(arch))
    cfg = pretrained_cfg.to_dict() if pretrained_cfg is not None else {}
    return {
        "input_size": int(cfg.get("input_size", (3, 224, 224))[-1]),
        "mean": list(cfg.get("mean", timm.data.IMAGENET_DEFAULT_MEAN)),
        "std": list(cfg.get("std", timm.data.IMAGENET_DEFAULT_STD)),
        "interpolation": cfg.get("interpolation", "bicubic"),
    }
