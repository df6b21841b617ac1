"""Settings from the environment, and CORS built from them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.core.settings import Settings

ALLOWED = "http://allowed.example"
FOREIGN = "http://evil.example"


def test_defaults() -> None:
    settings = Settings(_env_file=None)

    assert settings.MODELS == []
    assert settings.CORS_ORIGINS == []
    assert settings.API_KEY is None
    assert str(settings.MODELS_DIR) == "models"
    assert settings.ALLOW_MISSING_MODELS is False


def test_lists_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("FACEPROOF_MODELS", "a, b ,,c")
    monkeypatch.setenv("FACEPROOF_CORS_ORIGINS", f"{ALLOWED}, http://localhost:5173")
    monkeypatch.setenv("FACEPROOF_MAX_BATCH_FILES", "7")
    monkeypatch.setenv("FACEPROOF_ALLOW_MISSING_MODELS", "true")
    monkeypatch.setenv("FACEPROOF_MODELS_DIR", "/srv/models")

    settings = Settings(_env_file=None)

    assert settings.MODELS == ["a", "b", "c"]
    assert settings.CORS_ORIGINS == [ALLOWED, "http://localhost:5173"]
    assert settings.MAX_BATCH_FILES == 7
    assert settings.ALLOW_MISSING_MODELS is True
    assert str(settings.MODELS_DIR) == "/srv/models"


def test_an_empty_api_key_means_none(monkeypatch) -> None:
    monkeypatch.setenv("FACEPROOF_API_KEY", "")
    assert Settings(_env_file=None).API_KEY is None

    monkeypatch.setenv("FACEPROOF_API_KEY", "k3y")
    key = Settings(_env_file=None).API_KEY
    assert key.get_secret_value() == "k3y"
    assert "k3y" not in repr(Settings(_env_file=None))


def test_a_dotenv_file(tmp_path, monkeypatch) -> None:
    (tmp_path / ".env").write_text("FACEPROOF_MODELS=x,y\nFACEPROOF_PORT=9000\n")
    monkeypatch.chdir(tmp_path)

    settings = Settings()

    assert (settings.MODELS, settings.PORT) == (["x", "y"], 9000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACEPROOF_MAX_BATCH_FILES", "0"),
        ("FACEPROOF_PORT", "70000"),
        ("FACEPROOF_FACE_DETECTOR", "mtcnn"),
        ("FACEPROOF_LOG_LEVEL", "LOUD"),
        ("FACEPROOF_SERVER_LOOP", "tokio"),
        ("FACEPROOF_SERVER_HTTP", "h2"),
    ],
)
def test_invalid_values_are_refused(monkeypatch, name, value) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=name.removeprefix("FACEPROOF_")):
        Settings(_env_file=None)


def test_python_m_backend_hands_the_server_stack_to_uvicorn(monkeypatch, tmp_path) -> None:
    from backend import __main__ as entry

    settings = Settings(
        _env_file=None,
        SERVER_LOOP="asyncio",
        SERVER_HTTP="h11",
        HISTORY_URL=f"sqlite:///{tmp_path}/history.db",
    )
    calls: dict = {}
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.setattr(entry, "get_settings", lambda: settings)
    monkeypatch.setattr(entry, "configure_logging", lambda *_: None)
    monkeypatch.setattr(entry, "limit_malloc_arenas", lambda: None)
    monkeypatch.setattr(entry.uvicorn, "run", lambda *_, **kwargs: calls.update(kwargs))

    entry.main()

    assert (calls["loop"], calls["http"]) == ("asyncio", "h11")
    assert Settings(_env_file=None).SERVER_LOOP == "auto"  # uvloop and httptools when installed


def _preflight(client, origin: str):
    return client.options(
        "/api/predict",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )


def test_cors_for_configured_origins_only(make_client) -> None:
    client = make_client(CORS_ORIGINS=[ALLOWED])

    allowed = _preflight(client, ALLOWED)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()

    foreign = _preflight(client, FOREIGN)
    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers

    simple = client.get("/api/health", headers={"Origin": ALLOWED})
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert (
        "access-control-allow-origin"
        not in client.get("/api/health", headers={"Origin": FOREIGN}).headers
    )


def test_cors_errors_are_readable_by_the_allowed_origin(make_client) -> None:
    client = make_client(CORS_ORIGINS=[ALLOWED], MAX_IMAGE_BYTES=1)

    response = client.post(
        "/api/predict", headers={"Origin": ALLOWED}, files={"file": ("a.jpg", b"x" * 70_000)}
    )

    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_no_cors_without_origins(client) -> None:
    response = client.get("/api/health", headers={"Origin": ALLOWED})

    assert "access-control-allow-origin" not in response.headers
    assert _preflight(client, ALLOWED).status_code == 405


@pytest.mark.parametrize("crop_first", [True, False])
def test_haar_crop_first_reaches_the_served_detector(make_settings, crop_first) -> None:
    from backend.core.lifespan import load_predictor

    predictor = load_predictor(make_settings(HAAR_CROP_FIRST=crop_first))
    assert predictor.detector.name == "haar"
    assert predictor.detector.crop_first is crop_first
