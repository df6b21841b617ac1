"""What self-blended fakes and degradations cost per training step, against the plain step
measured in the same run (`python -m bench.training_step --config CFG`).

Times the data pipeline of one batch (the cached crop, SBI where drawn, degradations, the
torchvision augmentation) in four variants — plain, + SBI, + degradations, + both — and the
model's forward and backward pass on such a batch, then prints each variant's time per step
and its ratio to the plain one. Runs on the config's own cache (build it by training once, or
it is built here).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import torch

from training.augment import build_train_transform
from training.config import load_config
from training.degrade import Degradations
from training.freeze import early_stages, freeze
from training.image_dataset import MixDataset
from training.mix import load_mix
from training.run_data import open_training_data
from training.train import autocast_dtype, preprocessing_for, sbi_draws


def pipeline_seconds(dataset: MixDataset, rows: np.ndarray, batch: int) -> float:
    """Seconds per batch of `batch` items drawn at `rows`."""
    start = time.perf_counter()
    for r in rows:
        dataset[int(r)]
    return (time.perf_counter() - start) / len(rows) * batch


def model_seconds(config, batch: int, steps: int) -> float:
    """Seconds of one optimiser step (forward, backward, AdamW) on a random batch."""
    from faceproof.models import create_model

    pre = preprocessing_for(config)
    model = create_model(config.arch, pretrained=False, dropout=config.dropout)
    model = model.to(memory_format=torch.channels_last).train()
    freeze(early_stages(model.backbone, config.freeze_stages))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    x = torch.randn(batch, 3, pre["input_size"], pre["input_size"]).contiguous(
        memory_format=torch.channels_last
    )
    y = torch.randint(0, 2, (batch,)).float()
    dtype = autocast_dtype(config.amp, torch.device("cpu"))
    times = []
    for step in range(steps + 1):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=dtype, enabled=dtype is not None):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x).float(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step:  # the first step warms up
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/efficientnet_lite0.yaml")
    parser.add_argument("--items", type=int, default=256, help="items timed per variant")
    parser.add_argument("--steps", type=int, default=5, help="model steps timed")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    mix = load_mix(config)
    data = open_training_data(config, mix.samples)
    labels = mix.labels
    pre = preprocessing_for(config)
    transform = build_train_transform(config, pre["input_size"], pre["mean"], pre["std"])
    _, sbi_p = sbi_draws(config, labels, mix.train_idx, data.landmarks)
    rng = np.random.default_rng(0)
    rows = rng.choice(len(mix.train_idx), size=args.items, replace=False)
    degrade = Degradations.from_config(config)
    variants = {
        "plain": (0.0, replace(degrade, jpeg_p=0, scale_p=0, blur_p=0, noise_p=0)),
        "+ SBI": (sbi_p, replace(degrade, jpeg_p=0, scale_p=0, blur_p=0, noise_p=0)),
        "+ degradations": (0.0, degrade),
        "+ SBI + degradations": (sbi_p, degrade),
    }
    for r in rows:  # page the rows in once: the first variant must not pay for a cold cache
        np.array(data.images[mix.train_idx[int(r)]])
    batch = config.batch_size
    step = model_seconds(config, batch, args.steps)
    print(
        f"{config.arch} at {pre['input_size']} px, batch {batch}, {torch.get_num_threads()} "
        f"threads: model step {step * 1000:.0f} ms; SBI on {sbi_p:.0%} of REAL draws"
    )
    print(f"{'variant':<24}{'data ms/step':>14}{'step ms':>10}{'x plain':>9}")
    plain = None
    for name, (p, deg) in variants.items():
        dataset = MixDataset(
            data.images,
            labels,
            mix.train_idx,
            transform,
            landmarks=data.landmarks,
            sbi_p=p,
            degrade=deg,
            seed=0,
        )
        seconds = pipeline_seconds(dataset, rows, batch) + step
        plain = plain or seconds
        print(
            f"{name:<24}{(seconds - step) * 1000:>14.0f}{seconds * 1000:>10.0f}"
            f"{seconds / plain:>9.2f}"
        )


if __name__ == "__main__":
    main()
