"""Liveness and readiness: open even when an API key is set."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The process is alive")
async def read_health() -> Health:
    return Health()


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Models are loaded",
    responses={503: {"model": Readiness}},
)
async def read_ready(request: Request):
    predictor = getattr(request.app.state, "predictor", None)
    if predictor is None:
        body = Readiness(
            ready=False, models=[], detail=getattr(request.app.state, "load_error", "loading")
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(ready=True, models=predictor.model_names)
