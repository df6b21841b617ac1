"""Dependencies of the routes, as `Annotated` aliases (tests swap them via
`app.dependency_overrides`), and the analysis options the routes share, with their checks."""

from __future__ import annotations

import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Form, Header, Request

from backend.core.errors import APIError
from backend.core.settings import Settings
from backend.services.history import HistoryStore
from backend.services.temp_space import TempSpace
from backend.services.video_jobs import VideoJobQueue
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


def get_jobs(request: Request) -> VideoJobQueue:
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
JobsDep = Annotated[VideoJobQueue, Depends(get_jobs)]
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


# ------------------------------------------------------------------ analysis options
ModelsOption = Annotated[
    str | None,
    Form(
        description="comma-separated model names (default: all loaded)",
        examples=["efficientnet_lite0"],
    ),
]
TtaOption = Annotated[bool, Form(description="test-time augmentation (3 views, averaged)")]
ExplainOption = Annotated[bool, Form(description="Grad-CAM heatmaps per face and model")]
WholeImageOption = Annotated[
    bool,
    Form(
        description="when no face is found, score the whole image (or video frame) as if it were "
        "a face crop, instead of answering NO_FACE; only for tight face crops the "
        "detector missed"
    ),
]

StabilityOption = Annotated[
    bool,
    Form(
        description="also re-score each face under benign changes (JPEG quality 50, half size and "
        "back, mild noise) and report the range of its fake probability; a verdict "
        "whose range crosses the rule is flagged unstable (about 4x the model time)"
    ),
]


def parse_models(models: str | None, predictor: Predictor) -> list[str] | None:
    """The models asked (`ModelsOption`), checked against those loaded; None: all."""
    names = [m.strip() for m in (models or "").split(",") if m.strip()]
    return predictor.select(names) if names else None


def checked_frames(frames: int | None, settings: Settings) -> int:
    """The frames a video analysis samples: asked, or VIDEO_FRAMES; 400 past MAX_VIDEO_FRAMES."""
    count = frames or settings.VIDEO_FRAMES
    if count > settings.MAX_VIDEO_FRAMES:
        raise APIError(
            400,
            "too_many_frames",
            f"{count} frames asked; the limit is {settings.MAX_VIDEO_FRAMES}",
        )
    return count
