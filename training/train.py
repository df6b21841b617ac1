"""Train a deepfake classifier; `python -m training.train --config CFG [key=value ...]`.

Runs on CPU or GPU, single process or `torchrun --nproc_per_node N` (DDP). Writes into the
run folder: the resolved config, `metrics.csv` (one row per epoch), `last.pt` every epoch
(resumable), `best.pt` (best validation ROC-AUC), `train.log`; at the end exports a bundle.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import random
import time
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, DistributedSampler, WeightedRandomSampler
from tqdm import tqdm

from faceproof.models import create_model, default_preprocessing, resolve_arch
from faceproof.preprocess import Preprocessor
from training.augment import build_train_transform
from training.config import TrainConfig, load_config, save_config
from training.datasets import Sample, describe
from training.degrade import Degradations
from training.distill import (
    FeatureStudent,
    TeacherTargets,
    feature_loss,
    teacher_rows,
    teacher_targets_for,
)
from training.freeze import early_stages, freeze, keep_frozen_in_eval
from training.image_dataset import MixDataset
from training.losses import build_loss, distillation_loss
from training.metrics import safe_auc
from training.mix import Mix, describe_by_source, draw_weights, load_mix
from training.optim import build_optimizer, warmup_cosine
from training.predict import predict_outputs
from training.run_data import SPLIT_FILE, TrainingData, open_training_data, write_split
from training.sbi import self_blend

log = logging.getLogger("training")


# --------------------------------------------------------------------------- environment
def distributed_info() -> tuple[int, int, int]:
    """(rank, local_rank, world_size) from torchrun's environment, (0, 0, 1) otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    return int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0")), world


def pick_device(local_rank: int) -> torch.device:
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def cpu_supports_bf16() -> bool:
    return bool(
        getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
        or getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
    )


