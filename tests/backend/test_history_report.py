"""The report of a past analysis (GET /api/history/{id}/report), history search and paging
by number, retention (HISTORY_RETENTION_DAYS) and HISTORY_ENABLED=false, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.schemas import HistoryItem
from backend.services.history import HistoryStore
from backend.services.retention import sweep

pytest_plugins = ["tests.postgres"]
pytestmark = pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def make_settings(make_settings, history_url):
    return functools.partial(make_settings, HISTORY_URL=history_url)


def _photo(client, data: bytes, name: str, **form) -> dict:
    response = client.post("/api/predict", files={"file": (name, data, "image/jpeg")}, data=form)
    assert response.status_code == 200, response.text
    return response.json()


def _video(client, data: bytes, name: str = "clip.avi") -> dict:
    response = client.post(
        "/api/predict/video", params={"frames": 3}, files={"file": (name, data, "video/x-msvideo")}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_report_of_a_photo(make_client, face_jpeg, model_p) -> None:
    client = make_client(KEEP_UPLOADS=True)
    made = _photo(client, face_jpeg, "Émilie's photo.jpg", explain="true")

    response = client.get(f"/api/history/{made['analysis_id']}/report")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers
    html = response.text
    sha = hashlib.sha256(face_jpeg).hexdigest()
    for expected in (
        "Émilie&#39;s photo.jpg",
        sha,
        f"{len(face_jpeg):,} bytes",
        "Fake",
        made["analysis_id"],
        "The ensemble&#39;s rule",
        "fake",
        "real",
        "not a proof",
        "@media print",
        "Face detector",
        "haar",
        "Provenance",
        "Grad-CAM of fake",
    ):
        assert expected in html, expected
    # per face and per model, as percentages
    assert f"{model_p['ensemble'] * 100:.1f} %" in html
    assert f"{model_p['fake'] * 100:.1f} %" in html and f"{model_p['real'] * 100:.1f} %" in html
    # the rule as recorded
    rule = made["decision"]
    assert f"{rule['low'] * 100:.1f} %" in html and f"{rule['high'] * 100:.1f} %" in html
    # the models' weights hashes (the bundles' files)
    item = client.get(f"/api/history/{made['analysis_id']}").json()
    hashes = [m["weights_sha256"] for m in item["details"]["model_info"]]
    assert len(hashes) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert all(h in html for h in hashes)
    # self-contained: the crop, the heatmaps and the kept photo are inline, nothing is fetched
    assert html.count("data:image/jpeg;base64,") >= 2  # the crop and the kept photo
    assert "data:image/png;base64," in html
    assert not re.search(r'(src|href)="(?!data:)', html)
    assert "<link" not in html and "<script" not in html


def test_the_report_of_a_video(client, face_video) -> None:
    made = _video(client, face_video)

    html = client.get(f"/api/history/{made['analysis_id']}/report").text

    assert "clip.avi" in html
    assert hashlib.sha256(face_video).hexdigest() in html
    assert 'data-testid="report-timeline"' in html and "<svg" in html
    assert "Keyframes" in html and "data:image/jpeg;base64," in html
    assert "Frames analysed" in html and "Frames asked" in html
    for point in made["timeline"]:
        assert f"{point['time_s']:.2f}" in html
    assert "not a proof" in html


def test_the_report_as_a_download(client, face_jpeg) -> None:
    made = _photo(client, face_jpeg, "été.jpg")

    response = client.get(f"/api/history/{made['analysis_id']}/report", params={"download": 1})

    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"faceproof-report-_t_-{made['analysis_id'][:8]}.html" in disposition
    assert "filename*=UTF-8''faceproof-report-%C3%A9t%C3%A9" in disposition


def test_the_report_of_an_unknown_analysis(client) -> None:
    response = client.get("/api/history/no-such-id/report")

    assert response.status_code == 404
    assert response.json()["code"] == "analysis_not_found"


def test_the_report_of_an_old_record(client) -> None:
    """A record from before the report's details existed still renders."""
    store: HistoryStore = client.app.state.history
    analysis_id = store.add(
        HistoryItem(
            id=str(uuid.uuid4()),
            created_at=datetime.now(UTC).isoformat(),
            kind="image",
            filename="old.png",
            size_bytes=10,
            sha256="ab" * 32,
            prediction="REAL",
            confidence=0.9,
            fake_probability=0.1,
            models=["real"],
            model_scores={"real": 0.1},
            faces=[{"fake_probability": 0.1, "prediction": "REAL"}],
            details={},
            duration_ms=5.0,
        )
    )

    html = client.get(f"/api/history/{analysis_id}/report").text

    assert "old.png" in html and "Not recorded with this analysis" in html
    assert "versions not recorded" in html


