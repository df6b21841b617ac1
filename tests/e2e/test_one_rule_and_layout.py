"""Issue 14 in the browser: one rule drawn live and from History, and the layout bugs seen
at 1280 px and on a 375 px phone (overlapping face labels, a glow that never faded, the
Grad-CAM toggle as a grey block, the paste hint, a History row that jumped on Delete)."""

from __future__ import annotations

import numpy as np
import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


def upload(page, path) -> None:
    page.locator("input[type=file]").set_input_files(str(path))


@pytest.fixture(scope="module")
def six_faces(media, tmp_path_factory):
    """The astronaut's face six times, in a 3 x 2 grid: six faces side by side."""
    from PIL import Image
    from skimage import data

    crop = np.ascontiguousarray(data.astronaut())[0:300, 120:380]
    grid = np.concatenate([np.concatenate([crop] * 3, axis=1)] * 2, axis=0)
    path = tmp_path_factory.mktemp("six") / "six.jpg"
    Image.fromarray(grid).save(path, quality=90)
    return path


def _legend(page) -> str:
    return page.get_by_test_id("rule-legend").first.inner_text()


def test_the_rule_is_drawn_the_same_live_and_from_history(desktop, media, shoot):
    page = desktop.page
    page.goto("/")
    upload(page, media["astronaut.jpg"])
    expect(page.get_by_test_id("reason")).to_be_visible()
    regions = page.locator(".scores").first.get_by_test_id("score-region")
    expect(regions.first).to_be_visible()
    live = _legend(page)
    assert "Regions of the ensemble's rule" in live and "Uncertain from" in live
    assert "threshold" not in page.locator(".scores").first.inner_text().lower()
    shoot(page, "one-rule-live")

    page.goto("/history")
    page.get_by_role("link", name="astronaut.jpg").first.click()
    expect(page.get_by_test_id("history-detail")).to_be_visible()
    assert _legend(page) == live  # the recorded rule, not a 50 % line
    expect(page.get_by_test_id("score-region").first).to_be_visible()
    shoot(page, "one-rule-history")


def test_six_face_labels_do_not_overlap(desktop, six_faces, shoot):
    page = desktop.page
    page.goto("/")
    upload(page, six_faces)
    expect(page.get_by_test_id("reason")).to_be_visible()
    labels = page.locator(".face-box__label")
    assert labels.count() >= 2
    page.wait_for_timeout(500)  # the boxes' entry animation
    rects = [labels.nth(i).bounding_box() for i in range(labels.count())]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, (a, b)
    shoot(page, "six-faces-desktop")


def test_phone_toggle_glow_and_paste_hint(phone, media, shoot):
    page = phone.page
    page.goto("/")
    expect(page.locator(".upload__paste")).to_be_hidden()  # no Ctrl+V on a phone
    upload(page, media["astronaut.jpg"])
    expect(page.get_by_test_id("reason")).to_be_visible()
    glow = page.get_by_test_id("side-glow").first
    assert glow.bounding_box()["width"] <= 16  # inside the page gutter, off the cards
    options = page.get_by_test_id("face-card").first.locator(".toggle__option")
    tops = {round(options.nth(i).bounding_box()["y"]) for i in range(options.count())}
    assert len(tops) == 1, tops  # one line, not a grey block of stacked options
    page.wait_for_function(
        "() => document.querySelector('.side-glow').getAnimations()"
        ".every(a => a.playState === 'finished')",
        timeout=8000,
    )
    assert float(glow.evaluate("e => getComputedStyle(e).opacity")) == 0  # it fades
    shoot(page, "phone-face-card")


def test_history_row_keeps_its_size_and_focus_stays_in_the_list(desktop, media, shoot):
    page = desktop.page
    for _ in range(2):
        page.goto("/")
        upload(page, media["astronaut.jpg"])
        expect(page.get_by_test_id("reason")).to_be_visible()
    page.goto("/history")
    row = page.get_by_test_id("history-row").first
    before = row.bounding_box()
    row.get_by_role("button", name="Delete", exact=False).click()
    expect(row.get_by_test_id("delete-confirm")).to_be_visible()
    assert row.bounding_box() == before
    shoot(page, "history-confirm-delete")
    # The page refills from the next page, so the row count may not change: the deleted
    # analysis's link must be gone instead.
    deleted = row.locator("a.history__name").get_attribute("href")
    row.get_by_role("button", name="Confirm delete", exact=False).click()
    expect(page.locator(f'a.history__name[href="{deleted}"]')).to_have_count(0)
    focused = page.evaluate("() => document.activeElement?.className")
    assert focused == "history__name", focused


def test_a_video_error_names_the_users_file(desktop, tmp_path):
    bad = tmp_path / "my notes.mp4"
    bad.write_bytes(b"this is no video\n" * 50)
    page = desktop.page
    page.goto("/video")
    upload(page, bad)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We could not read “my notes.mp4”.")
    expect(alert).not_to_contain_text("faceproof-")
