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


# A fresh interpreter, so that what this start imports is all its own (pytest has torch).
LEAN_START = """
import json, sys
from pathlib import Path

import cv2
from fastapi.testclient import TestClient

from backend.core.settings import Settings
from backend.main import create_app

tmp, models, image = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).read_bytes()
settings = Settings(_env_file=None, MODELS_DIR=models, RUNTIME="onnxruntime", DEVICE="cpu",
                    TORCH_THREADS=1, CACHE_DIR=tmp / "cache",
                    HISTORY_URL=f"sqlite:///{tmp}/history.db", STATIC_DIR=tmp / "no-build")
out = {}
with TestClient(create_app(settings)) as client:
    out["ready"] = client.get("/api/ready").json()["ready"]
    out["torch_after_start"] = "torch" in sys.modules
    plain = client.post("/api/predict", files={"file": ("face.png", image, "image/png")})
    out["plain"] = plain.status_code
    out["torch_after_prediction"] = "torch" in sys.modules
    out["runtime"] = client.get("/api/info").json()["runtime"]
    explained = client.post("/api/predict", data={"explain": "true"},
                            files={"file": ("face.png", image, "image/png")})
    out["explained"] = explained.status_code
    out["heatmaps"] = sum(len(f.get("heatmaps") or {}) for f in explained.json()["faces"])
    out["torch_threads"] = sys.modules["torch"].get_num_threads() if out["heatmaps"] else None
print(json.dumps(out))
"""


def _start_in_a_fresh_process(tmp_path: Path, models_dir: Path, face_png: bytes) -> dict:
    import json
    import os
    import subprocess
    import sys

    image = tmp_path / "face.png"
    image.write_bytes(face_png)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    done = subprocess.run([sys.executable, "-c", LEAN_START, str(tmp_path), str(models_dir),
                           str(image)], capture_output=True, text=True, env=env, timeout=600,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_compiled_start_serves_without_torch_until_a_heatmap(tmp_path, models_dir,
                                                                     face_png) -> None:
    cold = _start_in_a_fresh_process(tmp_path, models_dir, face_png)
    assert cold["ready"] and cold["torch_after_start"]  # the cache was empty: torch exported

    warm = _start_in_a_fresh_process(tmp_path, models_dir, face_png)

    assert warm["ready"] and warm["plain"] == 200
    assert not warm["torch_after_start"] and not warm["torch_after_prediction"]
    assert {r["runtime"] for r in warm["runtime"].values()} == {"onnxruntime"}
    assert {r["precision"] for r in warm["runtime"].values()} == {"fp32"}
    assert warm["explained"] == 200 and warm["heatmaps"] > 0  # torch came when it was needed
    assert warm["torch_threads"] == 1  # with the service's thread setting
