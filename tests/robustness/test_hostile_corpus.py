"""Every file of the hostile corpus (tests/robustness/hostile_corpus.py), one request each and
again in batches: a 2xx or a 4xx with a stable code, never a 5xx; no temporary file left; the
history holds exactly one complete row per success and nothing else; no name the client sent
reaches the filesystem."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from backend.schemas import HistoryItem
from backend.services.kept_uploads import KEPT_SUFFIXES
from tests.robustness.hostile_corpus import OK, STABLE_CODES, Hostile, hostile_corpus

BOUNDARY = b"hostile-corpus-boundary-7f3a"
VIDEO_FRAMES = 4
ID_NAME = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"(\.[a-z0-9]+)?$"
)


@pytest.fixture(scope="module")
def corpus(face_rgb, tmp_path_factory) -> list[Hostile]:
    cases = hostile_corpus(face_rgb, tmp_path_factory.mktemp("corpus"))
    assert len(cases) >= 200
    assert len({c.name for c in cases}) == len(cases)
    return cases


def _multipart(case: Hostile) -> bytes:
    """The upload written by hand, so the file name's bytes (NUL, CR LF, quotes) reach the
    server as they are; httpx would escape them."""
    return (
        b"--" + BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="'
        + case.filename.encode("utf-8", "surrogateescape")
        + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        + case.data
        + b"\r\n--"
        + BOUNDARY
        + b"--\r\n"
    )


def _send(client, case: Hostile):
    path = "/api/predict" if case.kind == "image" else "/api/predict/video"
    params = {"frames": VIDEO_FRAMES} if case.kind == "video" else None
    return client.post(
        path,
        params=params,
        content=_multipart(case),
        headers={"content-type": "multipart/form-data; boundary=" + BOUNDARY.decode()},
    )


def _outcome(response) -> str:
    return OK if response.status_code < 300 else response.json()["code"]


def test_every_hostile_file_alone(make_client, corpus, temp_files, tmp_path) -> None:
    uploads = tmp_path / "uploads"
    client = make_client(KEEP_UPLOADS=True, UPLOADS_DIR=uploads, RATE_LIMIT_PER_MINUTE=0)
    problems, succeeded = [], {}

    for case in corpus:
        response = _send(client, case)  # the client's hook fails on any 5xx
        outcome = _outcome(response)
        if not (200 <= response.status_code < 300 or 400 <= response.status_code < 500):
            problems.append(f"{case.name}: status {response.status_code}")
        elif outcome != OK and outcome not in STABLE_CODES:
            problems.append(f"{case.name}: unknown code {outcome}")
        elif case.expect is not None and outcome not in case.expect:
            problems.append(f"{case.name}: {outcome}, expected one of {sorted(case.expect)}")
        if outcome == OK:
            body = response.json()
            shown = body["filename"]
            if any(ch in shown for ch in "/\\\x00\r\n") or not shown.strip():
                problems.append(f"{case.name}: shown file name {shown!r}")
            succeeded[body["analysis_id"]] = case
    assert not problems, "\n".join(problems)

    # no temporary file left behind
    assert temp_files, "the videos went through temporary files"
    assert [p for p in temp_files if p.exists()] == []
    # the history: one complete row per success, nothing for a failure
    page = client.get("/api/history", params={"page_size": 200}).json()
    rows = page["items"]
    page = 2
    while len(rows) < client.get("/api/history").json()["total"]:
        rows += client.get("/api/history", params={"page_size": 200, "page": page}).json()["items"]
        page += 1
    assert {r["id"] for r in rows} == set(succeeded)
    assert len(rows) == len(succeeded)
    for row in rows:
        HistoryItem.model_validate(row)
        case = succeeded[row["id"]]
        assert row["sha256"] == hashlib.sha256(case.data).hexdigest(), case.name
        assert row["size_bytes"] == len(case.data), case.name
        assert row["kind"] == case.kind, case.name
    # kept uploads are named by analysis id only: no name the client sent reaches the disk
    kept = sorted(p.name for p in uploads.iterdir())
    assert len(kept) == len(succeeded)
    for name in kept:
        assert ID_NAME.match(name), name
        assert name[:36] in succeeded
        assert Path(name).suffix in KEPT_SUFFIXES | {""}, name
    # "cache": the service's FACEPROOF_CACHE_DIR (compiled models, the remembered runner choice)
    outside = {p.name for p in tmp_path.iterdir()} - {
        "uploads",
        "tmp",
        "no-build",
        "cache",
        "history.db",
        "history.db-wal",
        "history.db-shm",
    }
    assert outside == set()
    print(
        f"\nhostile corpus: {len(corpus)} files, {len(succeeded)} analysed, "
        f"{len(corpus) - len(succeeded)} refused with a stable code"
    )


def test_every_hostile_image_in_batches(make_client, corpus, temp_files) -> None:
    client = make_client(RATE_LIMIT_PER_MINUTE=0)
    # one file per part; names the multipart parser refuses would refuse the whole batch
    images = [
        c for c in corpus if c.kind == "image" and "\r" not in c.filename and len(c.filename) < 2000
    ]
    size = client.app.state.settings.MAX_BATCH_FILES
    problems, analysed = [], 0

    for start in range(0, len(images), size):
        chunk = images[start : start + size]
        response = client.post(
            "/api/predict/batch",
            files=[("files", (c.filename, c.data, "application/octet-stream")) for c in chunk],
        )
        assert response.status_code == 200
        body = response.json()
        errors = {e["index"]: e["code"] for e in body["errors"]}
        assert body["summary"]["total"] == len(chunk)
        assert len(body["results"]) + len(errors) == len(chunk)
        analysed += len(body["results"])
        for index, case in enumerate(chunk):
            outcome = errors.get(index, OK)
            if outcome != OK and outcome not in STABLE_CODES:
                problems.append(f"{case.name}: unknown code {outcome}")
            elif case.expect is not None and outcome not in case.expect:
                problems.append(f"{case.name}: {outcome}, expected {sorted(case.expect)}")
    assert not problems, "\n".join(problems)
    assert client.get("/api/history").json()["total"] == analysed
    assert temp_files == []  # images never touch the disk
