"""Past analyses, newest first."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from backend.api.deps import HistoryDep, SettingsDep
from backend.errors import APIError
from backend.kept_uploads import delete_kept
from backend.responses import ERROR_RESPONSES, NOT_FOUND
from backend.schemas import HistoryItem, HistoryPage

router = APIRouter(prefix="/history", tags=["history"], responses=ERROR_RESPONSES)


@router.get("", response_model=HistoryPage, summary="Past analyses, paged, newest first")
async def read_history(
    history: HistoryDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
    prediction: Annotated[Literal["REAL", "UNCERTAIN", "FAKE", "NO_FACE"] | None,
                          Query(description="only this verdict")] = None,
    kind: Annotated[Literal["image", "video"] | None, Query(description="only this kind")] = None,
) -> HistoryPage:
    items, total = history.list(page=page, page_size=page_size, prediction=prediction, kind=kind)
    return HistoryPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/{analysis_id}", response_model=HistoryItem, summary="One past analysis",
            responses=NOT_FOUND)
async def read_analysis(analysis_id: str, history: HistoryDep) -> HistoryItem:
    item = history.get(analysis_id)
    if item is None:
        raise APIError(404, "analysis_not_found", f"no analysis {analysis_id}")
    return item


@router.delete("/{analysis_id}", status_code=204, summary="Delete a past analysis",
               responses=NOT_FOUND)
async def delete_analysis(analysis_id: str, history: HistoryDep,
                          settings: SettingsDep) -> Response:
    """Deletes the record and the uploaded media kept with it (KEEP_UPLOADS)."""
    found = history.delete(analysis_id)
    removed = delete_kept(settings, analysis_id)  # also a file whose record is already gone
    if not found and not removed:
        raise APIError(404, "analysis_not_found", f"no analysis {analysis_id}")
    return Response(status_code=204)
