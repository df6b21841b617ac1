"""The Batch screen: three files, one broken; summary, cards, sorting, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

# skipped, not failed, where Playwright is not installed (make e2e installs it)
expect = pytest.importorskip("playwright.sync_api").expect


def run_batch(page, media) -> None:
    page.goto("/batch")
    page.locator("input[type=file]").set_input_files(
        [str(media["astronaut.jpg"]), str(media["broken.jpg"]), str(media["astronaut-copy.png"])]
    )
    expect(page.get_by_test_id("batch-summary")).to_be_visible()


def test_a_batch_of_three_with_one_broken_file(desktop, media, shoot, tmp_path):
    page = desktop.page
    run_batch(page, media)
    summary = page.get_by_test_id("batch-summary")
    expect(summary.get_by_test_id("summary-total")).to_contain_text("3")
    expect(summary.get_by_test_id("summary-fake")).to_contain_text("2")
    expect(summary.get_by_test_id("summary-real")).to_contain_text("0")
    expect(summary.get_by_test_id("summary-no-face")).to_contain_text("0")
    expect(summary.get_by_test_id("summary-failed")).to_contain_text("1")

    cards = page.get_by_test_id("batch-card")
    expect(cards).to_have_count(3)
    assert [c.get_attribute("data-state") for c in cards.all()] == ["fake", "failed", "fake"]
    failed = cards.nth(1)
    expect(failed).to_contain_text("broken.jpg")
    expect(failed.get_by_test_id("batch-error")).to_contain_text(
        "This file is not an image we can read."
    )
    expect(cards.nth(0)).to_contain_text("64 % likely fake")
    shoot(page, "batch-desktop")

    page.get_by_test_id("sort").select_option("name")
    expect(cards.first).to_contain_text("astronaut-copy.png")
    page.get_by_test_id("sort").select_option("fake-first")
    expect(cards.last).to_contain_text("broken.jpg")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    target = tmp_path / "batch.csv"
    download.value.save_as(target)
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["filename"], r["status"], r["prediction"]) for r in rows] == [
        ("astronaut.jpg", "ok", "FAKE"),
        ("broken.jpg", "failed", ""),
        ("astronaut-copy.png", "ok", "FAKE"),
    ]
    assert rows[1]["error_code"] == "undecodable_image"

    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    target = tmp_path / "batch.json"
    download.value.save_as(target)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["summary"]["total"] == 3
    assert exported["errors"][0]["filename"] == "broken.jpg"
    assert "thumbnail" not in exported["results"][0]["faces"][0]


def test_batch_on_a_phone(phone, media, shoot):
    page = phone.page
    run_batch(page, media)
    expect(page.get_by_test_id("batch-card")).to_have_count(3)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    shoot(page, "batch-phone")


def test_the_service_refuses_a_file_over_the_limit_in_plain_words(desktop, media):
    page = desktop.page
    page.goto("/batch")
    page.locator("input[type=file]").set_input_files(
        [str(media["huge.jpg"]), str(media["astronaut.jpg"])]
    )
    expect(page.get_by_test_id("summary-failed")).to_contain_text("1")
    failed = page.locator('[data-testid="batch-card"][data-state="failed"]')
    expect(failed).to_contain_text("huge.jpg")
    expect(failed.get_by_test_id("batch-error")).to_contain_text("This file is too large.")
    expect(failed.get_by_test_id("batch-error")).to_contain_text("The limit is 2 MB per image.")
