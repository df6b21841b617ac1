"""POST /api/predict/batch: many images; one bad file never fails the batch."""

from __future__ import annotations

import hashlib


def _files(*items: tuple[str, bytes]) -> list:
    return [("files", (name, data, "application/octet-stream")) for name, data in items]


def test_a_batch_with_a_broken_file(client, face_jpeg, face_png) -> None:
    files = _files(
        ("a.jpg", face_jpeg), ("b.jpg", b"<html>not an image</html>"), ("c.png", face_png)
    )

    response = client.post("/api/predict/batch", files=files)

    assert response.status_code == 200
    body = response.json()
    summary = body["summary"]
    assert {k: summary[k] for k in ("total", "real", "fake", "uncertain", "failed")} == {
        "total": 3,
        "real": 0,
        "fake": 2,
        "uncertain": 0,
        "failed": 1,
    }
    assert summary["processing_time_ms"] > 0
    assert [r["filename"] for r in body["results"]] == ["a.jpg", "c.png"]
    assert [r["prediction"] for r in body["results"]] == ["FAKE", "FAKE"]
    [error] = body["errors"]
    assert error["index"] == 1
    assert error["filename"] == "b.jpg"
    assert error["code"] == "undecodable_image"
    assert error["detail"]


def test_empty_and_oversized_files_are_listed(make_client, face_jpeg) -> None:
    client = make_client(MAX_IMAGE_BYTES=len(face_jpeg))
    files = _files(("empty.jpg", b""), ("big.jpg", face_jpeg + b"x"), ("ok.jpg", face_jpeg))

    body = client.post("/api/predict/batch", files=files).json()

    assert [(e["index"], e["code"]) for e in body["errors"]] == [
        (0, "empty_file"),
        (1, "file_too_large"),
    ]
    assert [r["filename"] for r in body["results"]] == ["ok.jpg"]
    assert body["summary"]["failed"] == 2


def test_results_keep_the_upload_order(client, face_jpeg, blank_png) -> None:
    files = _files(("1.png", blank_png), ("2.jpg", face_jpeg), ("3.png", blank_png))

    body = client.post("/api/predict/batch", files=files, data={"models": "real"}).json()

    assert [r["filename"] for r in body["results"]] == ["1.png", "2.jpg", "3.png"]
    assert [r["face_detected"] for r in body["results"]] == [False, True, False]
    assert [r["prediction"] for r in body["results"]] == ["NO_FACE", "REAL", "NO_FACE"]
    assert (body["summary"]["real"], body["summary"]["no_face"]) == (1, 2)
    assert all(r["models_used"] == ["real"] for r in body["results"])


def test_too_many_files(make_client, face_jpeg) -> None:
    client = make_client(MAX_BATCH_FILES=2)

    response = client.post(
        "/api/predict/batch", files=_files(*[(f"{i}.jpg", face_jpeg) for i in range(3)])
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert client.get("/api/history").json()["total"] == 0


def test_an_unknown_model_fails_the_whole_batch(client, face_jpeg) -> None:
    response = client.post(
        "/api/predict/batch", files=_files(("a.jpg", face_jpeg)), data={"models": "nope"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_model"


def test_each_good_file_is_recorded_with_the_batch_id(client, face_jpeg, face_png) -> None:
    files = _files(("a.jpg", face_jpeg), ("bad.jpg", b"\xff\xd8\xff"), ("c.png", face_png))

    body = client.post("/api/predict/batch", files=files).json()

    items = [client.get(f"/api/history/{r['analysis_id']}").json() for r in body["results"]]
    assert [i["filename"] for i in items] == ["a.jpg", "c.png"]
    assert [i["sha256"] for i in items] == [
        hashlib.sha256(face_jpeg).hexdigest(),
        hashlib.sha256(face_png).hexdigest(),
    ]
    batch_ids = {i["batch_id"] for i in items}
    assert len(batch_ids) == 1 and None not in batch_ids
    assert client.get("/api/history").json()["total"] == 2  # nothing for the bad file

    again = client.post("/api/predict/batch", files=_files(("a.jpg", face_jpeg))).json()
    other = client.get(f"/api/history/{again['results'][0]['analysis_id']}").json()
    assert other["batch_id"] not in batch_ids


def test_the_files_of_a_batch_share_model_forwards(make_client, face_jpeg) -> None:
    client = make_client(INFERENCE_WORKERS=4, BATCH_WAIT_MS=500)
    seen: list[int] = []
    client.app.state.predictor.add_batch_listener(lambda model, faces, s: seen.append(faces))
    body = client.post(
        "/api/predict/batch", files=_files(*[(f"{i}.jpg", face_jpeg) for i in range(8)])
    ).json()
    assert [r["filename"] for r in body["results"]] == [f"{i}.jpg" for i in range(8)]
    assert max(seen) > 1, f"every file ran through the models alone: {seen}"
