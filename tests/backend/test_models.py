"""GET /api/models (bundles, cards, report figures) and GET /api/info (limits, versions)."""

from __future__ import annotations

import importlib.metadata
import platform

import cv2
import numpy as np
import pytest
import torch

import faceproof


def test_models_lists_the_bundles(client) -> None:
    response = client.get("/api/models")

    assert response.status_code == 200
    models = {m["name"]: m for m in response.json()}
    assert list(models) == ["fake", "real"]
    fake, real = models["fake"], models["real"]
    assert fake["arch"] == real["arch"] == "tf_efficientnet_lite0"
    assert (fake["input_size"], real["input_size"]) == (32, 48)
    assert fake["metrics"] == {"roc_auc": 0.5, "accuracy": 0.5, "samples": 10}
    assert fake["threshold"] == 0.5
    assert fake["temperature"] == 1.0
    assert fake["abstain_band"] == {"threshold": 0.5, "low": 0.5, "high": 0.5, "owner": "fake"}
    assert len(fake["mean"]) == len(fake["std"]) == 3
    assert fake["interpolation"]
    assert fake["created"]
    assert "Constant test model: says FAKE to everything." in fake["card"]
    assert real["card"].startswith("# real")
    assert fake["reports"] == ["/api/models/fake/reports/roc.png"]  # PNGs only
    assert real["reports"] == []


def test_a_report_is_served(client, models_dir) -> None:
    [url] = client.get("/api/models").json()[0]["reports"]

    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == (models_dir / "fake" / "reports" / "roc.png").read_bytes()
    image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (8, 12, 3)


