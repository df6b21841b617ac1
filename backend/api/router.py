"""All routes under /api; every route but health and ready behind the optional API key."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from backend.api.deps import require_api_key
from backend.api.routes import health, history, jobs, models, predict

api_router = APIRouter(prefix="/api")
api_router.include_router(health.router)
protected = APIRouter(dependencies=[Depends(require_api_key)])
for module in (predict, jobs, models, history):
    protected.include_router(module.router)
api_router.include_router(protected)