def test_search_by_name_and_sha256(client, face_jpeg, blank_png) -> None:
    ids = {
        name: _photo(client, data, name)["analysis_id"]
        for name, data in (
            ("Beach_100%.jpg", face_jpeg),
            ("beach-2.png", blank_png),
            ("city.png", blank_png),
        )
    }

    def found(q: str) -> list[str]:
        return sorted(
            i["filename"] for i in client.get("/api/history", params={"q": q}).json()["items"]
        )

    assert found("BEACH") == ["Beach_100%.jpg", "beach-2.png"]
    assert found("100%") == ["Beach_100%.jpg"]
    assert found("h_1") == ["Beach_100%.jpg"]  # _ and % are literal
    assert found("%") == ["Beach_100%.jpg"]
    assert found("nothing") == []
    blank_sha = hashlib.sha256(blank_png).hexdigest()
    assert found(blank_sha) == ["beach-2.png", "city.png"]
    assert found(blank_sha[:8].upper()) == ["beach-2.png", "city.png"]
    page = client.get("/api/history", params={"q": "beach", "prediction": "NO_FACE"}).json()
    assert [i["id"] for i in page["items"]] == [ids["beach-2.png"]]
    assert page["total"] == 1
    assert client.get("/api/history", params={"q": "x" * 201}).status_code == 422


def test_jumping_to_a_page(client, blank_png) -> None:
    ids = [_photo(client, blank_png, f"{n}.png")["analysis_id"] for n in range(5)]

    third = client.get("/api/history", params={"page": 3, "page_size": 2}).json()
    past = client.get("/api/history", params={"page": 9, "page_size": 2}).json()

    assert [i["id"] for i in third["items"]] == [ids[0]]
    assert (third["total"], third["page"]) == (5, 3)
    assert (past["items"], past["total"]) == ([], 5)


def test_retention_deletes_old_analyses_and_their_uploads(
    make_client, make_settings, face_jpeg
) -> None:
    client = make_client(KEEP_UPLOADS=True)
    store: HistoryStore = client.app.state.history
    settings = make_settings(KEEP_UPLOADS=True, HISTORY_RETENTION_DAYS=30)
    old, recent = (_photo(client, face_jpeg, n)["analysis_id"] for n in ("old.jpg", "new.jpg"))
    uploads = settings.UPLOADS_DIR
    assert {p.stem for p in uploads.iterdir()} == {old, recent}

    with store._sessions.begin() as session:  # make `old` 31 days old
        from backend.services.history import Analysis

        session.get(Analysis, old).created_at = datetime.now(UTC) - timedelta(days=31)

    assert sweep(store, make_settings(KEEP_UPLOADS=True)) == 0  # retention off: nothing goes
    assert sweep(store, settings) == 1

    assert client.get(f"/api/history/{old}").status_code == 404
    assert client.get(f"/api/history/{recent}").status_code == 200
    assert {p.stem for p in uploads.iterdir()} == {recent}
    later = datetime.now(UTC) + timedelta(days=31)
    assert sweep(store, settings, now=later) == 1
    assert client.get("/api/history").json()["total"] == 0
    assert list(uploads.iterdir()) == []


def test_retention_sweeps_at_start(make_client, face_jpeg) -> None:
    first = make_client()
    made = _photo(first, face_jpeg, "a.jpg")["analysis_id"]
    store: HistoryStore = first.app.state.history
    with store._sessions.begin() as session:
        from backend.services.history import Analysis

        session.get(Analysis, made).created_at = datetime.now(UTC) - timedelta(days=3)

    second = make_client(HISTORY_RETENTION_DAYS=2)

    assert second.get(f"/api/history/{made}").status_code == 404


def test_history_disabled_keeps_nothing(make_client, make_settings, face_jpeg, face_video) -> None:
    client = make_client(HISTORY_ENABLED=False, KEEP_UPLOADS=True)

    photo = _photo(client, face_jpeg, "a.jpg")
    video = _video(client, face_video)

    assert photo["prediction"] and video["prediction"]
    assert client.get("/api/history").json()["total"] == 0
    assert client.get(f"/api/history/{photo['analysis_id']}").status_code == 404
    uploads = make_settings().UPLOADS_DIR
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert client.get("/api/info").json()["history_enabled"] is False


def test_the_report_names_the_rule_the_answer_named(make_client, face_jpeg) -> None:
    client = make_client()
    made = _photo(client, face_jpeg, "one.jpg", models="fake")
    assert made["decision"]["owner"] == "fake"
    html = client.get(f"/api/history/{made['analysis_id']}/report").text
    assert "fake&#39;s rule" in html and "The ensemble&#39;s rule" not in html
