"""Loaded models with their cards, and service info."""

from __future__ import annotations

import importlib.metadata
import platform

import cv2
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

import faceproof
from backend.api.deps import PredictorDep, SettingsDep
from backend.core.errors import APIError
from backend.core.responses import ERROR_RESPONSES, NOT_FOUND
from backend.schemas import InfoResponse, Limits, ModelInfo, ModelRuntime
from backend.services.presenters import decision_band, decision_of
from faceproof.bundle import REPORTS_DIR
from faceproof.lazy_torch import torch_version

router = APIRouter(tags=["models"], responses=ERROR_RESPONSES)


@router.get("/models", response_model=list[ModelInfo], summary="Loaded models and their cards")
async def read_models(predictor: PredictorDep, request: Request) -> list[ModelInfo]:
    out = []
    for name, bundle in predictor.bundles.items():
        c = bundle.config
        reports = sorted(p.name for p in (bundle.path / REPORTS_DIR).glob("*.png"))
        out.append(
            ModelInfo(
                name=name,
                arch=c.arch,
                input_size=c.input_size,
                mean=list(c.mean),
                std=list(c.std),
                interpolation=c.interpolation,
                face_margin=c.face_margin,
                threshold=c.threshold,
                temperature=c.temperature,
                abstain_band=decision_band(predictor.rules[name], name),  # its own, as its card
                metrics=c.metrics,
                data=c.data,
                created=c.created,
                card=bundle.card,
                reports=[
                    str(request.url_for("read_model_report", name=name, report=r).path)
                    for r in reports
                ],
            )
        )
    return out


@router.get(
    "/models/{name}/reports/{report}",
    summary="A model's report figure (PNG)",
    response_class=FileResponse,
    responses=NOT_FOUND,
)
async def read_model_report(name: str, report: str, predictor: PredictorDep) -> FileResponse:
    bundle = predictor.bundles.get(name)
    if bundle is None:
        raise APIError(404, "unknown_model", f"no model {name!r}")
    folder = (bundle.path / REPORTS_DIR).resolve()
    # only names listed in the folder, so no user text becomes a path
    available = {p.name: p for p in folder.glob("*.png")}
    if report not in available:
        raise APIError(404, "not_found", f"no report {report!r} for {name}")
    return FileResponse(available[report], media_type="image/png")


@router.get("/info", response_model=InfoResponse, summary="Service, limits and versions")
async def read_info(predictor: PredictorDep, settings: SettingsDep) -> InfoResponse:
    return InfoResponse(
        version=faceproof.__version__,
        models=predictor.model_names,
        default_models=predictor.default_models,
        ensemble=decision_of(predictor, predictor.default_models),
        face_detector=settings.FACE_DETECTOR,
        limits=Limits(
            max_image_bytes=settings.MAX_IMAGE_BYTES,
            max_video_bytes=settings.MAX_VIDEO_BYTES,
            max_image_pixels=settings.MAX_IMAGE_PIXELS,
            max_batch_files=settings.MAX_BATCH_FILES,
            max_video_seconds=settings.MAX_VIDEO_SECONDS,
            video_frames=settings.VIDEO_FRAMES,
            max_video_frames=settings.MAX_VIDEO_FRAMES,
            max_faces=settings.MAX_FACES,
        ),
        # read from the packages: a compiled runtime serves without importing torch or timm
        versions={
            "faceproof": faceproof.__version__,
            "torch": torch_version(),
            "timm": importlib.metadata.version("timm"),
            "opencv": cv2.__version__,
            "python": platform.python_version(),
        },
        device=", ".join(sorted({str(r.device) for r in predictor.runners.values()})),
        runtime={
            name: ModelRuntime(
                device=str(runner.device),
                runtime=runner.runtime,
                precision=runner.precision,
                runs_by_default=name in predictor.default_models,
            )
            for name, runner in predictor.runners.items()
        },
        api_key_required=settings.API_KEY is not None,
        history_enabled=settings.HISTORY_ENABLED,
    )
