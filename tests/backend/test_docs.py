"""Swagger UI and ReDoc served without a CDN, and the OpenAPI schema."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

API_PATHS = {
    "/api/predict",
    "/api/predict/stream",
    "/api/predict/batch",
    "/api/predict/video",
    "/api/jobs/video",
    "/api/jobs/{job_id}",
    "/api/jobs/{job_id}/events",
    "/api/models",
    "/api/models/{name}/reports/{report}",
    "/api/info",
    "/api/history",
    "/api/history/{analysis_id}",
    "/api/history/{analysis_id}/report",
    "/api/health",
    "/api/ready",
}


@pytest.mark.parametrize(
    ("page", "needs"),
    [
        ("/api/docs", ["swagger-ui-bundle.js", "swagger-ui.css"]),
        ("/api/redoc", ["redoc.standalone.js"]),
    ],
)
def test_docs_pages_use_local_assets(client, page, needs) -> None:
    response = client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "/api/openapi.json" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assets = set(re.findall(r"""["'](/api/docs-static/[^"']+)["']""", html))
    assert {a.rsplit("/", 1)[1] for a in assets} >= set(needs)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 100, asset


def test_the_schema_lists_every_route(client) -> None:
    schema = client.get("/api/openapi.json").json()

    routes = {
        r.path
        for r in iter_route_contexts(client.app.routes)
        if isinstance(r.original_route, APIRoute) and r.include_in_schema
    }
    assert set(schema["paths"]) == routes == API_PATHS
    assert schema["info"]["title"] == "FaceProof"
    assert set(schema["paths"]["/api/history/{analysis_id}"]) == {"get", "delete"}


def test_the_schema_documents_the_error_model(client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["detail", "code"]
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    predict = schema["paths"]["/api/predict"]["post"]["responses"]
    for status in ("400", "401", "413", "422"):
        assert predict[status]["content"]["application/json"]["schema"] == error_ref, status
    # validation errors are ErrorBody too, not FastAPI's default
    history = schema["paths"]["/api/history"]["get"]["responses"]
    assert history["422"]["content"]["application/json"]["schema"] == error_ref
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_the_schema_names_the_response_models(client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    def ok_schema(path: str, method: str) -> dict:
        responses = paths[path][method]["responses"]
        ok = responses.get("200") or responses["202"]
        return ok["content"]["application/json"]["schema"]

    assert ok_schema("/api/predict", "post")["$ref"].endswith("/PredictionResponse")
    assert ok_schema("/api/predict/batch", "post")["$ref"].endswith("/BatchResponse")
    assert ok_schema("/api/predict/video", "post")["$ref"].endswith("/VideoResponse")
    assert ok_schema("/api/jobs/video", "post")["$ref"].endswith("/JobCreated")
    assert ok_schema("/api/history", "get")["$ref"].endswith("/HistoryPage")
    assert (
        "text/event-stream"
        in paths["/api/jobs/{job_id}/events"]["get"]["responses"]["200"]["content"]
    )
