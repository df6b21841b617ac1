"""Tests for training.config: defaults, YAML file, typed key=value overrides, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.config import TrainConfig, load_config, save_config


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load_without_file_or_overrides() -> None:
    config = load_config()
    assert config == TrainConfig()
    assert config.arch == "efficientnet_lite0"
    assert config.epochs == 10
    assert config.bundle_name == "efficientnet_lite0"


def test_yaml_values_override_defaults(tmp_path: Path) -> None:
    config = load_config(_yaml(tmp_path, "epochs: 3\narch: resnet50\nname: mine\n"))
    assert config.epochs == 3
    assert config.arch == "resnet50"
    assert config.bundle_name == "mine"
    assert config.lr == TrainConfig().lr  # untouched keys keep their defaults


def test_overrides_win_over_yaml_and_are_typed(tmp_path: Path) -> None:
    path = _yaml(tmp_path, "epochs: 3\nlr: 0.1\ncbam: false\noptimizer: adamw\n")
    config = load_config(
        path, ["epochs=7", "lr=2.5e-4", "cbam=true", "optimizer=sgd", "freeze-stages=2"]
    )
    assert config.epochs == 7
    assert isinstance(config.epochs, int)
    assert config.lr == pytest.approx(2.5e-4)
    assert isinstance(config.lr, float)
    assert config.cbam is True
    assert config.optimizer == "sgd"
    assert config.freeze_stages == 2  # dashes in keys read as underscores


def test_int_given_for_float_field_becomes_float(tmp_path: Path) -> None:
    config = load_config(_yaml(tmp_path, "dropout: 0\n"), ["lr=1"])
    assert config.lr == 1.0
    assert type(config.lr) is float
    assert type(config.dropout) is float
    assert type(config.epochs) is int  # int fields are left alone


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="epohcs"):
        load_config(overrides=["epohcs=3"])
    with pytest.raises(ValueError, match="learning_rate"):
        load_config(_yaml(tmp_path, "learning_rate: 0.1\n"))


def test_override_without_equals_is_an_error() -> None:
    with pytest.raises(ValueError, match="key=value"):
        load_config(overrides=["epochs"])


def test_saved_config_loads_back_equal(tmp_path: Path) -> None:
    config = load_config(
        overrides=["epochs=2", "lr=0.003", "cbam=true", "name=x", "notes={why: test}"]
    )
    path = tmp_path / "resolved.yaml"
    save_config(config, path)
    assert load_config(path) == config


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("epochs=abc", "epochs"),
        ("lr=fast", "lr"),
        ("loss=mse", "loss"),
        ("amp=fp8", "amp"),
        ("optimizer=adam", "optimizer"),
        ("no_face=skip", "no_face"),
        ("face_crops=maybe", "face_crops"),
        ("calibration=best", "calibration"),
        ("sources=3", "sources"),
    ],
)
def test_a_mistyped_value_is_an_error_before_any_work(override: str, field: str) -> None:
    with pytest.raises(ValueError, match=f"invalid training config: {field}"):
        load_config(None, [override])


def test_face_margin_takes_a_number_or_auto() -> None:
    assert load_config(None, ["face_margin=0.25"]).face_margin == 0.25
    assert load_config(None, ["face_margin=auto"]).face_margin == "auto"


def test_the_yunet_detector_needs_its_model_file() -> None:
    with pytest.raises(ValueError, match="face_detector_model"):
        load_config(None, ["face_detector=yunet"])
    config = load_config(None, ["face_detector=yunet", "face_detector_model=m.onnx"])
    assert (config.face_detector, config.face_detector_model) == ("yunet", "m.onnx")
    assert load_config(None, ["face_detector=dlib"]).face_detector_model == ""
