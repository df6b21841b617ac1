"""Tests for faceproof.gradcam: map shape and range, side effects, evidence, image helpers."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from faceproof.gradcam import encode_png, grad_cam, heatmap_rgba, overlay, png_data_url
from faceproof.models import DeepfakeClassifier, HeadConfig, create_model

SIZE = 64


@pytest.fixture(
    scope="module",
    params=[
        ("resnet50", False),
        ("efficientnet_lite0", False),
        ("efficientnet_lite0", True),
    ],
    ids=["resnet50", "efficientnet_lite0", "efficientnet_lite0-cbam"],
)
def model(request) -> DeepfakeClassifier:
    arch, cbam = request.param
    torch.manual_seed(0)
    return create_model(arch, pretrained=False, cbam=cbam, dropout=0.2).eval()


@pytest.fixture(scope="module")
def batch() -> torch.Tensor:
    return torch.randn(2, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1))


@pytest.fixture(scope="module")
def reference(model, batch) -> np.ndarray:
    """The plain eval-mode maps, computed once per model (CPU time is scarce)."""
    return grad_cam(model, batch)


class _PoolBackbone(nn.Module):
    """A fixed 1x1 conv reading channel 0, then 8x8 pooling: a 4x4 map of where signal is."""

    num_features = 1

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 1, 1, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(self.conv(x), 8)


def _evidence_model(sign: float) -> DeepfakeClassifier:
    """A classifier whose FAKE logit is `sign` times the mean signal in channel 0."""
    model = DeepfakeClassifier(_PoolBackbone(), HeadConfig())
    with torch.no_grad():
        model.classifier.weight.fill_(sign)
        model.classifier.bias.zero_()
    return model.eval()


def _top_left_signal(size: int = 32) -> torch.Tensor:
    x = torch.zeros(1, 3, size, size)
    x[:, 0, : size // 2, : size // 2] = 1.0
    return x


def test_maps_have_input_size_and_unit_range(reference) -> None:
    cams = reference
    assert cams.shape == (2, SIZE, SIZE)
    assert cams.dtype == np.float32
    assert np.isfinite(cams).all()
    assert cams.min() >= 0.0 and cams.max() <= 1.0
    for cam in cams:
        assert cam.max() > cam.min()


def test_works_under_inference_mode_and_no_grad(model, batch, reference) -> None:
    with torch.inference_mode():
        inferred = grad_cam(model, batch.clone())
    with torch.no_grad():
        no_grad = grad_cam(model, batch)
    np.testing.assert_allclose(inferred, reference, atol=1e-5)
    np.testing.assert_allclose(no_grad, reference, atol=1e-5)


def test_ignores_autocast(model, batch, reference) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16):
        cams = grad_cam(model, batch)
    np.testing.assert_allclose(cams, reference, atol=1e-5)


def test_leaves_no_parameter_gradients(model, batch) -> None:
    grad_cam(model, batch)
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("training", [False, True])
def test_keeps_train_or_eval_mode(model, batch, training: bool) -> None:
    model.train(training)
    try:
        grad_cam(model, batch)
        assert all(m.training is training for m in model.modules())
    finally:
        model.eval()


def test_train_mode_gives_the_eval_map(model, batch, reference) -> None:
    """Dropout and batch statistics must not change the explanation."""
    model.train()
    try:
        cams = grad_cam(model, batch)
    finally:
        model.eval()
    np.testing.assert_allclose(cams, reference, atol=1e-5)


def test_frozen_model_still_explained() -> None:
    model = _evidence_model(1.0).requires_grad_(False)
    cams = grad_cam(model, _top_left_signal())
    assert cams.max() == pytest.approx(1.0)


def test_map_follows_the_fake_evidence() -> None:
    cam = grad_cam(_evidence_model(1.0), _top_left_signal())[0]
    row, col = np.unravel_index(np.argmax(cam), cam.shape)
    assert row < 16 and col < 16
    assert cam[:16, :16].mean() > 3 * max(cam[16:, :].mean(), cam[:, 16:].mean())


def test_no_fake_evidence_gives_zeros_not_nan() -> None:
    # Signal that lowers the FAKE logit: every weighted channel is negative, ReLU leaves 0.
    cams = grad_cam(_evidence_model(-1.0), _top_left_signal())
    assert np.isfinite(cams).all()
    assert not cams.any()


def test_empty_batch() -> None:
    assert grad_cam(_evidence_model(1.0), torch.empty(0, 3, 32, 32)).shape == (0, 32, 32)


def _ramp(height: int = 8, width: int = 10) -> np.ndarray:
    return np.tile(np.linspace(0.0, 1.0, width, dtype=np.float32), (height, 1))


def test_heatmap_alpha_follows_the_map() -> None:
    rgba = heatmap_rgba(_ramp(), alpha_max=200)
    assert rgba.shape == (8, 10, 4) and rgba.dtype == np.uint8
    assert (rgba[:, 0, 3] == 0).all()
    assert (rgba[:, -1, 3] == 200).all()
    assert (np.diff(rgba[0, :, 3].astype(int)) >= 0).all()


def test_heatmap_resizes_to_width_height() -> None:
    rgba = heatmap_rgba(_ramp(), (30, 20))
    assert rgba.shape == (20, 30, 4)


def test_overlay_matches_the_crop() -> None:
    crop = np.full((40, 30, 3), 128, dtype=np.uint8)
    blended = overlay(crop, _ramp())
    assert blended.shape == crop.shape and blended.dtype == np.uint8
    np.testing.assert_array_equal(overlay(crop, _ramp(), strength=0.0), crop)


@pytest.mark.parametrize("channels", [3, 4])
def test_encode_png_round_trip(channels: int) -> None:
    image = np.zeros((12, 16, channels), dtype=np.uint8)
    image[..., 0] = 255  # pure red, to catch RGB/BGR swaps
    if channels == 4:
        image[..., 3] = np.arange(16, dtype=np.uint8) * 16
    decoded = cv2.imdecode(np.frombuffer(encode_png(image), np.uint8), cv2.IMREAD_UNCHANGED)
    code = cv2.COLOR_BGR2RGB if channels == 3 else cv2.COLOR_BGRA2RGBA
    np.testing.assert_array_equal(cv2.cvtColor(decoded, code), image)


def test_png_data_url() -> None:
    png = encode_png(np.zeros((2, 2, 3), dtype=np.uint8))
    url = png_data_url(png)
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == png
