"""The Video screen: a job with a real progress bar, then the timeline and keyframes."""

from __future__ import annotations

import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


# every value the progress bar shows, recorded in the page as it changes
RECORD_PROGRESS = """() => {
  window.__progress = []
  new MutationObserver(() => {
    const bar = document.querySelector('[role=progressbar]')
    const value = bar && bar.getAttribute('aria-valuenow')
    if (value !== null && value !== undefined && window.__progress.at(-1) !== Number(value))
      window.__progress.push(Number(value))
  }).observe(document.body, { subtree: true, childList: true, attributes: true })
}"""


def test_video_progress_reaches_100_then_the_timeline(desktop, media, shoot):
    page = desktop.page
    page.goto("/video")
    page.evaluate(RECORD_PROGRESS)
    page.get_by_label("Frames to sample").fill("40")
    page.locator("input[type=file]").set_input_files(str(media["clip.avi"]))
    expect(page.get_by_role("progressbar")).to_be_visible()

    verdict = page.get_by_role("status")
    expect(verdict).to_have_attribute("data-verdict", "FAKE", timeout=60_000)
    expect(verdict).to_contain_text("FAKE · 64 % likely fake")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator(".progress__value")).to_have_text("100 %")
    seen = page.evaluate("() => window.__progress")
    assert seen[-1] == 100
    assert seen == sorted(seen), seen  # it only moves forward

    expect(page.get_by_test_id("timeline")).to_be_visible()
    expect(page.get_by_test_id("timeline-region").first).to_be_visible()  # the rule's regions
    assert page.locator(".timeline__dot").count() >= 10
    expect(page.get_by_test_id("keyframe").first).to_be_visible()
    expect(page.get_by_test_id("reason")).to_contain_text("sampled frames show a face")
    expect(page.get_by_test_id("side-glow")).to_have_attribute("data-side", "left")
    page.wait_for_timeout(2300)
    shoot(page, "video-desktop")


def test_video_on_a_phone(phone, media, shoot):
    page = phone.page
    page.goto("/video")
    page.locator("input[type=file]").set_input_files(str(media["clip.avi"]))
    expect(page.get_by_role("status")).to_have_attribute("data-verdict", "FAKE", timeout=60_000)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.wait_for_timeout(2300)
    shoot(page, "video-phone")