@pytest.mark.parametrize(
    "report",
    [
        "missing.png",
        "notes.txt",  # in the folder, but not a figure
        "..%2Fmodel.json",
        "..%2F..%2Freal%2Fmodel.json",
        "%2E%2E%2Fmodel.safetensors",
        "..",
        "roc.png%00.txt",
    ],
)
def test_only_listed_reports_are_served(client, report) -> None:
    response = client.get(f"/api/models/fake/reports/{report}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_report_of_an_unknown_model(client) -> None:
    response = client.get("/api/models/nope/reports/roc.png")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_model"


def test_info(make_client) -> None:
    client = make_client(
        MAX_IMAGE_BYTES=1234,
        MAX_BATCH_FILES=3,
        MAX_VIDEO_FRAMES=9,
        MAX_VIDEO_SECONDS=12.5,
        MAX_FACES=2,
    )

    response = client.get("/api/info")

    assert response.status_code == 200
    info = response.json()
    assert info["name"] == "FaceProof"
    assert info["version"] == faceproof.__version__
    assert info["models"] == ["fake", "real"]
    assert info["ensemble"] == {"threshold": 0.5, "low": 0.5, "high": 0.5, "owner": "ensemble"}
    assert info["face_detector"] == "haar"
    assert info["api_key_required"] is False
    assert info["device"] == "cpu"  # TORCH/DEVICE auto on a machine without a GPU
    # the tests' default runtime; the tiny bundles' cards verify no bf16 path: fp32
    assert info["runtime"] == {
        name: {"device": "cpu", "runtime": "torch", "precision": "fp32", "runs_by_default": True}
        for name in ["fake", "real"]
    }
    assert info["default_models"] == ["fake", "real"]  # no ensemble.json: every model runs
    limits = info["limits"]
    assert limits["max_image_bytes"] == 1234
    assert limits["max_batch_files"] == 3
    assert limits["max_video_frames"] == 9
    assert limits["max_video_seconds"] == 12.5
    assert limits["max_faces"] == 2
    assert limits["video_frames"] == 4
    assert limits["max_video_bytes"] == 200 * 1024 * 1024
    assert limits["max_image_pixels"] == 40_000_000
    assert info["versions"] == {
        "faceproof": faceproof.__version__,
        "torch": importlib.metadata.version("torch"),
        "timm": importlib.metadata.version("timm"),
        "opencv": cv2.__version__,
        "python": platform.python_version(),
    }


def test_the_prototype_info_route(client) -> None:
    response = client.get("/info")

    assert response.status_code == 200
    assert response.json() == client.get("/api/info").json()


def test_only_the_named_models_are_loaded(make_client) -> None:
    client = make_client(MODELS=["real"])

    assert [m["name"] for m in client.get("/api/models").json()] == ["real"]
    assert client.get("/api/info").json()["models"] == ["real"]


def test_info_reports_the_device_in_use_not_the_one_present(make_client, monkeypatch) -> None:
    """CUDA importable and even available, but the models were put on the CPU: the answer is
    the CPU (it used to be `cuda` whenever CUDA could be imported)."""
    client = make_client(DEVICE="cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    info = client.get("/api/info").json()
    assert info["device"] == "cpu"
    assert {r["device"] for r in info["runtime"].values()} == {"cpu"}


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_info_reports_the_compiled_runtime_in_use_and_the_answers_stay(
    make_client, runtime, face_jpeg, tmp_path
) -> None:
    reference = make_client().post("/api/predict", files={"file": ("f.jpg", face_jpeg)}).json()
    client = make_client(RUNTIME=runtime, CACHE_DIR=tmp_path / "compiled")

    info = client.get("/api/info").json()
    assert info["runtime"] == {
        name: {"device": "cpu", "runtime": runtime, "precision": "fp32", "runs_by_default": True}
        for name in ["fake", "real"]
    }
    assert list((tmp_path / "compiled" / "onnx").glob("*.onnx"))
    answer = client.post("/api/predict", files={"file": ("f.jpg", face_jpeg)}).json()
    assert answer["prediction"] == reference["prediction"]
    assert answer["fake_probability"] == pytest.approx(reference["fake_probability"], abs=1e-5)


def test_auto_serves_a_verified_runtime_and_remembers_the_choice(make_client, tmp_path) -> None:
    client = make_client(RUNTIME="auto", CACHE_DIR=tmp_path / "compiled")

    served = {r["runtime"] for r in client.get("/api/info").json()["runtime"].values()}
    assert served <= {"torch", "onnxruntime", "openvino"}
    assert (tmp_path / "compiled" / "runtime-choices.json").is_file()


def test_a_model_at_ensemble_weight_0_runs_only_when_a_request_names_it(
    make_client, models_dir, face_jpeg, tmp_path
) -> None:
    import shutil

    from faceproof.ensemble import AbstainBand, EnsembleConfig, write_ensemble

    folder = tmp_path / "weighted-models"
    shutil.copytree(models_dir, folder)
    write_ensemble(
        EnsembleConfig(
            weights={"fake": 1.0, "real": 0.0},
            threshold=0.5,
            abstain_band=AbstainBand(low=0.4, high=0.6),
        ),
        folder,
    )
    client = make_client(MODELS_DIR=folder)

    info = client.get("/api/info").json()
    assert info["models"] == ["fake", "real"] and info["default_models"] == ["fake"]
    assert info["runtime"]["real"] == {
        "device": "cpu",
        "runtime": "not started",
        "precision": "not started",
        "runs_by_default": False,
    }
    alone = client.post("/api/predict", files={"file": ("f.jpg", face_jpeg)}).json()
    assert alone["models_used"] == ["fake"]
    # the ensemble's rule decided for its one weighted model, and the answer says whose it is
    assert alone["decision"] == {"threshold": 0.5, "low": 0.4, "high": 0.6, "owner": "ensemble"}
    assert info["ensemble"]["owner"] == "ensemble"
    # the models page shows each model's own rule (its card's), not the ensemble's
    own = {m["name"]: m["abstain_band"] for m in client.get("/api/models").json()}
    assert own["fake"]["owner"] == "fake" and own["fake"]["high"] != 0.6
    both = client.post(
        "/api/predict", files={"file": ("f.jpg", face_jpeg)}, data={"models": "fake,real"}
    ).json()
    assert both["models_used"] == ["fake", "real"]
    assert both["fake_probability"] == pytest.approx(alone["fake_probability"], abs=1e-9)
    assert both["prediction"] == alone["prediction"]
    assert client.get("/api/info").json()["runtime"]["real"]["runtime"] == "torch"

    every = make_client(MODELS_DIR=folder, RUN_UNWEIGHTED_MODELS=True)
    assert every.get("/api/info").json()["default_models"] == ["fake", "real"]
