"""The Analyze screen: a face photo in, the verdict, its side of the screen, the errors."""

from __future__ import annotations

import base64
import re

import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


# the verdict of the test bundles for the astronaut: mean of 0.982, 0.881 and 0.047; the
# one number shown is the probability that the face is fake
FAKE_HEADLINE = "FAKE · 64 % likely fake"

RECTS = """() => Object.fromEntries(['upload-area', 'preview', 'verdict'].map(id => {
  const r = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect()
  return [id, [r.x, r.y, r.width, r.height].map(Math.round)]
}))"""

GLOW_STYLE = """() => {
  const s = getComputedStyle(document.querySelector('.side-glow'))
  return [s.animationName, s.opacity]
}"""

WATCH_SHIFTS = """() => {
  window.__shifts = []
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value)
  }).observe({ type: 'layout-shift' })
}"""


def upload(page, path) -> None:
    page.locator("input[type=file]").set_input_files(str(path))


def test_face_photo_gives_a_verdict_and_flashes_the_left_side(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Is this face real?")
    expect(page.get_by_test_id("side-glow")).to_have_count(0)  # neutral before a result
    shoot(page, "analyze-desktop-empty")

    held = []  # hold the answer back to look at the page while it is analysing
    page.route("**/api/predict/stream", lambda route: held.append(route))
    upload(page, media["astronaut.jpg"])
    verdict = page.get_by_role("status")
    expect(verdict).to_contain_text("Analysing")
    expect(verdict).to_have_attribute("aria-live", "polite")
    page.wait_for_function("() => document.querySelector('.preview__inner img')?.complete")
    while not held:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # let the preview settle
    before = page.evaluate(RECTS)
    page.evaluate(WATCH_SHIFTS)
    held[0].continue_()

    expect(verdict).to_have_attribute("data-verdict", "FAKE")
    expect(verdict).to_contain_text(FAKE_HEADLINE)
    glow = page.get_by_test_id("side-glow")
    expect(glow).to_have_count(1)
    expect(glow).to_have_attribute("data-side", "left")
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.side-glow')).animationName")
        == "flash-warning"
    )
    page.wait_for_timeout(250)
    shoot(page, "analyze-desktop-fake-flash", full=False)
    box = glow.bounding_box()
    assert box["x"] == 0 and box["height"] == 900 and box["width"] >= 36

    # the result moved nothing that was already on the screen
    page.wait_for_timeout(600)
    assert page.evaluate(RECTS) == before
    assert page.evaluate("() => window.__shifts.reduce((a, b) => a + b, 0)") < 0.01

    expect(page.get_by_test_id("face-box")).to_have_count(1)
    expect(page.get_by_test_id("score-bar")).to_have_count(4)  # three models and their mean
    expect(page.get_by_test_id("reason")).to_contain_text("1 face found")
    card = page.get_by_test_id("face-card")
    expect(card).to_have_count(1)
    card.get_by_role("button", name="fake_a").click()
    heatmap = page.get_by_test_id("heatmap")
    expect(heatmap).to_be_visible()
    assert heatmap.evaluate("img => img.naturalWidth") == 160

    # the flash fades away once given (issue 14: it never faded)
    page.wait_for_function(
        "() => document.querySelector('.side-glow').getAnimations()"
        ".every(a => a.playState === 'finished')",
        timeout=8000,
    )
    opacity = float(
        page.evaluate("() => getComputedStyle(document.querySelector('.side-glow')).opacity")
    )
    assert opacity == 0
    shoot(page, "analyze-desktop-fake-settled")


def test_face_photo_on_a_phone(phone, media, shoot):
    page = phone.page
    page.goto("/")
    shoot(page, "analyze-phone-empty")
    upload(page, media["astronaut.jpg"])
    verdict = page.get_by_role("status")
    expect(verdict).to_contain_text(FAKE_HEADLINE)
    page.wait_for_timeout(300)
    shoot(page, "analyze-phone-fake-flash", full=False)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    box = page.get_by_test_id("side-glow").bounding_box()
    assert box["x"] == 0
    page.wait_for_timeout(2200)
    shoot(page, "analyze-phone-fake-settled")


