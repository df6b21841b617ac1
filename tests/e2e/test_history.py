"""The History screen: past analyses, filtered, opened, deleted."""

from __future__ import annotations

import re

import httpx
import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def analyses(server, media) -> None:
    """An image and a video analysed, whatever ran before."""
    with httpx.Client(base_url=server, timeout=60) as client:
        with media["astronaut.jpg"].open("rb") as f:
            client.post(
                "/api/predict",
                files={"file": ("astronaut.jpg", f, "image/jpeg")},
                data={"models": "real_c"},
            ).raise_for_status()
        with media["clip.avi"].open("rb") as f:
            client.post(
                "/api/predict/video",
                params={"frames": 8},
                files={"file": ("clip.avi", f, "video/x-msvideo")},
            ).raise_for_status()


def test_history_lists_filters_opens_and_deletes(desktop, analyses, shoot):
    page = desktop.page
    page.goto("/history")
    rows = page.get_by_test_id("history-row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("history-list")).to_contain_text("clip.avi")
    expect(page.get_by_test_id("history-list")).to_contain_text("astronaut.jpg")
    shoot(page, "history-desktop")

    page.get_by_role("button", name="Real", exact=True).click()
    expect(page).to_have_url(re.compile(r"/history\?verdict=REAL$"))
    # once the list is reloaded, it holds only REAL verdicts
    expect(page.locator('[data-testid="history-list"][aria-busy="false"]')).to_be_visible()
    expect(rows.locator(".badge").first).to_have_text("Real")
    expect(rows.locator(".badge:not(.badge--real)")).to_have_count(0)

    page.get_by_role("button", name="Fake", exact=True).click()
    page.get_by_role("link", name="clip.avi").first.click()
    detail = page.get_by_test_id("history-detail")
    expect(detail.get_by_role("heading", name="clip.avi")).to_be_visible()
    expect(detail.get_by_role("status")).to_contain_text("FAKE · 64 % likely fake")
    expect(detail.get_by_test_id("timeline")).to_be_visible()
    page.wait_for_timeout(600)  # the verdict fades in
    shoot(page, "history-detail-desktop")

    # a reload on the detail page works: the backend answers index.html for app routes
    page.reload()
    expect(page.get_by_test_id("history-detail")).to_be_visible()
    before = page.url
    page.get_by_role("button", name="Delete clip.avi").click()
    page.get_by_role("button", name="Confirm delete clip.avi").click()
    expect(page).to_have_url(re.compile(r"/history$"))
    analysis_id = before.rsplit("/", 1)[-1]
    expect(page.locator(f'a[href="/history/{analysis_id}"]')).to_have_count(0)


def test_history_on_a_phone(phone, analyses, shoot):
    page = phone.page
    page.goto("/history")
    expect(page.get_by_test_id("history-row").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    shoot(page, "history-phone")
