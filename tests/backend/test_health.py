"""Liveness and readiness."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.main import create_app


def test_health(client) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_with_models(client) -> None:
    response = client.get("/api/ready")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "models": ["fake", "real"], "detail": ""}


def test_not_ready_before_the_models_are_loaded(make_settings) -> None:
    client = TestClient(create_app(make_settings()))  # not entered: the lifespan never ran

    ready = client.get("/api/ready")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False
    assert ready.json()["models"] == []
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/models").json()["code"] == "not_ready"
