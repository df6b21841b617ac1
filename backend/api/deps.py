"""Dependencies of the routes, as `Annotated` aliases; tests swap them via
`app.dependency_overrides`."""

from __future__ import annotations

import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Header, Request

from backend.errors import APIError
from backend.history import HistoryStore
from backend.jobs import JobManager
from backend.settings import Settings
from backend.temp_space import TempSpace
from faceproof.predictor import Predictor


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_predictor(request: Request) -> Predictor:
    predictor = getattr(request.app.state, "predictor", None)
    if predictor is None:
        raise APIError(503, "not_ready", "no model is loaded")
    return predictor


def get_history(request: Request) -> HistoryStore:
    return request.app.state.history


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def get_temp_space(request: Request) -> TempSpace:
    return request.app.state.temp_space


def get_inference_executor(request: Request) -> ThreadPoolExecutor:
    return request.app.state.inference_executor


def get_video_executor(request: Request) -> ThreadPoolExecutor:
    return request.app.state.video_executor


SettingsDep = Annotated[Settings, Depends(get_settings)]
PredictorDep = Annotated[Predictor, Depends(get_predictor)]
HistoryDep = Annotated[HistoryStore, Depends(get_history)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
InferenceExecutorDep = Annotated[ThreadPoolExecutor, Depends(get_inference_executor)]
VideoExecutorDep = Annotated[ThreadPoolExecutor, Depends(get_video_executor)]
TempSpaceDep = Annotated[TempSpace, Depends(get_temp_space)]


async def require_api_key(
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header(description="the API key, when one is set")] = None,
) -> None:
    """When FACEPROOF_API_KEY is set, the X-API-Key header must match (constant time)."""
    if settings.API_KEY is None:
        return
    expected = settings.API_KEY.get_secret_value().encode()
    if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), expected):
        raise APIError(401, "invalid_api_key", "missing or wrong X-API-Key header")
