"""Bad uploads get a 4xx with {"detail", "code"}, never a 5xx (the client fixture checks the
shape and the status of every response)."""

from __future__ import annotations

import struct
import zlib

import pytest


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _png_bomb(side: int = 30_000) -> bytes:
    """A tiny, valid PNG whose header claims side x side RGB pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * side) * 4, 9)  # a few all-zero rows
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def _predict(client, data: bytes, filename: str = "x.jpg", content_type: str = "image/jpeg"):
    return client.post("/api/predict", files={"file": (filename, data, content_type)})


def test_an_empty_file(client) -> None:
    response = _predict(client, b"")

    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"


@pytest.mark.parametrize(
    "data",
    [
        b"hello, I am text",
        b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
        b"\x00" * 1000,
        b"GIF89a",
    ],
)
def test_not_an_image(client, data) -> None:
    response = _predict(client, data, "photo.jpg")

    assert response.status_code == 422
    assert response.json()["code"] == "undecodable_image"


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_a_truncated_jpeg(client, face_jpeg, keep) -> None:
    response = _predict(client, face_jpeg[: int(len(face_jpeg) * keep)])

    assert response.status_code == 422
    assert response.json()["code"] == "undecodable_image"


def test_a_decompression_bomb(client) -> None:
    bomb = _png_bomb()
    assert len(bomb) < 10_000

    response = _predict(client, bomb, "bomb.png", "image/png")

    assert response.status_code == 413
    assert response.json()["code"] == "image_too_large"
    assert client.get("/api/history").json()["total"] == 0


def test_the_pixel_limit_is_the_setting(make_client, face_jpeg) -> None:
    client = make_client(MAX_IMAGE_PIXELS=256 * 255)

    response = _predict(client, face_jpeg)

    assert response.status_code == 413
    assert response.json()["code"] == "image_too_large"


def test_a_file_over_the_byte_limit(make_client, face_jpeg) -> None:
    client = make_client(MAX_IMAGE_BYTES=1000)

    response = _predict(client, face_jpeg)

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert _predict(client, face_jpeg[:1000]).json()["code"] == "undecodable_image"


def test_no_file_field(client, face_jpeg) -> None:
    response = client.post("/api/predict", files={"image": ("a.jpg", face_jpeg)})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert "file" in response.json()["detail"]


def test_no_body_at_all(client) -> None:
    response = client.post("/api/predict")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(("field", "value"), [("tta", "maybe"), ("explain", "perhaps")])
def test_invalid_options(client, face_jpeg, field, value) -> None:
    response = client.post(
        "/api/predict", files={"file": ("a.jpg", face_jpeg)}, data={field: value}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert field in response.json()["detail"]


def _raw_predict(client, filename: bytes, data: bytes):
    """A multipart upload written by hand: the filename's bytes reach the server as they are
    (httpx would percent-encode control characters)."""
    boundary = b"faceproof-test-boundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n"
    )
    return client.post(
        "/api/predict",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=" + boundary.decode()},
    )


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\evil.jpg", "evil.jpg"),
        ("/abs/path/to/pic.jpg", "pic.jpg"),
        ("pa\x00ss\x07\u202e\u200bgpj.jpg", "passgpj.jpg"),
        ("../a\x00/b\x00c.jpg", "bc.jpg"),
        ("  spaced   out  name.jpg. ", "spaced out name.jpg"),
        ("\u00c9clair \u65e5\u672c.jpg", "\u00c9clair \u65e5\u672c.jpg"),
        ("E\u0301clair.jpg", "\u00c9clair.jpg"),
        ("../..", "upload"),
        ("\x01\x02", "upload"),
    ],
)
def test_filenames_are_cleaned(client, face_jpeg, sent, shown) -> None:
    response = _raw_predict(client, sent.encode(), face_jpeg)

    assert response.status_code == 200
    body = response.json()
    assert body["filename"] == shown
    assert client.get(f"/api/history/{body['analysis_id']}").json()["filename"] == shown


def test_a_filename_through_httpx(client, face_jpeg) -> None:
    body = _predict(client, face_jpeg, "../x/\u00e9t\u00e9 2024.jpg").json()

    assert body["filename"] == "\u00e9t\u00e9 2024.jpg"


def test_a_long_filename_is_shortened(client, face_jpeg) -> None:
    body = _predict(client, face_jpeg, "a" * 500 + ".jpg").json()

    assert len(body["filename"]) == 200


def test_a_wrong_method(client) -> None:
    response = client.get("/api/predict")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_unknown_api_route(client) -> None:
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_image_as_a_video(client, face_jpeg) -> None:
    response = client.post(
        "/api/predict/video",
        params={"frames": 2},
        files={"file": ("x.avi", b"RIFF\x00\x00\x00\x00AVI junk")},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "unreadable_video"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"file": "aGVsbG8="}'),
        ("application/x-www-form-urlencoded", b"file=hello"),
        ("multipart/form-data", b"no boundary given"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
        ("multipart/form-data; boundary=xyz", b"\x00\xff" * 100),
        ("text/plain", b"hello"),
    ],
)
def test_garbage_bodies(client, content_type, body) -> None:
    for path in ("/api/predict", "/api/predict/batch", "/api/predict/video", "/api/jobs/video"):
        response = client.post(path, content=body, headers={"content-type": content_type})

        assert 400 <= response.status_code < 500, path
