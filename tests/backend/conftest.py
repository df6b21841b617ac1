"""Fixtures of the service tests: a models folder of two constant tiny bundles, settings and
an app client per test (lifespan run), and small test media written here.

The bundles are constant so verdicts are known: `fake` always says logit 4, `real` logit -2;
their ensemble (the mean probability, 0.55) is FAKE, `real` alone is REAL.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.core.settings import Settings
from backend.main import create_app

LOGITS = {"fake": 4.0, "real": -2.0}
SIDE = 256  # test media are this wide and high: the Haar detector still finds her
VIDEO_FRAMES = 10
CARD_TEXT = "Constant test model: says FAKE to everything. Trained on nothing."

ClientFactory = Callable[..., TestClient]


@pytest.fixture(autouse=True)
def _no_faceproof_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from each test alone, never from the developer's environment."""
    for name in [n for n in os.environ if n.startswith("FACEPROOF_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session", autouse=True)
def _bundles_loaded_once() -> Iterator[None]:
    """Each test starts its own app, and building a model is most of a start: load each
    bundle folder once per session (keyed by its weights' bytes, so a bundle corrupted by a
    test is loaded, and fails, for real)."""
    import backend.core.lifespan

    real_load = backend.core.lifespan.load_bundle
    cache: dict[tuple[Path, bytes, str], object] = {}

    def load_once(folder: Path, **kwargs):
        weights = (Path(folder) / "model.safetensors").read_bytes()
        key = (Path(folder).resolve(), hashlib.sha256(weights).digest(), str(kwargs))
        if key not in cache:
            cache[key] = real_load(folder, **kwargs)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backend.core.lifespan, "load_bundle", load_once)
        yield


@pytest.fixture(scope="session")
def model_p() -> dict[str, float]:
    """Calibrated FAKE probability of each test bundle, and of their ensemble."""
    p = {name: 1 / (1 + math.exp(-logit)) for name, logit in LOGITS.items()}
    return p | {"ensemble": (p["fake"] + p["real"]) / 2}


@pytest.fixture(scope="session")
def models_dir(tiny_bundle_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`fake` (input 32, card, reports/roc.png) and `real` (input 48)."""
    parent = tmp_path_factory.mktemp("service-models")
    fake = tiny_bundle_dir("fake", input_size=32, parent=parent, logit=LOGITS["fake"])
    tiny_bundle_dir("real", input_size=48, parent=parent, logit=LOGITS["real"])
    (fake / "MODEL_CARD.md").write_text(f"# fake\n\n{CARD_TEXT}\n", encoding="utf-8")
    reports = fake / "reports"
    reports.mkdir(exist_ok=True)
    ok, png = cv2.imencode(".png", np.full((8, 12, 3), 200, np.uint8))
    assert ok
    (reports / "roc.png").write_bytes(png.tobytes())
    (reports / "notes.txt").write_text("not a figure", encoding="utf-8")
    return parent


@pytest.fixture
def make_settings(models_dir: Path, tmp_path: Path) -> Callable[..., Settings]:
    """Settings over the test models, a history in tmp_path and no SPA build; keyword
    arguments override any field."""

    def make(**overrides) -> Settings:
        values = {
            "MODELS_DIR": models_dir,
            "HISTORY_URL": f"sqlite:///{tmp_path}/history.db",
            "STATIC_DIR": tmp_path / "no-build",
            "UPLOADS_DIR": tmp_path / "uploads",
            "TORCH_THREADS": 1,  # the lifespan sets torch's threads for the whole process
            "RUNTIME": "torch",  # the reference; test_models.py serves the compiled ones
            "CACHE_DIR": tmp_path / "cache",
            "VIDEO_FRAMES": 4,
            "WARM_HEATMAPS": False,  # a Grad-CAM racing each test's own calls; tested apart
        }
        return Settings(_env_file=None, **(values | overrides))

    return make


def _check_response(response: httpx.Response) -> None:
    """Every response of every test: no 5xx, and errors are exactly {"detail", "code"}."""
    request = response.request
    assert response.status_code < 500, f"{request.method} {request.url}: {response.status_code}"
    if response.status_code >= 400 and request.method != "OPTIONS":  # CORS preflight: text
        response.read()
        body = response.json()
        assert set(body) == {"detail", "code"}, body
        assert isinstance(body["detail"], str) and body["detail"]
        assert isinstance(body["code"], str) and body["code"]


@pytest.fixture
def make_client(make_settings) -> Iterator[ClientFactory]:
    """`make_client(**settings_overrides)`: a started app (lifespan run), stopped after the
    test."""
    with ExitStack() as stack:

        def make(**overrides) -> TestClient:
            client = stack.enter_context(TestClient(create_app(make_settings(**overrides))))
            client.event_hooks = {"request": [], "response": [_check_response]}
            return client

        yield make


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture
def temp_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """The paths of the temporary files made with `tempfile.mkstemp` during the test, in a
    temporary folder of the test's own, so what the service leaves behind is visible."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    made: list[Path] = []
    real_mkstemp = tempfile.mkstemp

    def recording_mkstemp(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        made.append(Path(name))
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", recording_mkstemp)
    return made


# ------------------------------------------------------------------------------ media
@pytest.fixture(scope="session")
def face_rgb(astronaut: np.ndarray) -> np.ndarray:
    return cv2.resize(astronaut, (SIDE, SIDE), interpolation=cv2.INTER_AREA)


def _encode(rgb: np.ndarray, ext: str) -> bytes:
    ok, data = cv2.imencode(ext, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


@pytest.fixture(scope="session")
def face_jpeg(face_rgb: np.ndarray) -> bytes:
    return _encode(face_rgb, ".jpg")


@pytest.fixture(scope="session")
def face_png(face_rgb: np.ndarray) -> bytes:
    return _encode(face_rgb, ".png")


@pytest.fixture(scope="session")
def blank_png() -> bytes:
    return _encode(np.full((128, 160, 3), 128, np.uint8), ".png")


def _video(path: Path, frames: list[np.ndarray]) -> bytes:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


@pytest.fixture(scope="session")
def face_video(face_rgb: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 2 s MJPG AVI: 10 frames of the astronaut."""
    return _video(tmp_path_factory.mktemp("video") / "face.avi", [face_rgb] * VIDEO_FRAMES)


@pytest.fixture(scope="session")
def blank_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    frames = [np.full((SIDE, SIDE, 3), 90, np.uint8)] * VIDEO_FRAMES
    return _video(tmp_path_factory.mktemp("video") / "blank.avi", frames)


@pytest.fixture(scope="session")
def decode_data_url() -> Callable[[str, str], bytes]:
    """`decode_data_url(url, mime)`: the bytes of a base64 data URL of that type."""

    def decode(url: str, mime: str) -> bytes:
        prefix = f"data:{mime};base64,"
        assert url.startswith(prefix), url[:40]
        return base64.b64decode(url[len(prefix) :], validate=True)

    return decode
