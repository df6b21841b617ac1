"""A bundle with a file missing or corrupt at start: the service refuses to start and names
the bundle and the file, or, with ALLOW_MISSING_MODELS, starts without that model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from faceproof.errors import BundleError


@pytest.fixture
def models(models_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(models_dir, folder)
    return folder


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda b: (b / "model.json").unlink(), "model.json"),
        (lambda b: (b / "model.safetensors").unlink(), "model.safetensors"),
        (lambda b: (b / "model.json").write_text("{not json", encoding="utf-8"), "fake"),
        (lambda b: (b / "model.safetensors").write_bytes(b""), "fake"),
    ],
)
def test_a_damaged_bundle_stops_the_start(make_settings, models, damage, named) -> None:
    damage(models / "fake")
    app = create_app(make_settings(MODELS_DIR=models))

    with pytest.raises(BundleError, match="fake") as caught, TestClient(app):
        pass
    assert named in str(caught.value)


def test_allowed_it_starts_without_the_damaged_one(make_client, models) -> None:
    (models / "fake" / "model.json").unlink()

    client = make_client(MODELS_DIR=models, ALLOW_MISSING_MODELS=True)

    assert client.get("/api/ready").json()["models"] == ["real"]
