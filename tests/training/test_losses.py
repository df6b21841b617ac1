"""Tests for training.losses: focal, smoothed BCE, distillation and the factory."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from training.config import load_config
from training.losses import FocalLoss, SmoothedBCE, build_loss, distillation_loss


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(64, generator=gen) * 3
    targets = (torch.rand(64, generator=gen) > 0.5).float()
    return logits, targets


def test_focal_with_gamma_zero_and_even_alpha_is_bce(batch) -> None:
    logits, targets = batch
    focal = FocalLoss(alpha=0.5, gamma=0.0)(logits, targets)
    torch.testing.assert_close(focal, F.binary_cross_entropy_with_logits(logits, targets))


def test_focal_down_weights_confident_correct_examples() -> None:
    logits = torch.tensor([4.0, -4.0, 3.0])
    targets = torch.tensor([1.0, 0.0, 1.0])
    focal = FocalLoss(alpha=0.5, gamma=2.0)(logits, targets)
    bce = F.binary_cross_entropy_with_logits(logits, targets)
    assert 0 < focal < bce / 10


def test_focal_alpha_weights_the_fake_class() -> None:
    logits = torch.tensor([0.0, 0.0])
    targets = torch.tensor([1.0, 0.0])
    fake_only = FocalLoss(alpha=1.0, gamma=0.0)(logits, targets)
    # alpha=1 drops the REAL example: mean of (2 * log 2, 0)
    torch.testing.assert_close(fake_only, torch.tensor(torch.log(torch.tensor(2.0)).item()))


def test_smoothed_bce_without_smoothing_is_bce(batch) -> None:
    logits, targets = batch
    torch.testing.assert_close(
        SmoothedBCE(0.0)(logits, targets), F.binary_cross_entropy_with_logits(logits, targets)
    )


def test_smoothing_pulls_targets_towards_one_half(batch) -> None:
    logits, targets = batch
    smoothed = SmoothedBCE(0.2)(logits, targets)
    moved = targets * 0.8 + 0.1
    torch.testing.assert_close(smoothed, F.binary_cross_entropy_with_logits(logits, moved))
    assert not torch.isclose(smoothed, F.binary_cross_entropy_with_logits(logits, targets))


def test_distillation_is_lowest_when_the_student_copies_the_teacher(batch) -> None:
    teacher, _ = batch
    same = distillation_loss(teacher.clone(), teacher, temperature=2.0)
    for shift in (-1.0, 0.5, 2.0):
        assert distillation_loss(teacher + shift, teacher, temperature=2.0) > same
    assert distillation_loss(-teacher, teacher, temperature=2.0) > same


def test_distillation_scales_with_temperature_squared(batch) -> None:
    student, teacher = batch[0], batch[0].flip(0)
    for temperature in (1.0, 2.0, 4.0):
        unscaled = F.binary_cross_entropy_with_logits(
            student / temperature, torch.sigmoid(teacher / temperature)
        )
        torch.testing.assert_close(
            distillation_loss(student, teacher, temperature), unscaled * temperature**2
        )


def test_build_loss_picks_by_name() -> None:
    focal = build_loss("focal", alpha=0.3, gamma=1.5)
    assert isinstance(focal, FocalLoss)
    assert (focal.alpha, focal.gamma) == (0.3, 1.5)
    bce = build_loss("bce", smoothing=0.1)
    assert isinstance(bce, SmoothedBCE)
    assert bce.smoothing == 0.1
    with pytest.raises(ValueError, match="hinge"):
        build_loss("hinge")


def _textbook_focal(
    logits: torch.Tensor, targets: torch.Tensor, alpha: float, gamma: float
) -> torch.Tensor:
    """Lin et al. (2017), eq. 5, written out in float64: FL(p_t) = -alpha_t (1 - p_t)^gamma
    log(p_t), with p_t (alpha_t) the probability (weight) of the true class; alpha weighs
    FAKE (1), 1 - alpha REAL (0)."""
    x, y = logits.double(), targets.double()
    p = 1 / (1 + torch.exp(-x))
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * torch.log(p_t)


@pytest.mark.parametrize(
    ("alpha", "gamma"), [(0.5, 2.0), (0.25, 2.0), (0.75, 1.0), (0.5, 0.0), (0.9, 3.5)]
)
def test_focal_loss_as_configured_is_the_textbook_formula(alpha: float, gamma: float) -> None:
    """torchvision's sigmoid_focal_loss, as training builds it from the config, is twice the
    mean of the paper's per-example loss (twice: the scale of BCE at alpha 0.5)."""
    config = load_config(None, ["loss=focal", f"focal_alpha={alpha}", f"focal_gamma={gamma}"])
    loss_fn = build_loss(
        config.loss,
        alpha=config.focal_alpha,
        gamma=config.focal_gamma,
        smoothing=config.label_smoothing,
    )
    logits = torch.tensor([-6.0, -2.5, -0.3, 0.0, 0.4, 1.7, 5.0, -1.0, 2.0, 0.0])
    targets = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    expected = 2 * _textbook_focal(logits, targets, alpha, gamma).mean()
    torch.testing.assert_close(loss_fn(logits, targets).double(), expected, rtol=1e-5, atol=1e-7)
    # one example at a time too: no batch effect hides a wrong weight
    for x, y in zip(logits, targets, strict=True):
        torch.testing.assert_close(
            loss_fn(x[None], y[None]).double(),
            2 * _textbook_focal(x[None], y[None], alpha, gamma)[0],
            rtol=1e-5,
            atol=1e-7,
        )