def autocast_dtype(amp: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for `amp` (auto|bf16|fp16|off) on this device; None for fp32."""
    if amp == "off":
        return None
    if amp == "fp16":
        return torch.float16
    if amp == "bf16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_supports_bf16() else None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


# --------------------------------------------------------------------------- loops
def train_one_epoch(
    model,
    loader,
    loss_fn,
    optimizer,
    scheduler,
    *,
    device,
    amp_dtype,
    scaler,
    grad_clip,
    channels_last,
    teacher: TeacherTargets | None = None,
    distill_weight=0.0,
    distill_temperature=2.0,
    feature_weight=0.0,
    max_steps=0,
    epoch=0,
    show_progress=True,
    frozen=(),
    cached_rows=0,
) -> dict:
    """One pass over `loader`; returns the mean loss and images per second.

    `cached_rows` (the cache's length) places the SBI bank's rows in `teacher`'s targets; a
    `FeatureStudent` model also learns the teacher's features, weighted by `feature_weight`."""
    model.train()
    keep_frozen_in_eval(list(frozen))
    total_loss, seen, start = 0.0, 0, time.perf_counter()
    steps = len(loader) if not max_steps else min(max_steps, len(loader))
    bar = tqdm(
        loader,
        total=steps,
        desc=f"epoch {epoch}",
        unit="batch",
        leave=False,
        disable=not show_progress,
        mininterval=5.0,
    )
    for step, (images, targets, rows) in enumerate(bar):
        if max_steps and step >= max_steps:
            break
        images = images.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        if channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        ctx = torch.autocast(device.type, dtype=amp_dtype) if amp_dtype else nullcontext()
        with ctx:
            out = model(images)
            logits, projected = out if isinstance(out, tuple) else (out, None)
            logits = logits.float()
            loss = loss_fn(logits, targets)
            if teacher is not None:
                at = teacher_rows(rows, cached_rows)
                if distill_weight > 0:
                    soft = distillation_loss(
                        logits, teacher.logits[at].to(device), distill_temperature
                    )
                    loss = (1 - distill_weight) * loss + distill_weight * soft
                if projected is not None and teacher.features is not None:
                    hint = feature_loss(projected, teacher.features[at].to(device))
                    loss = loss + feature_weight * hint
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
        else:
            loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        scheduler.step()
        if not math.isfinite(loss.item()):
            raise FloatingPointError(f"loss became {loss.item()} at epoch {epoch} step {step}")
        total_loss += loss.item() * len(images)
        seen += len(images)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
    elapsed = time.perf_counter() - start
    return {"train_loss": total_loss / max(seen, 1), "train_images_per_s": seen / elapsed}


def validate(
    model, images, labels, indices, preprocess, *, device, amp_dtype, channels_last
) -> tuple[dict, np.ndarray]:
    """Validation loss, accuracy at 0.5 and ROC-AUC; also returns the logits."""
    logits, _ = predict_outputs(
        model,
        images,
        indices,
        preprocess,
        device=device,
        amp_dtype=amp_dtype,
        channels_last=channels_last,
    )
    y = labels[indices].astype(np.float32)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.from_numpy(logits), torch.from_numpy(y)
    ).item()
    probs = 1 / (1 + np.exp(-logits))
    return {
        "val_loss": loss,
        "val_accuracy": float(((probs >= 0.5) == y).mean()),
        "val_roc_auc": safe_auc(y, probs),
    }, logits


# --------------------------------------------------------------------------- pieces
def preprocessing_for(config: TrainConfig) -> dict:
    pre = default_preprocessing(config.arch)
    if config.input_size:
        pre["input_size"] = config.input_size
    return pre


def sbi_draws(
    config: TrainConfig, labels: np.ndarray, train_idx: np.ndarray, landmarks: np.ndarray | None
) -> tuple[float, float]:
    """(share of draws from REAL rows, chance that a blendable REAL draw is self-blended) so
    that `sbi_fraction` of all draws are self-blended fakes and half of them are FAKE."""
    if config.sbi_fraction <= 0 or landmarks is None:
        return 0.5, 0.0
    if not 0 < config.sbi_fraction < 0.5:
        raise ValueError("sbi_fraction must be in [0, 0.5)")
    real = train_idx[labels[train_idx] == 0]
    blendable = float(np.isfinite(landmarks[real, 0, 0]).mean()) if len(real) else 0.0
    if blendable == 0:
        log.warning("no REAL training face has landmarks: no self-blended fakes")
        return 0.5, 0.0
    real_share = 0.5 + config.sbi_fraction
    return real_share, min(1.0, config.sbi_fraction / (real_share * blendable))


def sbi_bank(
    images: np.ndarray,
    landmarks: np.ndarray,
    labels: np.ndarray,
    train_idx: np.ndarray,
    output: Path,
    seed: int = 0,
) -> tuple[np.ndarray, dict[int, int]]:
    """One fixed self-blended fake per blendable REAL training face (for distillation),
    as a memmap in the run folder; returns it and {cache row: bank row}."""
    rows = [int(r) for r in train_idx if labels[r] == 0 and np.isfinite(landmarks[r, 0, 0])]
    path = output / f"sbi_bank-{len(rows)}-{seed}.u8"
    shape = (len(rows), *images.shape[1:])
    if not path.is_file():
        log.info("self-blending %d REAL training faces once for the teacher", len(rows))
        partial = path.with_suffix(".partial")
        bank = np.memmap(partial, dtype=np.uint8, mode="w+", shape=shape)
        for k, r in enumerate(rows):
            bank[k], _ = self_blend(
                np.array(images[r]), landmarks[r], np.random.default_rng([seed, r])
            )
        bank.flush()
        partial.rename(path)
    return (
        np.memmap(path, dtype=np.uint8, mode="r", shape=shape),
        {r: k for k, r in enumerate(rows)},
    )


def rank_zero_first(rank: int, world: int, make):
    """`make()` on rank 0, then on the other ranks once it is done: files it writes in the run
    folder (data caches, the SBI bank, teacher logits) are written once and read by the rest."""
    result = make() if rank == 0 else None
    if world > 1:
        dist.barrier()
    return make() if rank != 0 else result


def stop_everywhere(stop: bool, device: torch.device) -> bool:
    """Rank 0's decision to stop training, sent to every rank (it alone validates), so no
    rank is left waiting in the next epoch's all-reduce."""
    if not dist.is_initialized():
        return stop
    flag = torch.tensor([int(stop)], device=device)
    dist.broadcast(flag, src=0)
    return bool(flag.item())


def load_initial_weights(model: torch.nn.Module, source: str) -> None:
    """Warm start: copy the weights of a run's checkpoint or of a bundle into `model`."""
    path = Path(source)
    if path.is_dir():
        from faceproof.bundle import load_bundle

        state = load_bundle(path).model.state_dict()
    else:
        state = torch.load(path, map_location="cpu", weights_only=False)["model"]
    model.load_state_dict(state, strict=True)
    log.info("warm start from %s", source)


def training_indices(config: TrainConfig, mix: Mix, data: TrainingData) -> np.ndarray:
    """The mix's training rows, less those without a face when `no_face` is drop."""
    if config.no_face not in ("keep", "drop"):
        raise ValueError(f"no_face must be keep or drop, not {config.no_face!r}")
    if config.no_face == "drop" and data.detected is not None:
        return mix.train_idx[data.detected[mix.train_idx]]
    return mix.train_idx


def auc_by_dataset(
    samples: list[Sample], labels: np.ndarray, indices: np.ndarray, logits: np.ndarray
) -> dict[str, float]:
    names = np.array([samples[i].dataset for i in indices])
    return {
        name: round(safe_auc(labels[indices][names == name], logits[names == name]), 4)
        for name in sorted(set(names.tolist()))
    }


def write_metrics_row(path: Path, row: dict) -> None:
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)


