"""Tests for training.losses: focal, smoothed BCE, distillation and the factory."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

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
    torch.testing.assert_close(SmoothedBCE(0.0)(logits, targets),
                               F.binary_cross_entropy_with_logits(logits, targets))


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
        unscaled = F.binary_cross_entropy_with_logits(student / temperature,
                                                      torch.sigmoid(teacher / temperature))
        torch.testing.assert_close(distillation_loss(student, teacher, temperature),
                                   unscaled * temperature**2)


def test_build_loss_picks_by_name() -> None:
    focal = build_loss("focal", alpha=0.3, gamma=1.5)
    assert isinstance(focal, FocalLoss)
    assert (focal.alpha, focal.gamma) == (0.3, 1.5)
    bce = build_loss("bce", smoothing=0.1)
    assert isinstance(bce, SmoothedBCE)
    assert bce.smoothing == 0.1
    with pytest.raises(ValueError, match="hinge"):
        build_loss("hinge")
