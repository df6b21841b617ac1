"""The Models screen, and the frame of every screen on a phone."""

from __future__ import annotations

import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


def test_models_show_their_cards_and_figures(desktop, shoot):
    page = desktop.page
    page.goto("/models")
    cards = page.get_by_test_id("model-card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first.get_by_role("heading", name="fake_a")).to_be_visible()
    expect(first).to_contain_text("efficientnet_lite0")
    expect(first).to_contain_text("ROC-AUC")
    expect(first).to_contain_text("0.9120")
    expect(first).to_contain_text("Training data")
    figures = first.locator(".report img")
    expect(figures).to_have_count(2)
    for figure in figures.all():
        figure.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=figure.element_handle()
        )
    first.get_by_text("Model card").click()
    expect(first.locator(".markdown")).to_contain_text("tiny test model")
    shoot(page, "models-desktop")


@pytest.mark.parametrize("path", ["/", "/batch", "/video", "/history", "/models"])
def test_every_screen_fits_a_phone(phone, path, shoot):
    page = phone.page
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    nav = page.get_by_role("navigation", name="Main")
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, link.text_content()
    if path == "/models":
        shoot(page, "models-phone")