def setup_logging(output: Path, rank: int) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if rank == 0:
        handlers.append(logging.FileHandler(output / "train.log", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO if rank == 0 else logging.WARNING,
        handlers=handlers,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


# --------------------------------------------------------------------------- main
def run(config: TrainConfig) -> Path:
    """Train per `config`; returns the run folder.

    `epochs` 0 trains nothing: the warm start (`init_from`) is validated, kept as the run's
    best checkpoint and exported as it is, for a bundle that changes only how the same
    weights are served (`mirror_average`) and measured (its rule is fitted again)."""
    if config.epochs == 0 and not config.init_from:
        raise ValueError("epochs=0 trains nothing, so it needs init_from: the weights to export")
    rank, local_rank, world = distributed_info()
    device = pick_device(local_rank)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    output = Path(config.output)
    output.mkdir(parents=True, exist_ok=True)
    setup_logging(output, rank)
    if config.threads:
        torch.set_num_threads(config.threads)
    seed_everything(config.seed + rank)

    mix = load_mix(config)
    samples, val_idx = mix.samples, mix.val_idx
    labels = mix.labels
    if rank == 0:
        save_config(config, output / "config.yaml")
        write_split(output / SPLIT_FILE, mix)
    data = rank_zero_first(rank, world, lambda: open_training_data(config, samples))
    images = data.images
    train_idx = training_indices(config, mix, data)
    log.info(
        "data: %s | train %d, val %d, held out %d (split by group within each source)",
        describe(samples),
        len(train_idx),
        len(val_idx),
        len(mix.held_out_idx),
    )
    for source, counts in describe_by_source(samples, train_idx).items():
        log.info(
            "  train %-16s %-16s real %5d fake %5d",
            counts["dataset"],
            source,
            counts["real"],
            counts["fake"],
        )

    pre = preprocessing_for(config)
    preprocess = Preprocessor(pre["input_size"], pre["mean"], pre["std"], pre["interpolation"])
    model = create_model(
        config.arch, pretrained=config.pretrained, cbam=config.cbam, dropout=config.dropout
    ).to(device)
    if config.init_from:
        load_initial_weights(model, config.init_from)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
    frozen = early_stages(model.backbone, config.freeze_stages)
    frozen_params = freeze(frozen)
    amp_dtype = autocast_dtype(config.amp, device)
    real_share, sbi_p = sbi_draws(config, labels, train_idx, data.landmarks)
    bank, bank_rows = None, {}
    teacher = None
    if config.teacher and (config.distill_weight > 0 or config.distill_feature_weight > 0):
        if sbi_p > 0:
            bank, bank_rows = rank_zero_first(
                rank,
                world,
                lambda: sbi_bank(
                    images, data.landmarks, labels, train_idx, output, seed=config.seed
                ),
            )
        teacher = rank_zero_first(
            rank,
            world,
            lambda: teacher_targets_for(
                config.teacher,
                images,
                output,
                device,
                amp_dtype,
                bank=bank,
                features=config.distill_feature_weight > 0,
            ),
        )

    dataset = MixDataset(
        images,
        labels,
        train_idx,
        build_train_transform(config, pre["input_size"], pre["mean"], pre["std"]),
        landmarks=data.landmarks,
        sbi_p=sbi_p,
        degrade=Degradations.from_config(config),
        sbi_bank=bank,
        bank_rows=bank_rows,
        seed=config.seed + rank,
    )
    draws = config.samples_per_epoch or len(dataset)
    if world > 1:
        sampler = DistributedSampler(dataset, shuffle=True, seed=config.seed)
    elif config.balance_classes or config.sbi_fraction > 0 or len(mix.specs) > 1:
        weights = draw_weights([samples[i] for i in train_idx], mix.weights, real_share)
        sampler = WeightedRandomSampler(torch.from_numpy(weights), draws, replacement=True)
    else:
        sampler = None
    log.info(
        "draws per epoch %d: %.0f%% REAL rows, of which %.0f%% become self-blended "
        "fakes; degradations %s",
        draws if sampler is not None else len(dataset),
        100 * real_share,
        100 * sbi_p,
        Degradations.from_config(config),
    )
    loader = DataLoader(
        dataset,
        batch_size=config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=config.workers,
        drop_last=True,
        persistent_workers=config.workers > 0,
        pin_memory=device.type == "cuda",
    )
    steps_per_epoch = (
        len(loader)
        if not config.max_steps_per_epoch
        else min(len(loader), config.max_steps_per_epoch)
    )
    # the student learning the teacher's features trains a projection beside the model (kept
    # in the checkpoints for a resume, never in the bundle)
    student = (
        FeatureStudent(model, teacher.features.shape[1]).to(device)
        if teacher is not None and teacher.features is not None
        else None
    )
    trained = student if student is not None else model
    train_model = trained
    if world > 1:
        train_model = torch.nn.parallel.DistributedDataParallel(
            trained, device_ids=[local_rank] if device.type == "cuda" else None
        )
    optimizer = build_optimizer(
        trained, config.optimizer, config.lr, config.weight_decay, config.momentum
    )
    scheduler = warmup_cosine(
        optimizer,
        steps_per_epoch * config.epochs,
        int(config.warmup_epochs * steps_per_epoch),
        config.min_lr_ratio,
    )
    scaler = (
        torch.amp.GradScaler("cuda")
        if amp_dtype == torch.float16 and device.type == "cuda"
        else None
    )
    loss_fn = build_loss(
        config.loss,
        alpha=config.focal_alpha,
        gamma=config.focal_gamma,
        smoothing=config.label_smoothing,
    )
    log.info(
        "model %s (%s), %.1fM params (%.1fM frozen), input %d, amp %s, device %s, "
        "world %d, threads %d",
        config.arch,
        resolve_arch(config.arch),
        sum(p.numel() for p in model.parameters()) / 1e6,
        frozen_params / 1e6,
        pre["input_size"],
        amp_dtype,
        device,
        world,
        torch.get_num_threads(),
    )

    start_epoch, best_auc, stale = 0, -1.0, 0
    last_path, best_path = output / "last.pt", output / "best.pt"
    if config.resume and last_path.is_file():
        state = torch.load(last_path, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        if student is not None and "projection" in state:
            student.project.load_state_dict(state["projection"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start_epoch, best_auc, stale = state["epoch"] + 1, state["best_auc"], state["stale"]
        log.info(
            "resumed from %s at epoch %d (best val ROC-AUC %.4f)", last_path, start_epoch, best_auc
        )

    def validated(what: str) -> dict:
        """Validation figures of the model now; its ROC-AUC by data set into the log."""
        val, val_logits = validate(
            model,
            images,
            labels,
            val_idx,
            preprocess,
            device=device,
            amp_dtype=amp_dtype,
            channels_last=config.channels_last,
        )
        log.info(
            "%s validation ROC-AUC by data set: %s",
            what,
            json.dumps(auc_by_dataset(samples, labels, val_idx, val_logits)),
        )
        return val

    def keep_best(epoch: int, val: dict) -> None:
        """The model now as the run's best checkpoint, which export reads."""
        torch.save(
            {
                "model": model.state_dict(),
                "epoch": epoch,
                "config": asdict(config),
                "preprocessing": pre,
                "val": val,
            },
            best_path,
        )

    if config.epochs == 0 and rank == 0 and not best_path.is_file():
        val = validated("the warm start, untrained:")
        row = {"epoch": -1, "train_loss": math.nan, **{k: round(v, 6) for k, v in val.items()}}
        write_metrics_row(output / "metrics.csv", row)
        log.info("epoch -1 (no training): %s", json.dumps(row))
        keep_best(-1, val)

    for epoch in range(start_epoch, config.epochs):
        if isinstance(sampler, DistributedSampler):
            sampler.set_epoch(epoch)
        t0 = time.perf_counter()
        stats = train_one_epoch(
            train_model,
            loader,
            loss_fn,
            optimizer,
            scheduler,
            device=device,
            amp_dtype=amp_dtype,
            scaler=scaler,
            grad_clip=config.grad_clip,
            channels_last=config.channels_last,
            teacher=teacher,
            distill_weight=config.distill_weight,
            distill_temperature=config.distill_temperature,
            feature_weight=config.distill_feature_weight,
            max_steps=config.max_steps_per_epoch,
            epoch=epoch,
            show_progress=rank == 0,
            frozen=frozen,
            cached_rows=len(images),
        )
        if rank != 0:
            if stop_everywhere(False, device):
                break
            continue
        val = validated(f"epoch {epoch}")
        improved = val["val_roc_auc"] > best_auc
        best_auc, stale = (val["val_roc_auc"], 0) if improved else (best_auc, stale + 1)
        row = {
            "epoch": epoch,
            **{k: round(v, 6) for k, v in {**stats, **val}.items()},
            "lr": scheduler.get_last_lr()[0],
            "epoch_s": round(time.perf_counter() - t0, 1),
        }
        write_metrics_row(output / "metrics.csv", row)
        log.info("epoch %d: %s", epoch, json.dumps(row))
        state = {
            "model": model.state_dict(),
            **({} if student is None else {"projection": student.project.state_dict()}),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "epoch": epoch,
            "best_auc": best_auc,
            "stale": stale,
            "config": asdict(config),
            "preprocessing": pre,
        }
        torch.save(state, last_path.with_suffix(".tmp"))
        os.replace(last_path.with_suffix(".tmp"), last_path)
        if improved:
            keep_best(epoch, val)
        stop = bool(config.early_stopping_patience and stale >= config.early_stopping_patience)
        if stop:
            log.info("early stopping: no val ROC-AUC gain for %d epochs", stale)
        if stop_everywhere(stop, device):
            break

    if rank == 0 and config.export:
        from training.export import export_from_checkpoint  # heavy plotting imports

        export_from_checkpoint(best_path, config.export, run_dir=output)
    if world > 1:
        dist.destroy_process_group()
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="YAML config (see training/configs/)")
    parser.add_argument("overrides", nargs="*", help="key=value settings over the config")
    args = parser.parse_args(argv)
    run(load_config(args.config, args.overrides))


if __name__ == "__main__":
    main()
