"""Model bundles: the contract between training and serving.

A bundle is a folder: `model.safetensors` (weights, fp16 is fine), `model.json` (everything
needed to rebuild the model and its preprocessing, plus calibration, metrics and a data card),
`MODEL_CARD.md` and `reports/`. Training writes bundles; everything else only reads them.

Reading a bundle's config needs no torch; its model (torch, timm) is built when first asked
for, at load by default, or on first use (`load_bundle(..., lazy=True)`: a service served by a
compiled runtime from a warm cache never builds it).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from faceproof.errors import BundleError
from faceproof.lazy_torch import import_torch
from faceproof.verdict import DecisionRule

if TYPE_CHECKING:
    import torch

    from faceproof.models import DeepfakeClassifier

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
    mirror_average: bool = Field(
        False, description="the logit is the mean over the face and its left-right mirror"
    )


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
    return {"threshold": rule.threshold, "abstain_band": AbstainBand(low=rule.low, high=rule.high)}


class Int8Model(BaseModel):
    """An int8 copy of the classifier (`python -m training.quantize`), served only where the
    card's fast-path check shows it keeps fp32's answers."""

    file: str = INT8_FILE
    sha256: str = Field(description="of the int8 ONNX file")
    weights_sha256: str = Field(
        description="of the weights it was quantised from: a bundle "
        "retrained since has a stale int8 copy, never served"
    )
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
            raise ValueError(
                f"threshold {self.threshold} outside abstain band [{band.low}, {band.high}]"
            )
        return self


class Bundle:
    """A loaded bundle: its folder, its config and the model in eval mode (float32) on
    `device`, built from the weights the first time `.model` is read when not given.

    Args:
        path: the bundle's folder.
        config: its `model.json`.
        model: the classifier, already built; None builds it on first use.
        device: where the model lives (or will).
    """

    def __init__(
        self,
        path: str | Path,
        config: BundleConfig,
        model: DeepfakeClassifier | None = None,
        *,
        device: str | torch.device = "cpu",
    ):
        self.path = Path(path)
        self.config = config
        self._model = model
        self.device = str(next(model.parameters()).device) if model is not None else str(device)
        self._lock = threading.Lock()

    @property
    def model(self) -> DeepfakeClassifier:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_model(self.path, self.config, self.device)
        return self._model

    @property
    def model_built(self) -> bool:
        """Whether the torch model is built (it is once `.model` has been read)."""
        return self._model is not None

    def __repr__(self) -> str:
        return f"Bundle({self.name!r}, {str(self.path)!r}, device={self.device!r})"

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def card(self) -> str:
        card = self.path / CARD_FILE
        return card.read_text(encoding="utf-8") if card.is_file() else ""


def build_model(config: BundleConfig) -> DeepfakeClassifier:
    """An untrained model with the bundle's architecture and head."""
    from faceproof.models import create_model

    return create_model(
        config.arch,
        pretrained=False,
        cbam=config.head.cbam,
        dropout=config.head.dropout,
        mirror_average=config.head.mirror_average,
    )


def save_bundle(
    model: torch.nn.Module,
    config: BundleConfig,
    folder: str | Path,
    *,
    dtype: torch.dtype | str | None = "float16",
) -> Path:
    """Write weights and `model.json` into `folder` (created if needed).

    Args:
        model: the trained classifier (any dtype or device).
        config: its bundle config.
        folder: destination folder.
        dtype: dtype (or its torch name) of the stored floating-point weights; None keeps
            them as they are.
    """
    from safetensors.torch import save_file

    if isinstance(dtype, str):
        dtype = getattr(import_torch(), dtype)
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


def load_bundle(
    folder: str | Path, *, device: str | torch.device = "cpu", lazy: bool = False
) -> Bundle:
    """Load a bundle; weights stored in fp16 or bf16 are cast to float32.

    `lazy`: read the config and the weights file's header now (a missing, truncated or
    garbled file fails here), build the model (and import torch) only when `.model` is
    first read; weights that do not fit the architecture then fail there."""
    folder = Path(folder)
    config = read_config(folder)
    if not (folder / WEIGHTS_FILE).is_file():
        raise BundleError(f"{folder}: no {WEIGHTS_FILE}")
    if lazy:
        _check_weights_header(folder / WEIGHTS_FILE)
        return Bundle(folder, config, device=device)
    return Bundle(folder, config, load_model(folder, config, device))


def _check_weights_header(weights: Path) -> None:
    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="numpy") as f:  # the header only; no torch
            if not list(f.keys()):
                raise ValueError("no tensors")
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise BundleError(f"{weights}: unreadable weights ({exc})") from exc


def load_model(
    folder: Path, config: BundleConfig, device: str | torch.device = "cpu"
) -> DeepfakeClassifier:
    """The bundle's classifier with its weights, in eval mode on `device`."""
    from safetensors.torch import load_file

    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise BundleError(f"{folder}: no {WEIGHTS_FILE}")
    import_torch()  # with the threads set for serving
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
    return model.to(device).eval()


def find_bundles(models_dir: str | Path) -> list[Path]:
    """Sub-folders of `models_dir` that hold a `model.json`, sorted by name."""
    root = Path(models_dir)
    if (root / CONFIG_FILE).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / CONFIG_FILE).is_file())
