"""Model bundles: the contract between training and serving.

A bundle is a folder: `model.safetensors` (weights, fp16 is fine), `model.json` (everything
needed to rebuild the model and its preprocessing, plus calibration, metrics and a data card),
`MODEL_CARD.md` and `reports/`. Training writes bundles; everything else only reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from safetensors.torch import load_file, save_file

from faceproof.errors import BundleError
from faceproof.models import DeepfakeClassifier, create_model
from faceproof.verdict import DecisionRule

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"
REPORTS_DIR = "reports"
INT8_FILE = "model.int8.onnx"
FORMAT_VERSION = 1

Interpolation = Literal["nearest", "bilinear", "bicubic", "area", "lanczos"]


class HeadOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cbam: bool = False
    dropout: float = Field(0.0, ge=0.0, lt=1.0)


class AbstainBand(BaseModel):
    """Calibrated FAKE probabilities in [low, high) give UNCERTAIN instead of a verdict."""

    model_config = ConfigDict(extra="forbid")

    low: float = Field(0.5, ge=0.0, le=1.0)
    high: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> AbstainBand:
        if self.low > self.high:
            raise ValueError(f"abstain band low {self.low} > high {self.high}")
        return self


def rule_fields(rule: DecisionRule) -> dict[str, Any]:
    """How `model.json` and `ensemble.json` store a decision rule: `threshold` and
    `abstain_band`, as an update for `BundleConfig.model_copy` (or `EnsembleConfig`'s)."""
    return {"threshold": rule.threshold,
            "abstain_band": AbstainBand(low=rule.low, high=rule.high)}


class Int8Model(BaseModel):
    """An int8 copy of the classifier (`python -m training.quantize`), served only where the
    card's fast-path check shows it keeps fp32's answers."""

    file: str = INT8_FILE
    sha256: str = Field(description="of the int8 ONNX file")
    weights_sha256: str = Field(description="of the weights it was quantised from: a bundle "
                                "retrained since has a stale int8 copy, never served")
    method: str = Field("", description="quantiser, format and calibration")
    calibration_images: int = 0


class BundleConfig(BaseModel):
    """The content of `model.json`."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    format_version: int = FORMAT_VERSION
    name: str
    arch: str = Field(description="timm architecture name")
    head: HeadOptions = HeadOptions()
    input_size: int = Field(224, ge=16, le=1024)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: Interpolation = "bicubic"
    face_margin: float = Field(0.3, ge=0.0, le=2.0)
    threshold: float = Field(0.5, gt=0.0, lt=1.0)
    temperature: float = Field(1.0, gt=0.0)
    abstain_band: AbstainBand = AbstainBand()
    metrics: dict[str, Any] = {}
    int8: Int8Model | None = None
    data: dict[str, Any] = {}
    training: dict[str, Any] = {}
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def rule(self) -> DecisionRule:
        """The decision rule the bundle is served with."""
        return DecisionRule.from_config(self)

    @model_validator(mode="after")
    def _threshold_inside_band(self) -> BundleConfig:
        band = self.abstain_band
        if band.low == band.high == 0.5 and self.threshold != 0.5:
            self.abstain_band = AbstainBand(low=self.threshold, high=self.threshold)
        elif not band.low <= self.threshold <= band.high:
            raise ValueError(f"threshold {self.threshold} outside abstain band "
                             f"[{band.low}, {band.high}]")
        return self


@dataclass
class Bundle:
    """A loaded bundle: its folder, its config and the model in eval mode (float32)."""

    path: Path
    config: BundleConfig
    model: DeepfakeClassifier

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def card(self) -> str:
        card = self.path / CARD_FILE
        return card.read_text(encoding="utf-8") if card.is_file() else ""


def build_model(config: BundleConfig) -> DeepfakeClassifier:
    """An untrained model with the bundle's architecture and head."""
    return create_model(config.arch, pretrained=False, cbam=config.head.cbam,
                        dropout=config.head.dropout)


def save_bundle(
    model: torch.nn.Module,
    config: BundleConfig,
    folder: str | Path,
    *,
    dtype: torch.dtype | None = torch.float16,
) -> Path:
    """Write weights and `model.json` into `folder` (created if needed).

    Args:
        model: the trained classifier (any dtype or device).
        config: its bundle config.
        folder: destination folder.
        dtype: dtype of the stored floating-point weights; None keeps them as they are.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().to("cpu")
        if dtype is not None and tensor.is_floating_point():
            tensor = tensor.to(dtype)
        state[key] = tensor.contiguous()
    save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt", "name": config.name})
    write_config(config, folder)
    return folder


def write_config(config: BundleConfig, folder: str | Path) -> None:
    text = json.dumps(config.model_dump(mode="json"), indent=2, ensure_ascii=False)
    (Path(folder) / CONFIG_FILE).write_text(text + "\n", encoding="utf-8")


def read_config(folder: str | Path) -> BundleConfig:
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise BundleError(f"{folder}: no {CONFIG_FILE}")
    try:
        return BundleConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: invalid model config: {exc}") from exc


def load_bundle(folder: str | Path, *, device: str | torch.device = "cpu") -> Bundle:
    """Load a bundle; weights stored in fp16 or bf16 are cast to float32."""
    folder = Path(folder)
    config = read_config(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise BundleError(f"{folder}: no {WEIGHTS_FILE}")
    model = build_model(config)
    try:
        state = load_file(str(weights), device="cpu")
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise BundleError(f"{weights}: unreadable weights ({exc})") from exc
    reference = model.state_dict()
    state = {k: v.to(reference[k].dtype) if k in reference else v for k, v in state.items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise BundleError(f"{weights}: weights do not fit {config.arch}: {exc}") from exc
    model.to(device).eval()
    return Bundle(path=folder, config=config, model=model)


def find_bundles(models_dir: str | Path) -> list[Path]:
    """Sub-folders of `models_dir` that hold a `model.json`, sorted by name."""
    root = Path(models_dir)
    if (root / CONFIG_FILE).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / CONFIG_FILE).is_file())
