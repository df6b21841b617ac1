"""The model card's history section says which row a replaced bundle's figures compare with."""

from __future__ import annotations

from pathlib import Path

import pytest

from faceproof.bundle import read_config
from training.model_card import render_model_card

LITE0 = Path(__file__).resolve().parents[2] / "models" / "efficientnet_lite0"


def _card_with_history(history: list[dict]) -> str:
    config = read_config(LITE0)
    training = {**config.training, "history": history}
    section = render_model_card(config.model_copy(update={"training": training}))
    return section.split("## History: the bundles this one replaced")[1].split("\n## ")[0]


def _entry(data: str, images: int) -> dict:
    return {"created": "2026-01-01", "data": data, "validation_images": images, "roc_auc": 0.9}


@pytest.fixture
def same() -> dict:
    data = read_config(LITE0).data
    return _entry(data["description"], data["validation"]["images"])


def test_bundles_on_the_same_mix_and_split_compare_with_the_pooled_row(same: dict) -> None:
    section = _card_with_history([same, same | {"created": "2026-01-02"}])
    assert "same mix and validation split as this bundle" in section
    assert "own data" not in section


def test_bundles_on_other_data_compare_with_their_data_sets_row() -> None:
    section = _card_with_history([_entry("DFDC crops", 3000)])
    assert "their own data and validation split" in section
    assert "same mix" not in section


def test_a_history_of_both_says_which_is_which(same: dict) -> None:
    section = _card_with_history([_entry("DFDC crops", 3000), same])
    assert "Those with this bundle's data and validation size" in section


def test_no_history_no_section() -> None:
    config = read_config(LITE0)
    training = {**config.training, "history": []}
    card = render_model_card(config.model_copy(update={"training": training}))
    assert "## History" not in card


@pytest.mark.parametrize(
    ("crop_first", "words"), [(True, "haar, crop-first search"), (False, "haar, full search")]
)
def test_the_card_says_which_haar_search_cut_the_training_crops(crop_first, words) -> None:
    config = read_config(LITE0)
    framing = {**config.data["face_framing"], "crop_first": crop_first}
    data = {**config.data, "face_framing": framing}
    card = render_model_card(config.model_copy(update={"data": data}))
    assert f"- Crops: training crops cut by the serving face detector ({words}, margin" in card


def test_a_card_from_before_crop_first_says_full_search() -> None:
    config = read_config(LITE0)
    framing = {k: v for k, v in config.data["face_framing"].items() if k != "crop_first"}
    card = render_model_card(
        config.model_copy(update={"data": {**config.data, "face_framing": framing}})
    )
    assert "(haar, full search, margin" in card


def test_an_int8_path_that_passed_is_not_claimed_served_without_its_file() -> None:
    """`training.quantize --drop` can take back an int8 file whose check passed (the ResNet-50's
    OpenVINO int8, 24 MB for a model the ensemble never runs): the card then says so."""
    config = read_config(LITE0.parent / "resnet50")
    check = config.metrics["fast_paths"]["openvino-int8"]
    int8 = {"file": "model.int8.onnx", "sha256": "0" * 64, "weights_sha256": "0" * 64}

    def served(card: str) -> str:
        row = next(line for line in card.splitlines() if line.startswith("| openvino-int8 |"))
        return row.rsplit("|", 2)[1].strip()

    assert check["precision"] == "int8"
    assert served(render_model_card(config)) == "no: no int8 file ships"
    shipped = config.model_copy(update={"int8": {**int8, "method": "m", "calibration_images": 8}})
    assert served(render_model_card(shipped)) == "yes, if fastest"


@pytest.mark.parametrize("mirror", [True, False])
def test_the_card_says_when_the_served_logit_averages_the_face_and_its_mirror(mirror) -> None:
    config = read_config(LITE0)
    head = config.head.model_copy(update={"mirror_average": mirror})
    card = render_model_card(config.model_copy(update={"head": head}))
    first = card.split("\n\n")[1]
    assert ("the mean of the logits of the face and of its left-right mirror" in first) is mirror
    assert first.endswith(f"FAKE probability = sigmoid(logit / {config.temperature:.3f}).")


def test_the_rule_names_the_source_that_set_the_cut_and_the_one_most_accused_at_it() -> None:
    config = read_config(LITE0)
    cal = {
        **config.metrics["calibration"],
        "worst_real_source": "ffhq140k",
        "false_fake_by_source": {"140k": 0.0296, "ffhq140k": 0.0255, "celeba": 0.0},
    }
    card = render_model_card(
        config.model_copy(update={"metrics": {**config.metrics, "calibration": cal}})
    )
    rule = card.split("## Decision rule: calibrated against false accusations\n")[1]
    assert (
        "(set by `ffhq140k`, 2.55 % there; the most genuine faces called FAKE at this cut: "
        "`140k`, 2.96 %)" in rule
    )
    cal["false_fake_by_source"] = {"ffhq140k": 0.0255, "celeba": 0.0}
    card = render_model_card(
        config.model_copy(update={"metrics": {**config.metrics, "calibration": cal}})
    )
    assert "(set by `ffhq140k`, 2.55 % there)." in card
