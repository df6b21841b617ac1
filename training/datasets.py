"""Labelled image lists from a folder (`Real/`, `Fake/`) or a CSV (file, label, group[, source]).

Every sample carries the data set it came from (`dataset`, the name of its entry in a mix)
and its finer `source` (the CSV's `source` column, else the data set), so every figure can be
given per source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
LABELS = {"real": 0, "fake": 1, "0": 0, "1": 1}
CLASS_NAMES = ("REAL", "FAKE")


@dataclass(frozen=True)
class Sample:
    path: Path
    label: int  # 0 REAL, 1 FAKE
    group: str | None  # source identity (video); samples of a group never straddle a split
    source: str = ""  # finer source within the data set (CSV `source` column)
    dataset: str = ""  # the data set (mix entry) the sample comes from


def parse_label(value: str) -> int:
    try:
        return LABELS[value.strip().lower()]
    except KeyError:
        raise ValueError(f"label {value!r} is neither REAL nor FAKE (nor 0/1)") from None


def from_folder(root: str | Path, dataset: str = "") -> list[Sample]:
    """Images under `root/Real` and `root/Fake` (any letter case, searched recursively)."""
    root = Path(root)
    dataset = dataset or root.name
    samples: list[Sample] = []
    found = set()
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        label = LABELS.get(child.name.lower())
        if not child.is_dir() or label is None or child.name.lower() in {"0", "1"}:
            continue
        found.add(label)
        for path in sorted(child.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                samples.append(Sample(path, label, None, dataset, dataset))
    if found != {0, 1}:
        raise ValueError(f"{root}: expected sub-folders Real/ and Fake/ (any case)")
    return samples


def from_csv(
    csv_path: str | Path, image_root: str | Path | None = None, dataset: str = ""
) -> list[Sample]:
    """Rows `file,label[,group][,source]`; file paths are relative to `image_root` (the CSV's
    folder); `dataset` defaults to the CSV's folder name."""
    csv_path = Path(csv_path)
    dataset = dataset or csv_path.parent.name
    root = Path(image_root) if image_root else csv_path.parent
    samples = []
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "label"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{csv_path}: missing columns {sorted(missing)}")
        for row in reader:
            group = (row.get("group") or "").strip() or None
            source = (row.get("source") or "").strip() or dataset
            samples.append(
                Sample(root / row["file"], parse_label(row["label"]), group, source, dataset)
            )
    if not samples:
        raise ValueError(f"{csv_path}: no rows")
    return samples


def load_samples(
    data: str | Path, image_root: str | Path | None = None, dataset: str = ""
) -> list[Sample]:
    """A folder data set or a CSV data set, whichever `data` is."""
    data = Path(data)
    if data.is_dir():
        return from_folder(data, dataset)
    if data.suffix.lower() == ".csv" and data.is_file():
        return from_csv(data, image_root, dataset)
    raise FileNotFoundError(f"{data}: neither a folder with Real/ and Fake/ nor a CSV file")


def describe(samples: list[Sample]) -> dict:
    """Counts for a data card."""
    fake = sum(s.label for s in samples)
    groups = {s.group for s in samples if s.group is not None}
    return {
        "images": len(samples),
        "real": len(samples) - fake,
        "fake": fake,
        "groups": len(groups) or None,
    }
