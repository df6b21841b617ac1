"""Request ids and the access log: one JSON line per request with its fields, the id echoed or
made, route templates, verdicts, and the id on lines logged from worker threads."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterator

import pytest

from backend.core.logs import (
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    request_id_var,
)

HEX_ID = re.compile(r"[0-9a-f]{32}")


class Capture(logging.Handler):
    """What our JSON formatter writes, parsed back, one dict per line."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def access(self) -> list[dict]:
        return [line for line in self.lines if line["logger"] == "backend.access"]


@pytest.fixture
def logs() -> Iterator[Capture]:
    capture = Capture()
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)


def test_one_json_line_per_request(client, logs) -> None:
    response = client.get("/api/health")

    (line,) = logs.access()
    assert response.headers["x-request-id"] == line["request_id"]
    assert HEX_ID.fullmatch(line["request_id"])
    assert line["level"] == "INFO"
    assert line["ts"].endswith("Z")
    assert line["method"] == "GET"
    assert line["route"] == "/api/health"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["client"] == "testclient"
    assert line["msg"].startswith("GET /api/health 200 ")
    assert "verdict" not in line


@pytest.mark.parametrize(
    "incoming, echoed",
    [
        ("req-42.a_B", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("two words", False),
        ("id\u00e9", False),
    ],
)
def test_an_incoming_request_id_is_kept_when_sane(client, logs, incoming, echoed) -> None:
    response = client.get("/api/health", headers={"X-Request-ID": incoming.encode("utf-8")})

    returned = response.headers["x-request-id"]
    assert (returned == incoming) is echoed
    if not echoed:
        assert HEX_ID.fullmatch(returned)
    assert logs.access()[0]["request_id"] == returned


def test_the_route_is_the_template_and_errors_keep_their_body(client, logs) -> None:
    response = client.get("/api/jobs/0123abcd")

    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"  # {detail, code}: checked by conftest
    assert response.headers["x-request-id"]
    (line,) = logs.access()
    assert line["route"] == "/api/jobs/{job_id}"
    assert line["status"] == 404


def test_an_unmatched_path_is_logged_as_it_came(client, logs) -> None:
    assert client.get("/no/such/page").status_code == 404

    assert logs.access()[0]["route"] == "/no/such/page"


def test_a_prediction_logs_its_verdict(client, logs, face_jpeg, face_png, blank_png) -> None:
    client.post("/api/predict", files={"file": ("a.jpg", face_jpeg, "image/jpeg")})
    client.post(
        "/api/predict/batch",
        files=[
            ("files", ("a.jpg", face_jpeg, "image/jpeg")),
            ("files", ("b.png", face_png, "image/png")),
            ("files", ("c.txt", b"not an image", "text/plain")),
        ],
    )

    single, batch = logs.access()
    assert (single["route"], single["verdict"]) == ("/api/predict", "FAKE")
    assert single["msg"].endswith(" FAKE")
    assert batch["route"] == "/api/predict/batch"
    assert batch["verdict"] == {"REAL": 0, "FAKE": 2, "UNCERTAIN": 0, "NO_FACE": 0}


def test_a_job_logs_with_the_id_of_the_request_that_started_it(client, logs, face_video) -> None:
    created = client.post(
        "/api/jobs/video",
        params={"frames": 2},
        headers={"X-Request-ID": "start-job-1"},
        files={"file": ("clip.avi", face_video, "video/x-msvideo")},
    ).json()
    deadline = time.monotonic() + 20
    while client.get(created["status_url"]).json()["status"] != "done":
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.02)

    job_lines = [line for line in logs.lines if line.get("job_id") == created["job_id"]]
    started, finished = job_lines
    assert started["msg"] == f"job {created['job_id']} started"
    assert finished["status"] == "done"
    assert finished["verdict"] == "FAKE"
    assert finished["duration_ms"] > 0
    assert {line["request_id"] for line in job_lines} == {"start-job-1"}
    assert logs.access()[0]["status"] == 202


def test_the_text_format() -> None:
    record = logging.LogRecord(
        "backend.access", logging.INFO, __file__, 1, "GET /api/health 200 1.2 ms", None, None
    )
    token = request_id_var.set("abc")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)

    line = TextFormatter().format(record)

    assert line.endswith(" INFO backend.access [abc]: GET /api/health 200 1.2 ms")


def test_exceptions_and_extra_fields_in_json() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("backend", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info)
    record.job_id = "j1"  # as `extra={"job_id": ...}` puts it

    entry = json.loads(JsonFormatter().format(record))

    assert (entry["msg"], entry["level"], entry["job_id"]) == ("failed x", "ERROR", "j1")
    assert "ValueError: boom" in entry["exc"]
    assert "request_id" not in entry


def test_configure_logging_replaces_only_its_own_handler() -> None:
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    before = list(root.handlers)
    try:
        configure_logging("INFO", "text")
        configure_logging("INFO", "json")

        ours = [h for h in root.handlers if h not in before]
        assert len([h for h in root.handlers if getattr(h, "faceproof_handler", False)]) == 1
        assert other in root.handlers
        assert all(isinstance(h.formatter, JsonFormatter) for h in ours)
        assert logging.getLogger("uvicorn.access").disabled
        assert logging.getLogger("uvicorn.error").propagate
    finally:
        root.removeHandler(other)
