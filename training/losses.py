"""Losses for one-logit binary classification (1 = FAKE)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import sigmoid_focal_loss


class FocalLoss(nn.Module):
    """Focal loss (Lin et al., 2017) on logits: down-weights easy examples.

    Args:
        alpha: weight of the positive (FAKE) class; 0.5 weighs both classes equally.
        gamma: focusing parameter; 0 gives (alpha-weighted) cross-entropy.
    """

    def __init__(self, alpha: float = 0.5, gamma: float = 2.0):
        super().__init__()
        self.alpha = alpha
        self.gamma = gamma

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        # torchvision's loss weighs FAKE by alpha and REAL by 1 - alpha; twice it keeps the
        # scale of plain BCE when alpha = 0.5
        return 2 * sigmoid_focal_loss(
            logits, targets, alpha=self.alpha, gamma=self.gamma, reduction="mean"
        )


class SmoothedBCE(nn.Module):
    """Binary cross-entropy with optional label smoothing."""

    def __init__(self, smoothing: float = 0.0):
        super().__init__()
        self.smoothing = smoothing

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        targets = targets * (1 - self.smoothing) + 0.5 * self.smoothing
        return F.binary_cross_entropy_with_logits(logits, targets)


def distillation_loss(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float
) -> torch.Tensor:
    """BCE against the teacher's softened probabilities, scaled by T² (Hinton et al.)."""
    soft = torch.sigmoid(teacher_logits / temperature)
    loss = F.binary_cross_entropy_with_logits(student_logits / temperature, soft)
    return loss * temperature**2


def build_loss(
    name: str, *, alpha: float = 0.5, gamma: float = 2.0, smoothing: float = 0.0
) -> nn.Module:
    if name == "focal":
        return FocalLoss(alpha, gamma)
    if name == "bce":
        return SmoothedBCE(smoothing)
    raise ValueError(f"unknown loss {name!r}; use bce or focal")
