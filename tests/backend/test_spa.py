"""The built web app at /, client-side routes falling back to index.html, /api left alone."""

from __future__ import annotations

import pytest

INDEX = "<!doctype html><title>FaceProof app</title><div id=root></div>"
APP_JS = "console.log('faceproof');"


@pytest.fixture
def spa(make_client, tmp_path):
    build = tmp_path / "dist"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text(INDEX)
    (build / "assets" / "app.js").write_text(APP_JS)
    (build / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for you")
    return make_client(STATIC_DIR=build)


def test_the_index(spa) -> None:
    response = spa.get("/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/history", "/history/1234-abcd", "/about?tab=models"])
def test_client_routes_get_the_index(spa, path) -> None:
    response = spa.get(path)

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_built_files_are_served(spa) -> None:
    script = spa.get("/assets/app.js")
    assert script.status_code == 200
    assert script.text == APP_JS
    assert "javascript" in script.headers["content-type"]

    assert spa.get("/favicon.svg").text == "<svg/>"
    assert spa.get("/assets/missing.js").status_code == 404


@pytest.mark.parametrize(
    "path", ["/..%2Fsecret.txt", "/%2E%2E/secret.txt", "/assets/..%2F..%2Fsecret.txt"]
)
def test_nothing_outside_the_build(spa, path) -> None:
    response = spa.get(path)

    assert "not for you" not in response.text


@pytest.mark.parametrize("path", ["/api/unknown", "/api/", "/api/history/x/y"])
def test_unknown_api_paths_stay_json_404(spa, path) -> None:
    response = spa.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_the_api_still_answers(spa) -> None:
    assert spa.get("/api/health").json() == {"status": "ok"}
    assert spa.get("/api/docs").status_code == 200
    assert spa.get("/api/history").json()["total"] == 0


def test_without_a_build(client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "not been built" in response.text
    assert 'href="/api/docs"' in response.text
    assert client.get("/history").status_code == 404
    assert client.get("/api/unknown").json()["code"] == "not_found"
