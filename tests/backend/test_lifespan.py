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

    with (
        pytest.raises(BundleError, match="no model bundle"),
        TestClient(create_app(make_settings(MODELS_DIR=empty, ALLOW_MISSING_MODELS=True))),
    ):
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
# argv: folder (cache, history), models, image, and what to do: "off" (WARM_HEATMAPS false:
# a plain prediction, then an explained one), "idle" (warm-up on, no request: wait for it) or
# "busy" (warm-up on, an explained prediction at once, while it runs).
START = """
import json, sys, time
from pathlib import Path

from fastapi.testclient import TestClient

import faceproof.bundle
from backend.core.settings import Settings
from backend.main import create_app

tmp, models, image, mode = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).read_bytes(), \
    sys.argv[4]
builds, load_model = [], faceproof.bundle.load_model
def counted_load_model(folder, *args, **kwargs):
    builds.append(Path(folder).name)
    return load_model(folder, *args, **kwargs)
faceproof.bundle.load_model = counted_load_model

settings = Settings(_env_file=None, MODELS_DIR=models, RUNTIME="onnxruntime", DEVICE="cpu",
                    TORCH_THREADS=1, CACHE_DIR=tmp / "cache", WARM_HEATMAPS=mode != "off",
                    HISTORY_URL=f"sqlite:///{tmp}/history.db", STATIC_DIR=tmp / "no-build")
out = {}

def built():
    predictor = client.app.state.predictor
    return sorted(n for n in predictor.default_models if predictor.bundles[n].model_built)

def explained():
    response = client.post("/api/predict", data={"explain": "true"},
                           files={"file": ("face.png", image, "image/png")})
    out["explained"] = response.status_code
    out["faces"] = [{k: f.get(k) for k in ("fake_probability", "prediction", "heatmaps")}
                    for f in response.json()["faces"]]
    out["torch_threads"] = sys.modules["torch"].get_num_threads()

with TestClient(create_app(settings)) as client:
    out["ready"] = client.get("/api/ready").json()["ready"]
    out["torch_after_start"] = "torch" in sys.modules
    out["built_after_start"] = built()
    if mode == "off":
        plain = client.post("/api/predict", files={"file": ("face.png", image, "image/png")})
        out["plain"] = plain.status_code
        out["torch_after_prediction"] = "torch" in sys.modules
        out["runtime"] = client.get("/api/info").json()["runtime"]
        explained()
    elif mode == "idle":
        deadline = time.monotonic() + 120
        while built() != sorted(client.app.state.predictor.default_models) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        out["built_without_a_request"] = built()
    else:
        explained()
    out["builds"] = sorted(builds)
print(json.dumps(out))
"""


def _start_in_a_fresh_process(tmp: Path, models: Path, face_png: bytes, mode: str) -> dict:
    import json
    import os
    import subprocess
    import sys

    image = tmp / "face.png"
    image.write_bytes(face_png)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    done = subprocess.run(
        [sys.executable, "-c", START, str(tmp), str(models), str(image), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def warm_cache(tiny_bundle_dir, face_png, tmp_path_factory) -> tuple[Path, Path, dict]:
    """A folder whose compiled cache a first start filled, two untrained (so not constant:
    their heatmaps differ from face to face) bundles, and that start's explained answer."""
    tmp = tmp_path_factory.mktemp("fresh-start")
    models = tmp_path_factory.mktemp("varied-models")
    tiny_bundle_dir("small", input_size=32, parent=models)
    tiny_bundle_dir("large", input_size=48, parent=models)
    cold = _start_in_a_fresh_process(tmp, models, face_png, "off")
    assert cold["ready"] and cold["torch_after_start"]  # the cache was empty: torch exported
    assert cold["explained"] == 200
    return tmp, models, cold


def test_a_warm_compiled_start_serves_without_torch_until_a_heatmap(warm_cache, face_png) -> None:
    tmp, models, cold = warm_cache

    warm = _start_in_a_fresh_process(tmp, models, face_png, "off")  # WARM_HEATMAPS false

    assert warm["ready"] and warm["plain"] == 200
    assert not warm["torch_after_start"] and not warm["torch_after_prediction"]
    assert {r["runtime"] for r in warm["runtime"].values()} == {"onnxruntime"}
    assert {r["precision"] for r in warm["runtime"].values()} == {"fp32"}
    assert warm["explained"] == 200 and all(f["heatmaps"] for f in warm["faces"])
    assert warm["faces"] == cold["faces"]  # torch came when it was needed
    assert warm["torch_threads"] == 1  # with the service's thread setting


def test_heatmap_models_are_built_after_ready_without_a_request(warm_cache, face_png) -> None:
    tmp, models, _ = warm_cache

    warm = _start_in_a_fresh_process(tmp, models, face_png, "idle")

    assert warm["ready"] and warm["built_after_start"] == []  # the warm-up came after ready
    assert warm["built_without_a_request"] == ["large", "small"]
    assert warm["builds"] == ["large", "small"]


def test_an_explained_request_during_the_warm_up_gets_the_same_answer(warm_cache, face_png) -> None:
    tmp, models, cold = warm_cache

    warm = _start_in_a_fresh_process(tmp, models, face_png, "busy")

    assert warm["built_after_start"] == []  # so the request came while torch was loading
    assert warm["explained"] == 200 and warm["faces"] == cold["faces"]
    assert warm["builds"] == ["large", "small"]  # each model built once: it waited
    assert warm["torch_threads"] == 1
