"""A report to keep: the live result's permalink opens the analysis in History, and its
report downloads as one self-contained HTML page (looked at on a desktop and on a phone)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS_ALSO = Path("/tmp/shots")  # a copy for looking at outside the test run


def _shoot(shoot, page, name: str) -> None:
    path = shoot(page, name)
    SHOTS_ALSO.mkdir(parents=True, exist_ok=True)
    (SHOTS_ALSO / path.name).write_bytes(path.read_bytes())


def test_permalink_and_report_download(desktop, phone, media, shoot, tmp_path):
    page = desktop.page
    page.goto("/")
    page.locator("input[type=file]").set_input_files(str(media["astronaut.jpg"]))
    expect(page.get_by_role("status")).to_contain_text("FAKE · 64 % likely fake")

    permalink = page.get_by_test_id("permalink")
    expect(permalink).to_be_visible()
    href = permalink.get_attribute("href")
    assert href and re.fullmatch(r"/history/[0-9a-f-]{36}", href)
    analysis_id = href.rsplit("/", 1)[-1]
    page.wait_for_timeout(600)
    _shoot(shoot, page, "analyze-permalink-desktop")

    permalink.click()
    expect(page).to_have_url(re.compile(rf"/history/{analysis_id}$"))
    detail = page.get_by_test_id("history-detail")
    expect(detail.get_by_role("heading", name="astronaut.jpg")).to_be_visible()
    expect(detail.get_by_test_id("face-card")).to_have_count(1)  # the crop, as live
    page.wait_for_timeout(600)  # the verdict fades in
    _shoot(shoot, page, "history-detail-report-desktop")

    with page.expect_download() as info:
        detail.get_by_role("button", name="Download report").click()
    download = info.value
    assert download.suggested_filename == f"faceproof-report-astronaut-{analysis_id[:8]}.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert hashlib.sha256(media["astronaut.jpg"].read_bytes()).hexdigest() in html
    assert "astronaut.jpg" in html and "not a proof" in html
    assert "data:image/jpeg;base64," in html  # the face crop, inline

    # the saved file alone: nothing to fetch, it reads on a desktop and on a phone
    report = page.context.new_page()
    requests: list[str] = []
    report.on("request", lambda r: requests.append(r.url))
    report.goto(saved.as_uri())
    expect(report.get_by_test_id("report-verdict")).to_contain_text("Fake")
    expect(report.get_by_test_id("report-face")).to_have_count(1)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    _shoot(shoot, report, "report-desktop")
    report.emulate_media(media="print")
    assert report.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "none"
    report.close()

    small = phone.page
    small.goto("/history?q=astronaut")  # the search, kept in the URL
    expect(small.get_by_role("searchbox")).to_have_value("astronaut")
    expect(small.get_by_role("link", name="astronaut.jpg").first).to_be_visible()
    _shoot(shoot, small, "history-search-phone")
    small.goto(href)
    expect(small.get_by_test_id("history-detail")).to_be_visible()
    small.wait_for_timeout(600)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the detail page scrolls sideways on a phone ({width} px)"
    _shoot(shoot, small, "history-detail-report-phone")
    small.goto(saved.as_uri())
    expect(small.get_by_test_id("report-caveat")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(shoot, small, "report-phone")


def test_a_video_report_served_by_the_api(desktop, phone, server, media, shoot):
    """The report of a video as a browser opens it from the API: timeline and keyframes."""
    import httpx

    with httpx.Client(base_url=server, timeout=60) as client, media["clip.avi"].open("rb") as f:
        made = client.post(
            "/api/predict/video",
            params={"frames": 8},
            files={"file": ("clip.avi", f, "video/x-msvideo")},
        )
    made.raise_for_status()
    url = f"/api/history/{made.json()['analysis_id']}/report"
    for holder, name in ((desktop, "report-video-desktop"), (phone, "report-video-phone")):
        page = holder.page
        page.goto(url)
        expect(page.get_by_test_id("report-timeline").locator("svg")).to_be_visible()
        expect(page.locator(".keyframes img").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        _shoot(shoot, page, name)
