"""Prometheus metrics at /metrics: request counts and latencies by route template, model
forwards per model, queue depths, verdicts, and an event stream that still streams."""

from __future__ import annotations

import json
import time

from prometheus_client.parser import text_string_to_metric_families

from backend.main import create_app


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics: (name, labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples, name: str, **labels) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_requests_are_counted_by_route_template(client) -> None:
    client.get("/api/health")
    client.get("/api/health")
    client.get("/api/jobs/0123abcd")
    client.get("/no/such/page")

    samples = scrape(client)
    assert (
        value(
            samples,
            "faceproof_http_requests_total",
            method="GET",
            route="/api/health",
            status="200",
        )
        == 2
    )
    assert (
        value(
            samples,
            "faceproof_http_requests_total",
            method="GET",
            route="/api/jobs/{job_id}",
            status="404",
        )
        == 1
    )
    assert (
        value(
            samples, "faceproof_http_requests_total", method="GET", route="unmatched", status="404"
        )
        == 1
    )
    assert (
        value(
            samples,
            "faceproof_http_request_duration_seconds_count",
            method="GET",
            route="/api/health",
        )
        == 2
    )
    assert value(samples, "faceproof_http_requests_in_progress") == 1  # the scrape itself

    client.get("/api/health")
    assert (
        value(
            scrape(client),
            "faceproof_http_requests_total",
            method="GET",
            route="/api/health",
            status="200",
        )
        == 3
    )


def test_model_forwards_and_verdicts_after_a_prediction(client, face_jpeg) -> None:
    before = scrape(client)
    assert value(before, "faceproof_inference_seconds_count", model="fake") is None

    client.post("/api/predict", files={"file": ("a.jpg", face_jpeg, "image/jpeg")})

    samples = scrape(client)
    for model in ("fake", "real"):
        assert value(samples, "faceproof_inference_seconds_count", model=model) >= 1
        assert value(samples, "faceproof_inference_seconds_sum", model=model) > 0
        assert value(samples, "faceproof_inference_batch_faces_sum", model=model) >= 1
    assert value(samples, "faceproof_analyses_total", kind="image", verdict="FAKE") == 1
    assert (
        value(
            samples,
            "faceproof_http_requests_total",
            method="POST",
            route="/api/predict",
            status="200",
        )
        == 1
    )


def test_queue_depths_and_loaded_models(client) -> None:
    samples = scrape(client)

    for queue in ("faces", "inference_tasks", "video_jobs"):
        assert value(samples, "faceproof_queue_depth", queue=queue) == 0
    precision = client.app.state.predictor.precision
    for model in ("fake", "real"):
        assert value(samples, "faceproof_model_info", model=model, precision=precision[model]) == 1


def test_a_video_job_and_its_event_stream(client, face_video) -> None:
    created = client.post(
        "/api/jobs/video",
        params={"frames": 2},
        files={"file": ("clip.avi", face_video, "video/x-msvideo")},
    ).json()

    events = []
    with client.stream("GET", created["events_url"]) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line.removeprefix("data:")))
    deadline = time.monotonic() + 5  # the finish listener runs just after the job is marked
    while (
        value(samples := scrape(client), "faceproof_analyses_total", kind="video", verdict="FAKE")
        is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.02)

    assert events[-1]["status"] == "done"
    assert len(events) >= 1
    assert (
        value(
            samples,
            "faceproof_http_requests_total",
            method="GET",
            route="/api/jobs/{job_id}/events",
            status="200",
        )
        == 1
    )
    assert (
        value(
            samples,
            "faceproof_http_requests_total",
            method="POST",
            route="/api/jobs/video",
            status="202",
        )
        == 1
    )
    assert value(samples, "faceproof_analyses_total", kind="video", verdict="FAKE") == 1


def test_metrics_are_open_and_outside_the_schema(make_client) -> None:
    client = make_client(API_KEY="s3cret")

    assert client.get("/metrics").status_code == 200
    assert client.get("/api/health").status_code == 200
    paths = client.get("/api/openapi.json", headers={"X-API-Key": "s3cret"}).json()["paths"]
    assert "/metrics" not in paths


def test_metrics_can_be_turned_off(make_client) -> None:
    client = make_client(METRICS_ENABLED=False)

    assert client.get("/metrics").status_code == 404
    assert client.get("/api/health").headers["x-request-id"]


def test_each_app_has_its_own_registry(make_settings) -> None:
    first, second = create_app(make_settings()), create_app(make_settings())

    assert first.state.metrics.registry is not second.state.metrics.registry
