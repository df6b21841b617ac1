"""Past analyses, newest first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from backend.api.deps import HistoryDep, SettingsDep
from backend.core.errors import APIError
from backend.core.responses import ERROR_RESPONSES, NOT_FOUND, as_json_errors
from backend.schemas import HistoryItem, HistoryPage
from backend.services.kept_uploads import delete_kept
from backend.services.report import render_report

router = APIRouter(prefix="/history", tags=["history"], responses=ERROR_RESPONSES)


@router.get("", response_model=HistoryPage, summary="Past analyses, paged, newest first")
async def read_history(
    history: HistoryDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
    prediction: Annotated[
        Literal["REAL", "UNCERTAIN", "FAKE", "NO_FACE"] | None,
        Query(description="only this verdict"),
    ] = None,
    kind: Annotated[Literal["image", "video"] | None, Query(description="only this kind")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="a part of the file name (any "
            "case), or a SHA-256 or its first hex digits (4 or more)",
        ),
    ] = None,
) -> HistoryPage:
    items, total = history.list(
        page=page, page_size=page_size, prediction=prediction, kind=kind, search=q
    )
    return HistoryPage(items=items, total=total, page=page, page_size=page_size)


@router.get(
    "/{analysis_id}", response_model=HistoryItem, summary="One past analysis", responses=NOT_FOUND
)
async def read_analysis(analysis_id: str, history: HistoryDep) -> HistoryItem:
    item = history.get(analysis_id)
    if item is None:
        raise APIError(404, "analysis_not_found", f"no analysis {analysis_id}")
    return HistoryItem.model_validate(item)


@router.get(
    "/{analysis_id}/report",
    response_class=HTMLResponse,
    responses={
        **as_json_errors({**ERROR_RESPONSES, **NOT_FOUND}),
        200: {
            "content": {"text/html": {}},
            "description": "a self-contained HTML page that prints well",
        },
    },
    summary="The report of a past analysis",
)
async def read_report(
    analysis_id: str,
    history: HistoryDep,
    settings: SettingsDep,
    download: Annotated[
        bool, Query(description="as a file to save (Content-Disposition: attachment)")
    ] = False,
) -> HTMLResponse:
    """File, verdict per face and per model, the rule, crops, heatmaps, keyframes, timeline,
    models and their versions, settings, provenance and the caveat, in one HTML page."""
    item = history.get(analysis_id)
    if item is None:
        raise APIError(404, "analysis_not_found", f"no analysis {analysis_id}")
    html = await run_in_threadpool(render_report, item, settings)
    headers = {"Cache-Control": "no-store"}
    if download:
        stem = Path(item["filename"]).stem or "analysis"
        name = f"faceproof-report-{stem}-{analysis_id[:8]}.html"
        ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
        )
    return HTMLResponse(html, headers=headers)


@router.delete(
    "/{analysis_id}", status_code=204, summary="Delete a past analysis", responses=NOT_FOUND
)
async def delete_analysis(analysis_id: str, history: HistoryDep, settings: SettingsDep) -> Response:
    """Deletes the record and the uploaded media kept with it (KEEP_UPLOADS)."""
    found = history.delete(analysis_id)
    removed = delete_kept(settings, analysis_id)  # also a file whose record is already gone
    if not found and not removed:
        raise APIError(404, "analysis_not_found", f"no analysis {analysis_id}")
    return Response(status_code=204)
