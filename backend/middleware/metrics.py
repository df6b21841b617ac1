"""Prometheus metrics at GET /metrics: requests, latencies, model forwards, queues, verdicts.

Each app has its own registry (tests build many apps; the global one would refuse the same
metric twice). /metrics is outside /api and not behind API_KEY: it is for a scraper on the
internal network (the docker-compose nginx proxies only /api); METRICS_ENABLED=false removes it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.executors import ContextThreadPoolExecutor
from backend.core.request_info import route_template, verdict_of

UNMATCHED = "unmatched"  # the route label of requests no route matched: bounded cardinality
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
FORWARD_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
FACES_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class Metrics:
    """The service's metrics in a registry of their own."""

    def __init__(self, state: State):
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "faceproof_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "faceproof_http_request_duration_seconds",
            "time from the request to the end of its response (a whole event stream)",
            ["method", "route"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.in_progress = Gauge(
            "faceproof_http_requests_in_progress", "requests being served now", registry=registry
        )
        self.forward_seconds = Histogram(
            "faceproof_inference_seconds",
            "time of one model forward (a batch of faces)",
            ["model"],
            buckets=FORWARD_BUCKETS,
            registry=registry,
        )
        self.forward_faces = Histogram(
            "faceproof_inference_batch_faces",
            "faces per model forward",
            ["model"],
            buckets=FACES_BUCKETS,
            registry=registry,
        )
        self.analyses = Counter(
            "faceproof_analyses",
            "analyses by kind (image, video) and verdict",
            ["kind", "verdict"],
            registry=registry,
        )
        registry.register(_ServiceCollector(state))

    def observe_forward(self, model: str, faces: int, seconds: float) -> None:
        """The predictor's batch listener: called after each model forward."""
        self.forward_seconds.labels(model).observe(seconds)
        self.forward_faces.labels(model).observe(faces)

    def observe_job(self, job) -> None:
        """The job manager's finish listener: a finished video job is a video analysis."""
        if job.result is not None:
            self.analyses.labels("video", str(job.result.prediction)).inc()

    def observe_request(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope) or UNMATCHED
        self.requests.labels(scope["method"], route, str(status)).inc()
        self.request_seconds.labels(scope["method"], route).observe(seconds)
        verdict = verdict_of(scope)
        kind = "video" if route.endswith("/video") else "image"
        if isinstance(verdict, dict):  # a batch: counts per verdict
            for label, count in verdict.items():
                if count:
                    self.analyses.labels(kind, str(label)).inc(count)
        elif verdict is not None:
            self.analyses.labels(kind, str(verdict)).inc()

    def watch(self, predictor, jobs) -> None:
        """Feed the model-forward and job metrics; the lifespan calls it once both exist."""
        predictor.add_batch_listener(self.observe_forward)
        jobs.finish_listeners.append(self.observe_job)


class _ServiceCollector:
    """Read at scrape time from the app's state: queue depths and the loaded models."""

    def __init__(self, state: State):
        self.state = state

    def collect(self) -> Iterator[Metric]:
        predictor = getattr(self.state, "predictor", None)
        executor = getattr(self.state, "inference_executor", None)
        jobs = getattr(self.state, "jobs", None)
        depth = GaugeMetricFamily(
            "faceproof_queue_depth",
            "work waiting: faces for a model forward (faces), image "
            "requests for an inference thread (inference_tasks), video jobs queued or running "
            "(video_jobs)",
            labels=["queue"],
        )
        depth.add_metric(["faces"], predictor.queue_depth() if predictor else 0)
        depth.add_metric(
            ["inference_tasks"],
            executor.queued() if isinstance(executor, ContextThreadPoolExecutor) else 0,
        )
        depth.add_metric(["video_jobs"], jobs.queue_depth if jobs else 0)
        yield depth
        info = GaugeMetricFamily(
            "faceproof_model_info",
            "loaded models (value 1) and the precision each runs at",
            labels=["model", "precision"],
        )
        for model, precision in predictor.precision.items() if predictor else ():
            info.add_metric([model, precision], 1)
        yield info


class MetricsMiddleware:
    """Pure ASGI (streams pass through untouched): counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless the app sends one: an exception escaped it

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_progress.inc()
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self.metrics.in_progress.dec()
            self.metrics.observe_request(scope, status, time.perf_counter() - start)


async def read_metrics(request: Request) -> Response:
    """The metrics in the Prometheus text format the scraper asks for."""
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(
        encode(request.app.state.metrics.registry), headers={"Content-Type": content_type}
    )


def install_metrics(app: FastAPI) -> None:
    """GET /metrics (outside /api and the OpenAPI schema) and the middleware feeding it."""
    disable_created_metrics()  # no `_created` twin of every counter and histogram series
    app.state.metrics = Metrics(app.state)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_api_route("/metrics", read_metrics, methods=["GET"], include_in_schema=False)
