"""The FastAPI application: wiring only."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

import faceproof
from backend.api.deps import require_api_key
from backend.api.router import api_router
from backend.api.routes import models, predict
from backend.core.errors import install_error_handlers
from backend.core.lifespan import lifespan
from backend.core.logs import configure_logging
from backend.core.settings import Settings, get_settings
from backend.core.spa import mount_spa
from backend.middleware.metrics import install_metrics
from backend.middleware.rate_limit import RateLimitMiddleware
from backend.middleware.request_log import RequestLogMiddleware
from backend.middleware.security_headers import SecurityHeadersMiddleware
from backend.middleware.upload_limit import UploadLimitMiddleware, upload_limits

DESCRIPTION = """Tells whether each face in a photo, a batch or a video is real or a deepfake,
how sure the models are (calibrated probabilities, an abstain band giving UNCERTAIN), and where
on the face they looked (Grad-CAM). Errors are JSON `{"detail", "code"}` with a 4xx status."""


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operation id (and the name of its generated types): the handler's
    name (`predict_image`), not FastAPI's name + path + method."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    app = FastAPIOffline(
        title="FaceProof",
        version=faceproof.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        static_url="/api/docs-static",
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(UploadLimitMiddleware, limit_for=upload_limits(settings))
    app.add_middleware(RateLimitMiddleware, per_minute=settings.RATE_LIMIT_PER_MINUTE)
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.CORS_ORIGINS,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.METRICS_ENABLED:
        install_metrics(app)  # GET /metrics, before the SPA's catch-all route
    app.add_middleware(RequestLogMiddleware)  # outermost: it times and logs all of the above
    app.include_router(api_router)
    # the routes of the first prototype, kept for its scripts
    keyed = [Depends(require_api_key)]
    app.include_router(predict.router, dependencies=keyed, include_in_schema=False)
    app.add_api_route("/info", models.read_info, dependencies=keyed, include_in_schema=False)
    mount_spa(app, settings.STATIC_DIR)
    return app
