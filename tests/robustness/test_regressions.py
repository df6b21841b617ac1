"""Bugs found by the hostile corpus and the schema fuzzing, one test each (each failed before
its fix)."""

from __future__ import annotations

import pytest

from tests.robustness.hostile_corpus import Hostile
from tests.robustness.test_hostile_corpus import _send


@pytest.mark.parametrize("length", [5000, 20_000])
def test_a_filename_too_long_for_the_parser_is_an_invalid_request(client, face_jpeg,
                                                                 length) -> None:
    """Starlette refuses a multipart part header this long with a plain HTTP 400, which left
    as code `http_400`, not a documented code."""
    response = _send(client, Hostile("long", "a" * length + ".jpg", face_jpeg))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_too_many_parts_is_an_invalid_request(client) -> None:
    files = [("files", (f"{i}.jpg", b"x", "image/jpeg")) for i in range(1001)]

    response = client.post("/api/predict/batch", files=files)

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_request", "too_many_files"}
