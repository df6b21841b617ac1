"""Bugs found by the hostile corpus and the schema fuzzing, one test each (each failed before
its fix)."""

from __future__ import annotations

import pytest

from tests.robustness.hostile_corpus import Hostile
from tests.robustness.test_hostile_corpus import _send


@pytest.mark.parametrize("length", [5000, 20_000])
def test_a_filename_too_long_for_the_parser_is_an_invalid_request(
    client, face_jpeg, length
) -> None:
    """Starlette refuses a multipart part header this long with a plain HTTP 400, which left
    as code `http_400`, not a documented code."""
    response = _send(client, Hostile("long", "a" * length + ".jpg", face_jpeg))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_too_many_parts_is_an_invalid_request(client) -> None:
    files = [("files", (f"{i}.jpg", b"x", "image/jpeg")) for i in range(1001)]

    response = client.post("/api/predict/batch", files=files)

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_request", "too_many_files"}


def test_every_answer_the_service_gives_is_in_the_schema(client) -> None:
    """Fuzzing found 404s (unknown job, analysis, model or report) that the schema did not
    declare; 429 and 503 were missing everywhere."""
    paths = client.get("/api/openapi.json").json()["paths"]

    for path, method in [
        ("/api/jobs/{job_id}", "get"),
        ("/api/jobs/{job_id}/events", "get"),
        ("/api/history/{analysis_id}", "get"),
        ("/api/history/{analysis_id}", "delete"),
        ("/api/models/{name}/reports/{report}", "get"),
    ]:
        assert "404" in paths[path][method]["responses"], (method, path)
    for path, operations in paths.items():
        if path in {"/api/health", "/api/ready"}:
            continue
        for method, operation in operations.items():
            assert {"429", "503"} <= set(operation["responses"]), (method, path)
