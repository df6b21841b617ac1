"""Start and stop: every bundle loads, or the service refuses to start (unless told)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from faceproof.errors import BundleError


@pytest.fixture
def broken_models(models_dir: Path, tmp_path: Path) -> Path:
    """`real` as it is, and `broken`: a copy of `fake` with corrupt weights."""
    folder = tmp_path / "models"
    shutil.copytree(models_dir / "real", folder / "real")
    shutil.copytree(models_dir / "fake", folder / "broken")
    (folder / "broken" / "model.safetensors").write_bytes(b"\x00garbage" * 64)
    return folder


def test_a_corrupt_bundle_stops_the_start(make_settings, broken_models) -> None:
    app = create_app(make_settings(MODELS_DIR=broken_models))

    with pytest.raises(BundleError, match="cannot start: broken: ") as caught, TestClient(app):
        pass
    assert "ALLOW_MISSING_MODELS" in str(caught.value)


def test_allow_missing_models_starts_without_it(make_client, broken_models) -> None:
    client = make_client(MODELS_DIR=broken_models, ALLOW_MISSING_MODELS=True)

    assert client.get("/api/ready").json()["models"] == ["real"]
    assert [m["name"] for m in client.get("/api/models").json()] == ["real"]


def test_a_missing_named_bundle_stops_the_start(make_settings) -> None:
    app = create_app(make_settings(MODELS=["real", "nope"]))

    with pytest.raises(BundleError, match="nope"), TestClient(app):
        pass


def test_no_bundle_at_all_stops_the_start(make_settings, tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(BundleError, match="no model bundle"), \
            TestClient(create_app(make_settings(MODELS_DIR=empty, ALLOW_MISSING_MODELS=True))):
        pass


def test_only_missing_bundles_even_when_allowed(make_settings) -> None:
    settings = make_settings(MODELS=["nope"], ALLOW_MISSING_MODELS=True)

    with pytest.raises(BundleError, match="no model bundle"), TestClient(create_app(settings)):
        pass


def test_stopping_releases_everything(make_settings) -> None:
    app = create_app(make_settings())
    with TestClient(app) as client:
        assert client.get("/api/ready").status_code == 200
        executors = (app.state.inference_executor, app.state.video_executor)

    assert all(e._shutdown for e in executors)
