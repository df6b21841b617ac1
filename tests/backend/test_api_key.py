"""FACEPROOF_API_KEY: every route but health, ready, metrics and the docs needs X-API-Key."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

KEY = "s3cret-key"
OPEN_PATHS = {"/api/health", "/api/ready", "/metrics"}  # /metrics: for internal scrapers


@pytest.fixture
def keyed(make_client):
    return make_client(API_KEY=KEY)


def _routes(app) -> list:
    """Every route of the app, those of included routers too."""
    return list(iter_route_contexts(app.routes))


def _keyed_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route that must ask for the key, path parameters filled."""
    out = []
    for route in _routes(app):
        if not isinstance(route.original_route, APIRoute) or route.path in OPEN_PATHS:
            continue
        if route.endpoint.__module__.startswith(("fastapi_offline", "backend.core.spa")):
            continue  # the docs pages and the web app are public
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        out += [(method, path) for method in sorted(route.methods)]
    return out


def test_no_other_kind_of_route_under_api(keyed) -> None:
    others = {r.path for r in _routes(keyed.app) if not isinstance(r.original_route, APIRoute)}
    assert {p for p in others if p.startswith("/api")} == {"/api/openapi.json", "/api/docs-static"}


def test_every_route_needs_the_key(keyed) -> None:
    routes = _keyed_routes(keyed.app)
    # all of them, the prototype's routes included
    assert {p for _, p in routes} >= {
        "/api/predict",
        "/api/predict/batch",
        "/api/predict/video",
        "/api/jobs/video",
        "/api/jobs/x",
        "/api/jobs/x/events",
        "/api/models",
        "/api/models/x/reports/x",
        "/api/info",
        "/api/history",
        "/api/history/x",
        "/predict",
        "/predict/batch",
        "/predict/video",
        "/info",
    }
    assert ("DELETE", "/api/history/x") in routes

    for method, path in routes:
        for headers in (
            {},
            {"X-API-Key": "wrong"},
            {"X-API-Key": ""},
            {"X-API-Key": KEY + "x"},
            {"Authorization": f"Bearer {KEY}"},
        ):
            response = keyed.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["code"] == "invalid_api_key"


def test_the_right_key_works(keyed, face_jpeg) -> None:
    headers = {"X-API-Key": KEY}

    made = keyed.post(
        "/api/predict", headers=headers, files={"file": ("a.jpg", face_jpeg, "image/jpeg")}
    )
    assert made.status_code == 200
    assert keyed.get("/api/models", headers=headers).status_code == 200
    assert keyed.get("/api/info", headers=headers).json()["api_key_required"] is True
    assert keyed.get("/info", headers=headers).status_code == 200
    assert (
        keyed.get(f"/api/history/{made.json()['analysis_id']}", headers=headers).status_code == 200
    )
    # past the key, the route's own answer
    assert keyed.get("/api/jobs/x", headers=headers).json()["code"] == "job_not_found"


def test_health_ready_and_docs_stay_open(keyed) -> None:
    for path in (
        "/api/health",
        "/api/ready",
        "/api/openapi.json",
        "/api/docs",
        "/api/redoc",
        "/api/docs-static/swagger-ui-bundle.js",
        "/",
    ):
        assert keyed.get(path).status_code == 200, path


def test_the_key_is_documented(keyed) -> None:
    schema = keyed.get("/api/openapi.json").json()

    parameters = schema["paths"]["/api/models"]["get"]["parameters"]
    assert any(p["name"].lower() == "x-api-key" and p["in"] == "header" for p in parameters)
    assert "401" in schema["paths"]["/api/predict"]["post"]["responses"]


def test_no_key_no_check(client) -> None:
    assert client.get("/api/models", headers={"X-API-Key": "anything"}).status_code == 200
    assert client.get("/api/info").json()["api_key_required"] is False
