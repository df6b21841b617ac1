"""The error responses every route documents in OpenAPI."""

from __future__ import annotations

from typing import Any

from backend.schemas import ErrorBody

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "bad request (e.g. `empty_file`, `unknown_model`, `too_many_files`)",
    },
    401: {"model": ErrorBody, "description": "`invalid_api_key`"},
    413: {"model": ErrorBody, "description": "`file_too_large` or `image_too_large`"},
    422: {
        "model": ErrorBody,
        "description": "`undecodable_image`, `unreadable_video`, `invalid_request`",
    },
    429: {
        "model": ErrorBody,
        "description": "`rate_limited`: too many requests from this "
        "client; retry after `Retry-After` seconds",
    },
    503: {
        "model": ErrorBody,
        "description": "`not_ready` (no model loaded) or "
        "`history_unavailable` (the history database is "
        "locked, read-only or gone); retry later",
    },
}

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "model": ErrorBody,
        "description": "no such item (`job_not_found`, "
        "`analysis_not_found`, `unknown_model`, "
        "`not_found`)",
    },
}


def as_json_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """The same error responses for a route whose success is not JSON (`response_class`
    HTMLResponse): FastAPI would document its errors in the route's media type; they are
    JSON (`ErrorBody`) whatever the route returns on success."""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {
        code: {"description": entry["description"], "content": body}
        for code, entry in responses.items()
    }
