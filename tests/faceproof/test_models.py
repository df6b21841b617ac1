"""Tests for faceproof.models: the one-logit classifier factory."""

from __future__ import annotations

import pytest
import torch

from faceproof.cbam import CBAM
from faceproof.models import (
    FIRST_CLASS_ARCHS,
    UnknownArchitectureError,
    create_model,
    default_preprocessing,
    resolve_arch,
)


@pytest.mark.parametrize("arch", list(FIRST_CLASS_ARCHS))
def test_first_class_archs_output_one_logit_per_image(arch: str) -> None:
    torch.manual_seed(0)
    model = create_model(arch).eval()
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 64, 64))
    assert logits.shape == (2,)
    assert torch.isfinite(logits).all()


def test_cbam_and_dropout_head() -> None:
    torch.manual_seed(0)
    model = create_model("efficientnet_lite0", cbam=True, dropout=0.3)
    assert isinstance(model.attention, CBAM)
    assert model.dropout.p == 0.3
    x = torch.randn(2, 3, 64, 64)
    model.eval()
    with torch.no_grad():
        first, second = model(x), model(x)
        features = model.forward_features(x)
    assert first.shape == (2,)
    torch.testing.assert_close(first, second)  # dropout is off in eval mode
    assert features.ndim == 4 and features.shape[1] == model.backbone.num_features


def test_plain_model_has_no_attention() -> None:
    model = create_model("efficientnet_lite0")
    assert isinstance(model.attention, torch.nn.Identity)


def test_unknown_arch_lists_first_class_names() -> None:
    with pytest.raises(UnknownArchitectureError) as info:
        create_model("no_such_net_xyz")
    message = str(info.value)
    assert "no_such_net_xyz" in message
    for name in FIRST_CLASS_ARCHS:
        assert name in message
    assert isinstance(info.value, ValueError)


def test_any_timm_name_works() -> None:
    assert resolve_arch("mobilenetv3_small_050") == "mobilenetv3_small_050"
    assert resolve_arch("efficientnet_lite0") == "tf_efficientnet_lite0"
    model = create_model("mobilenetv3_small_050").eval()
    with torch.no_grad():
        assert model(torch.randn(2, 3, 32, 32)).shape == (2,)


def test_default_preprocessing_of_lite0() -> None:
    pre = default_preprocessing("efficientnet_lite0")
    assert pre == {
        "input_size": 224,
        "mean": [0.5, 0.5, 0.5],
        "std": [0.5, 0.5, 0.5],
        "interpolation": "bicubic",
    }


def test_default_preprocessing_of_resnet50_is_imagenet() -> None:
    pre = default_preprocessing("resnet50")
    assert pre["mean"] == pytest.approx([0.485, 0.456, 0.406])
    assert pre["std"] == pytest.approx([0.229, 0.224, 0.225])


def test_mirror_average_scores_the_mean_of_the_face_and_its_mirror_with_the_same_weights() -> None:
    torch.manual_seed(0)
    plain = create_model("mobilenetv3_small_050").eval()
    mirrored = create_model("mobilenetv3_small_050", mirror_average=True).eval()
    assert mirrored.state_dict().keys() == plain.state_dict().keys()  # no new weights
    mirrored.load_state_dict(plain.state_dict())
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = (plain(x) + plain(x.flip(3))) / 2
        assert not torch.allclose(plain(x), plain(x.flip(3)))  # the mirror does change it
        torch.testing.assert_close(mirrored(x), expected)
        # Grad-CAM's path explains the face as given
        torch.testing.assert_close(mirrored.forward_head(mirrored.forward_features(x)), plain(x))
    mirrored.train()  # training trains the plain logit (its draws are mirrored at random)
    torch.manual_seed(2)
    train_out = mirrored(x)
    plain.train()
    torch.manual_seed(2)
    torch.testing.assert_close(train_out, plain(x))
