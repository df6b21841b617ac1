"""Tests for training.optim: decay groups, optimiser choice, warm-up + cosine schedule."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch import nn

from training.optim import build_optimizer, warmup_cosine


def _model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 1))


def _decay_of(optimizer: torch.optim.Optimizer) -> dict[int, float]:
    return {
        id(p): group["weight_decay"] for group in optimizer.param_groups for p in group["params"]
    }


def test_weight_decay_only_on_multi_dimensional_weights() -> None:
    model = _model()
    model[0].bias.requires_grad_(False)  # frozen parameters are left out
    optimizer = build_optimizer(model, "adamw", lr=1e-3, weight_decay=0.05)
    decay = _decay_of(optimizer)
    assert decay[id(model[0].weight)] == 0.05
    assert decay[id(model[3].weight)] == 0.05
    for param in (model[1].weight, model[1].bias, model[3].bias):
        assert decay[id(param)] == 0.0
    assert id(model[0].bias) not in decay


def test_optimizer_types_and_settings() -> None:
    adamw = build_optimizer(_model(), "adamw", lr=3e-4, weight_decay=0.01)
    assert isinstance(adamw, torch.optim.AdamW)
    assert all(g["lr"] == 3e-4 for g in adamw.param_groups)
    sgd = build_optimizer(_model(), "sgd", lr=0.1, weight_decay=0.01, momentum=0.8)
    assert isinstance(sgd, torch.optim.SGD)
    assert all(g["momentum"] == 0.8 and g["nesterov"] for g in sgd.param_groups)


def test_unknown_optimizer_is_an_error() -> None:
    with pytest.raises(ValueError, match="lion"):
        build_optimizer(_model(), "lion", lr=1e-3, weight_decay=0.0)


def _lrs(total: int, warmup: int, min_ratio: float, base: float = 0.5) -> list[float]:
    param = nn.Parameter(torch.zeros(2, 2))
    optimizer = torch.optim.SGD([param], lr=base)
    scheduler = warmup_cosine(
        optimizer, total_steps=total, warmup_steps=warmup, min_lr_ratio=min_ratio
    )
    lrs = []
    for _ in range(total + 1):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def test_warmup_rises_linearly_to_the_base_lr() -> None:
    base, warmup = 0.5, 10
    lrs = _lrs(total=50, warmup=warmup, min_ratio=0.01, base=base)
    for step in range(warmup):
        assert lrs[step] == pytest.approx(base * (step + 1) / warmup)
    assert lrs[warmup] == pytest.approx(base)
    assert max(lrs) == pytest.approx(base)


def test_cosine_decays_monotonically_to_the_minimum() -> None:
    base, warmup, total = 0.5, 10, 50
    lrs = _lrs(total=total, warmup=warmup, min_ratio=0.01, base=base)
    after = lrs[warmup : total + 1]
    assert all(b < a for a, b in itertools.pairwise(after))
    assert lrs[total] == pytest.approx(base * 0.01)
    half = warmup + (total - warmup) // 2
    assert lrs[half] == pytest.approx(base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi / 2))))


def test_schedule_without_warmup_starts_at_the_base_lr() -> None:
    lrs = _lrs(total=20, warmup=0, min_ratio=0.1, base=1.0)
    assert lrs[0] == pytest.approx(1.0)
    assert lrs[20] == pytest.approx(0.1)
