"""GET /api/history (paged, newest first, filters), GET and DELETE /api/history/{id}, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import functools

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app

pytest_plugins = ["tests.postgres"]
pytestmark = pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def make_settings(make_settings, history_url):
    """The service's settings, its history on this test's database."""
    return functools.partial(make_settings, HISTORY_URL=history_url)


@pytest.fixture
def analyses(client, face_jpeg, blank_png, face_video) -> list[dict]:
    """Four analyses, oldest first: FAKE image, REAL image, NO_FACE image, FAKE video."""

    def image(data: bytes, name: str, **form) -> dict:
        return client.post(
            "/api/predict", files={"file": (name, data, "image/png")}, data=form
        ).json()

    made = [
        image(face_jpeg, "1.jpg"),
        image(face_jpeg, "2.jpg", models="real"),
        image(blank_png, "3.png"),
    ]
    return [
        *made,
        client.post(
            "/api/predict/video",
            params={"frames": 2},
            files={"file": ("v.avi", face_video, "video/x-msvideo")},
        ).json(),
    ]


def test_newest_first(client, analyses) -> None:
    page = client.get("/api/history").json()

    assert page["total"] == 4
    assert (page["page"], page["page_size"]) == (1, 20)
    assert [i["id"] for i in page["items"]] == [a["analysis_id"] for a in reversed(analyses)]
    assert [i["filename"] for i in page["items"]] == ["v.avi", "3.png", "2.jpg", "1.jpg"]
    created = [i["created_at"] for i in page["items"]]
    assert created == sorted(created, reverse=True)
    assert all(c.endswith("+00:00") for c in created)


def test_paging(client, analyses) -> None:
    ids = [a["analysis_id"] for a in reversed(analyses)]

    pages = [
        client.get("/api/history", params={"page": n, "page_size": 3}).json() for n in (1, 2, 3)
    ]

    assert [[i["id"] for i in p["items"]] for p in pages] == [ids[:3], ids[3:], []]
    assert {p["total"] for p in pages} == {4}
    assert [(p["page"], p["page_size"]) for p in pages] == [(1, 3), (2, 3), (3, 3)]


def test_filter_by_prediction(client, analyses) -> None:
    fake = client.get("/api/history", params={"prediction": "FAKE"}).json()
    real = client.get("/api/history", params={"prediction": "REAL"}).json()
    uncertain = client.get("/api/history", params={"prediction": "UNCERTAIN"}).json()

    no_face = client.get("/api/history", params={"prediction": "NO_FACE"}).json()

    assert fake["total"] == 2
    assert {i["prediction"] for i in fake["items"]} == {"FAKE"}
    assert [i["id"] for i in real["items"]] == [analyses[1]["analysis_id"]]
    assert (uncertain["total"], uncertain["items"]) == (0, [])
    [blank] = no_face["items"]
    assert blank["id"] == analyses[2]["analysis_id"]
    assert (blank["fake_probability"], blank["confidence"], blank["faces"]) == (None, None, [])


def test_filter_by_kind(client, analyses) -> None:
    videos = client.get("/api/history", params={"kind": "video"}).json()
    images = client.get("/api/history", params={"kind": "image", "prediction": "FAKE"}).json()

    assert [i["id"] for i in videos["items"]] == [analyses[3]["analysis_id"]]
    assert videos["items"][0]["details"]["frames_analyzed"] == 2
    assert [i["filename"] for i in images["items"]] == ["1.jpg"]
    assert images["total"] == 1


def test_get_one(client, analyses) -> None:
    item = client.get(f"/api/history/{analyses[1]['analysis_id']}").json()

    assert item["prediction"] == "REAL"
    assert item["models"] == ["real"]
    assert item["kind"] == "image"
    assert item["details"]["face_detected"] is True


def test_delete(client, analyses) -> None:
    target = analyses[0]["analysis_id"]

    response = client.delete(f"/api/history/{target}")

    assert response.status_code == 204
    assert response.content == b""
    gone = client.get(f"/api/history/{target}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "analysis_not_found"
    assert client.delete(f"/api/history/{target}").status_code == 404
    assert client.get("/api/history").json()["total"] == 3


def test_an_unknown_analysis(client) -> None:
    response = client.get("/api/history/no-such-id")

    assert response.status_code == 404
    assert response.json()["code"] == "analysis_not_found"


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "two"},
        {"page_size": 0},
        {"page_size": 201},
        {"prediction": "MAYBE"},
        {"prediction": "fake"},
        {"kind": "audio"},
    ],
)
def test_invalid_queries(client, params) -> None:
    response = client.get("/api/history", params=params)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert next(iter(params)) in response.json()["detail"]


def test_the_history_survives_a_restart(make_settings, face_jpeg) -> None:
    """The first app is stopped (lifespan ended, engine disposed) before the second starts
    on the same database."""
    settings = make_settings()
    with TestClient(create_app(settings)) as first:
        made = first.post("/api/predict", files={"file": ("a.jpg", face_jpeg)}).json()
        assert first.get("/api/history").json()["total"] == 1

    with TestClient(create_app(make_settings())) as second:  # same HISTORY_URL
        item = second.get(f"/api/history/{made['analysis_id']}")
        assert item.status_code == 200
        assert item.json()["prediction"] == made["prediction"]
        assert second.get("/api/history").json()["total"] == 1
