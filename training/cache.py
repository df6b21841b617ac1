"""Decode a data set once into a memory-mapped uint8 array (N, S, S, 3).

CPU epochs then read pixels straight from the page cache instead of decoding every JPEG
every epoch. The cache is keyed by the file list, file sizes and the side S, so a changed
data set builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from faceproof.decode import load_image
from faceproof.preprocess import Preprocessor
from training.datasets import Sample

log = logging.getLogger(__name__)


def fingerprint(samples: list[Sample], size: int) -> str:
    digest = hashlib.sha256(f"v1:{size}".encode())
    for s in samples:
        digest.update(f"{s.path}\0{s.path.stat().st_size}\0".encode())
    return digest.hexdigest()[:16]


def open_image_cache(
    samples: list[Sample], cache_dir: str | Path, size: int = 224, *, workers: int | None = None
) -> np.ndarray:
    """A read-only (N, size, size, 3) uint8 memmap of the samples, built on first use."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = fingerprint(samples, size)
    data_path = cache_dir / f"images-{size}-{key}.u8"
    meta_path = data_path.with_suffix(".json")
    shape = (len(samples), size, size, 3)
    if data_path.is_file() and meta_path.is_file():
        return np.memmap(data_path, dtype=np.uint8, mode="r", shape=shape)

    log.info("decoding %d images into %s", len(samples), data_path)
    partial = data_path.with_suffix(f".partial-{os.getpid()}")
    out = np.memmap(partial, dtype=np.uint8, mode="w+", shape=shape)
    resize = Preprocessor(size, (0, 0, 0), (1, 1, 1), "bicubic").resize

    def decode(i: int) -> None:
        out[i] = resize(load_image(samples[i].path))

    # decoders release the GIL, so threads use every core without pickling pixels around
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        list(
            tqdm(
                pool.map(decode, range(len(samples))),
                total=len(samples),
                desc="caching images",
                unit="img",
                mininterval=2.0,
            )
        )
    out.flush()
    partial.rename(data_path)  # fine while mapped: the mapping follows the inode
    meta_path.write_text(
        json.dumps({"size": size, "count": len(samples), "files": [str(s.path) for s in samples]}),
        encoding="utf-8",
    )
    return np.memmap(data_path, dtype=np.uint8, mode="r", shape=shape)