def test_a_real_verdict_glows_on_the_right(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    page.get_by_text("Options").click()
    page.get_by_role("checkbox", name="fake_a").uncheck()
    page.get_by_role("checkbox", name="fake_b").uncheck()
    upload(page, media["astronaut.jpg"])
    verdict = page.get_by_role("status")
    expect(verdict).to_have_attribute("data-verdict", "REAL")
    expect(verdict).to_contain_text("REAL · 5 % likely fake")  # real_c alone: 0.047
    glow = page.get_by_test_id("side-glow")
    expect(glow).to_have_attribute("data-side", "right")
    box = glow.bounding_box()
    assert box["x"] + box["width"] == 1280
    page.wait_for_timeout(700)
    shoot(page, "analyze-desktop-real-glow", full=False)


def test_an_image_without_a_face_gives_no_verdict(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    upload(page, media["grey.png"])
    verdict = page.get_by_role("status")
    expect(verdict).to_have_attribute("data-verdict", "NO_FACE")
    expect(verdict).to_have_text(re.compile(r"^NO VERDICT · no face found"))
    expect(verdict).not_to_contain_text("%")
    expect(page.get_by_test_id("reason")).to_contain_text(
        "No face was found (faces smaller than 40 pixels are not looked for). The models judge "
        "faces only, so there is no verdict for this image."
    )
    expect(page.get_by_test_id("no-face-hint")).to_contain_text("tight crop of a face")
    expect(page.get_by_test_id("face-box")).to_have_count(0)
    expect(page.get_by_test_id("face-card")).to_have_count(0)
    # no verdict, no signal: no flash, no glow, not even after the animations would have run
    page.wait_for_timeout(600)
    expect(page.locator(".side-glow")).to_have_count(0)
    expect(page.get_by_test_id("side-glow")).to_have_count(0)
    shoot(page, "analyze-desktop-no-face")

    page.get_by_role("link", name="History", exact=True).click()
    row = page.get_by_test_id("history-row").filter(has_text="grey.png").first
    expect(row.locator(".badge")).to_have_text("No face found")
    expect(row.locator(".badge")).to_have_class(re.compile(r"badge--no-face"))
    expect(row).not_to_contain_text("%")
    page.get_by_role("button", name="No face", exact=True).click()
    expect(page).to_have_url(re.compile(r"/history\?verdict=NO_FACE$"))
    expect(page.locator('[data-testid="history-list"][aria-busy="false"]')).to_be_visible()
    expect(page.get_by_test_id("history-list")).to_contain_text("grey.png")
    expect(page.get_by_test_id("history-row").locator(".badge:not(.badge--no-face)")).to_have_count(
        0
    )


def test_the_whole_image_is_scored_when_asked(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    page.get_by_text("Options").click()
    page.get_by_role("checkbox", name=re.compile("If no face is found, score the whole")).check()
    upload(page, media["landscape.jpg"])
    expect(page.get_by_test_id("no-face")).to_have_text(
        "No face found — the whole image was scored as a face, as asked."
    )
    expect(page.get_by_role("status")).to_contain_text(FAKE_HEADLINE)
    expect(page.get_by_test_id("face-box")).to_have_count(0)
    expect(page.get_by_text("Whole image", exact=True)).to_be_visible()
    page.wait_for_timeout(600)  # the verdict fades in
    shoot(page, "analyze-desktop-whole-image")


def test_an_oversized_file_shows_the_error(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    expect(page.get_by_text(re.compile(r"up to 2 MB"))).to_be_visible()
    upload(page, media["huge.jpg"])
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“huge.jpg” is too large.")  # names the file
    expect(alert).to_contain_text("The limit is 2 MB per image.")
    expect(page.get_by_role("status")).to_have_count(0)
    shoot(page, "analyze-desktop-too-large")


def test_a_file_that_is_not_an_image(phone, media, shoot):
    page = phone.page
    page.goto("/")
    upload(page, media["broken.jpg"])
    expect(page.get_by_role("alert")).to_contain_text(
        "“broken.jpg” is not an image we can read."
    )  # names the file
    shoot(page, "analyze-phone-not-an-image")


def test_network_failure_offers_a_retry(desktop, media):
    page = desktop.page
    page.goto("/")
    page.route("**/api/predict/stream", lambda route: route.abort("internetdisconnected"))
    upload(page, media["astronaut.jpg"])
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Cannot reach the FaceProof service.")
    page.unroute("**/api/predict/stream")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("status")).to_contain_text(FAKE_HEADLINE)
    desktop.errors.clear()  # the failed request was logged on purpose


def test_reduced_motion_shows_the_settled_tint_at_once(reduced_motion, media):
    page = reduced_motion.page
    page.goto("/")
    upload(page, media["astronaut.jpg"])
    expect(page.get_by_role("status")).to_contain_text(FAKE_HEADLINE)
    style = page.evaluate(GLOW_STYLE)
    assert style[0] == "none"
    assert abs(float(style[1]) - 0.35) < 0.01


DROP = """async ([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0))
  const data = new DataTransfer()
  data.items.add(new File([bytes], name, { type: 'image/jpeg' }))
  const zone = document.querySelector('[data-testid="upload-area"]')
  for (const type of ['dragenter', 'dragover', 'drop'])
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
}"""


def test_a_dropped_photo_is_analysed(desktop, media):
    page = desktop.page
    page.goto("/")
    payload = base64.b64encode(media["astronaut.jpg"].read_bytes()).decode()
    page.evaluate(DROP, [payload, "dropped.jpg"])
    expect(page.get_by_role("status")).to_contain_text(FAKE_HEADLINE)
    expect(page.get_by_text("dropped.jpg")).to_be_visible()
