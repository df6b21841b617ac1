"""Tests for training.datasets: folder and CSV data sets, label parsing, counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.datasets import Sample, describe, from_csv, from_folder, load_samples


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def _write_csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "faces"
    _touch(root / "Real" / "a.jpg")
    _touch(root / "Real" / "video1" / "b.PNG")
    _touch(root / "Real" / "notes.txt")
    _touch(root / "fake" / "c.jpeg")
    _touch(root / "fake" / "deep" / "er" / "d.webp")
    _touch(root / "fake" / "thumbs.db")
    _touch(root / "other" / "e.jpg")  # neither class: ignored
    return root


def test_from_folder_finds_images_recursively_in_any_case(folder: Path) -> None:
    samples = from_folder(folder)
    found = {s.path.relative_to(folder).as_posix(): s.label for s in samples}
    assert found == {
        "Real/a.jpg": 0,
        "Real/video1/b.PNG": 0,
        "fake/c.jpeg": 1,
        "fake/deep/er/d.webp": 1,
    }
    assert all(s.group is None for s in samples)


def test_from_folder_without_a_class_folder_is_an_error(tmp_path: Path) -> None:
    _touch(tmp_path / "Real" / "a.jpg")
    with pytest.raises(ValueError, match="Real/ and Fake/"):
        from_folder(tmp_path)


def test_from_csv_with_groups_resolves_against_the_csv_folder(tmp_path: Path) -> None:
    csv_path = _write_csv(
        tmp_path / "data" / "meta.csv",
        "file,label,group\nimg/a.jpg,REAL,v1\nimg/b.jpg,fake,v1\nimg/c.jpg,1, \nimg/d.jpg,0,v2\n",
    )
    samples = from_csv(csv_path)
    assert samples == [
        # no source column: the source is the data set, named after the CSV's folder
        Sample(tmp_path / "data" / "img" / "a.jpg", 0, "v1", "data", "data"),
        Sample(tmp_path / "data" / "img" / "b.jpg", 1, "v1", "data", "data"),
        Sample(tmp_path / "data" / "img" / "c.jpg", 1, None, "data", "data"),  # blank: none
        Sample(tmp_path / "data" / "img" / "d.jpg", 0, "v2", "data", "data"),
    ]


def test_from_csv_keeps_the_source_column_and_a_given_data_set_name(tmp_path: Path) -> None:
    csv_path = _write_csv(
        tmp_path / "faces" / "meta.csv",
        "file,label,group,source\na.jpg,REAL,g1,ffhq\nb.jpg,REAL,g2,\n",
    )
    samples = from_csv(csv_path, dataset="genuine")
    assert [(s.source, s.dataset) for s in samples] == [("ffhq", "genuine"), ("genuine", "genuine")]


def test_from_csv_without_group_column_and_with_image_root(tmp_path: Path) -> None:
    csv_path = _write_csv(tmp_path / "meta.csv", "label,file\nReal,a.jpg\nFAKE,b.jpg\n")
    root = tmp_path / "pixels"
    samples = from_csv(csv_path, image_root=root)
    name = tmp_path.name  # the CSV's folder
    assert samples == [
        Sample(root / "a.jpg", 0, None, name, name),
        Sample(root / "b.jpg", 1, None, name, name),
    ]


def test_from_csv_rejects_a_bad_label(tmp_path: Path) -> None:
    csv_path = _write_csv(tmp_path / "meta.csv", "file,label\na.jpg,REAL\nb.jpg,maybe\n")
    with pytest.raises(ValueError, match="maybe"):
        from_csv(csv_path)


def test_from_csv_rejects_missing_columns(tmp_path: Path) -> None:
    csv_path = _write_csv(tmp_path / "meta.csv", "path,class\na.jpg,REAL\n")
    with pytest.raises(ValueError, match="missing columns") as info:
        from_csv(csv_path)
    assert "file" in str(info.value) and "label" in str(info.value)


def test_load_samples_dispatches_on_folder_and_csv(folder: Path, tmp_path: Path) -> None:
    assert load_samples(folder) == from_folder(folder)
    csv_path = _write_csv(tmp_path / "list.CSV", "file,label\na.jpg,fake\n")
    assert load_samples(csv_path, image_root=tmp_path / "r") == [
        Sample(tmp_path / "r" / "a.jpg", 1, None, tmp_path.name, tmp_path.name)
    ]


def test_load_samples_on_a_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_samples(tmp_path / "nothing.csv")
    not_csv = tmp_path / "list.txt"
    not_csv.write_text("file,label\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        load_samples(not_csv)


def test_describe_counts_images_classes_and_groups() -> None:
    samples = [
        Sample(Path(f"{i}.jpg"), label, group)
        for i, (label, group) in enumerate([(0, "a"), (1, "a"), (1, "b"), (1, None)])
    ]
    assert describe(samples) == {"images": 4, "real": 1, "fake": 3, "groups": 2}
    ungrouped = [Sample(Path("x.jpg"), 0, None), Sample(Path("y.jpg"), 1, None)]
    assert describe(ungrouped) == {"images": 2, "real": 1, "fake": 1, "groups": None}
