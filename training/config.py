"""Training configuration: a dataclass with commented defaults, a YAML file, CLI overrides.

`python -m training.train --config training/configs/x.yaml epochs=3 lr=1e-3` loads the
defaults below, then the YAML, then each `key=value` (values parsed as YAML scalars).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import TypeAdapter, ValidationError


@dataclass
class TrainConfig:
    # --- data
    data: str = ""  # folder with Real/ and Fake/, or a CSV (file,label[,group])
    image_root: str = ""  # folder the CSV's file paths are relative to (CSV's own)
    sources: list[Any] = field(default_factory=list)  # a mix instead of `data`: entries
    # {data, name, max, weight} (see training.mix)
    hold_out_source: str = ""  # a data set or source kept out entirely (leave-one-out)
    face_crops: bool = True  # cut training crops with the serving face detector
    face_detector: Literal["haar", "yunet", "dlib"] = "haar"  # the detector that cuts them (as the
    # service's setting)
    face_detector_model: str = ""  # its model file where it needs one: yunet's .onnx (e.g.
    # ../shared/models/yunet/face_detection_yunet_2026may.onnx; as FACEPROOF_YUNET_MODEL_PATH)
    face_crop_first: bool = True  # haar: small images searched for a frame-filling face first
    # (as FACEPROOF_HAAR_CROP_FIRST); false: the full search that cut crops before 2026-12
    no_face: Literal["keep", "drop"] = "keep"  # training images where no face is found: kept
    # (scored whole, as the service does) or dropped
    val_fraction: float = 0.15  # share of samples (by whole groups) held out
    split_seed: int = 42  # seed of the group split
    folds: int = 0  # >1: k-fold cross-validation by group; 0/1: one split
    fold: int = 0  # which fold is validation when folds > 1
    cache_dir: str = "data/cache"  # memory-mapped uint8 cache of decoded images
    cache_size: int = 224  # side of the cached images
    max_samples: int = 0  # >0: use a class-balanced subset (quick experiments)
    # --- model
    name: str = ""  # bundle name; defaults to the arch
    arch: str = "efficientnet_lite0"
    pretrained: bool = True  # ImageNet init when available (see faceproof.pretrained)
    cbam: bool = False
    dropout: float = 0.2
    mirror_average: bool = False  # the exported bundle scores each face and its mirror image
    # and serves the mean logit (training is unchanged: its draws are flipped at random)
    input_size: int = 0  # 0: the arch's default
    face_margin: float | str = "auto"  # margin for cropping faces at inference; "auto":
    # measured on the training crops at export
    freeze_stages: int = 0  # freeze the stem and this many early stages
    init_from: str = ""  # warm start: a run's checkpoint (.pt) or a bundle folder
    # of the same arch; "" starts from `pretrained`
    # --- augmentation
    aug_scale_min: float = 0.75  # random resized crop: smallest area fraction kept
    aug_rotation: float = 10.0  # degrees
    aug_color: float = 0.2  # colour-jitter strength (brightness/contrast/saturation)
    aug_jpeg_p: float = 0.3  # chance of a JPEG re-compression
    aug_jpeg_quality_min: int = 50
    aug_erasing_p: float = 0.25  # chance of random erasing
    balance_classes: bool = True  # sample classes equally when they are imbalanced
    # --- self-blended fakes (training.sbi) and degradations (training.degrade)
    sbi_fraction: float = 0.0  # share of training draws that are self-blended fakes
    degrade_jpeg_p: float = 0.0  # JPEG quality drawn from [degrade_jpeg_min, 100]
    degrade_jpeg_min: int = 30
    degrade_scale_p: float = 0.0  # down-scale to [degrade_scale_min, 1] and back
    degrade_scale_min: float = 0.25
    degrade_blur_p: float = 0.0  # Gaussian blur, sigma up to degrade_blur_sigma
    degrade_blur_sigma: float = 1.2
    degrade_noise_p: float = 0.0  # Gaussian noise, std up to degrade_noise_std (0-255)
    degrade_noise_std: float = 6.0
    samples_per_epoch: int = 0  # >0: draws per epoch (weighted sampler); 0: the train set
    # --- optimisation
    epochs: int = 10
    batch_size: int = 32
    optimizer: Literal["adamw", "sgd"] = "adamw"  # adamw | sgd
    lr: float = 1e-3
    weight_decay: float = 0.02
    momentum: float = 0.9  # sgd only
    warmup_epochs: float = 0.5
    min_lr_ratio: float = 0.01  # cosine decays to lr * this
    loss: Literal["bce", "focal"] = "bce"  # bce | focal
    focal_alpha: float = 0.5
    focal_gamma: float = 2.0
    label_smoothing: float = 0.0
    grad_clip: float = 2.0  # max gradient norm; 0 disables
    amp: Literal["auto", "bf16", "fp16", "off"] = "auto"  # auto | bf16 | fp16 | off
    channels_last: bool = True
    early_stopping_patience: int = 4  # epochs without val ROC-AUC improvement; 0 disables
    # --- distillation (optional): soft targets from a teacher bundle
    teacher: str = ""  # path to a bundle folder
    distill_weight: float = 0.0  # loss = (1-w) * hard + w * soft
    distill_temperature: float = 2.0
    # + w * cosine distance to the teacher's pooled features, through a trained projection
    # (training.distill): far more signal per image for a student trained from scratch
    distill_feature_weight: float = 0.0
    # --- run
    output: str = "runs/train"  # run folder: checkpoints, metrics.csv, resolved config
    export: str = ""  # bundle folder written at the end; "" skips export
    seed: int = 0
    workers: int = 0  # DataLoader processes; 0 avoids stealing cores from compute
    threads: int = 0  # torch intra-op threads; 0: all cores
    resume: bool = True  # continue from output/last.pt when it exists
    max_steps_per_epoch: int = 0  # >0: cut epochs short (smoke tests)
    abstain_target_accuracy: float = 0.95  # accuracy wanted outside the abstain band
    abstain_max_fraction: float = 0.2  # never abstain on more than this share
    calibration: Literal["accuracy", "false_accusation"] = "accuracy"  # accuracy: the band
    # above; false_accusation: the rates below
    max_false_fake_rate: float = 0.03  # false_accusation: genuine faces called FAKE, at
    # most, in the worst real source of validation
    max_false_real_rate: float = 0.10  # ... and fakes called REAL, in the worst fake source
    min_source_samples: int = 20  # smaller sources count within their data set
    leave_one_out_runs: list[str] = field(default_factory=list)  # run folders of
    # leave-one-source-out runs, for the card
    notes: dict[str, Any] = field(default_factory=dict)  # free text carried to the card

    @property
    def bundle_name(self) -> str:
        return self.name or self.arch


def _parse_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ValueError(f"override {item!r} is not key=value")
    key, raw = item.split("=", 1)
    return key.strip().replace("-", "_"), yaml.safe_load(raw) if raw else ""


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> TrainConfig:
    """Defaults, then the YAML file, then `key=value` overrides; unknown keys are errors."""
    values: dict[str, Any] = {}
    if path:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected a mapping")
        values.update(loaded)
    for item in overrides or []:
        key, value = _parse_override(item)
        values[key] = value
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(
            f"unknown config keys: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    try:  # types and choices checked before any work: `epochs=abc` is an error here
        config = _VALIDATOR.validate_python(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        raise ValueError(f"invalid training config: {problems}") from None
    if config.face_crops and config.face_detector == "yunet" and not config.face_detector_model:
        raise ValueError(
            "invalid training config: face_detector yunet needs face_detector_model (its .onnx)"
        )
    return config


_VALIDATOR = TypeAdapter(TrainConfig)


def save_config(config: TrainConfig, path: str | Path) -> None:
    """Write the resolved config as YAML (what actually ran)."""
    Path(path).write_text(
        yaml.safe_dump(dataclasses.asdict(config), sort_keys=False), encoding="utf-8"
    )
