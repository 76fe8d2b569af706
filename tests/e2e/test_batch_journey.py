"""A large evaluation at half price: a case matrix submitted as a Message Batch, its progress
followed, the page reloaded, and the results found in the same grid a live run fills."""
from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle
from test_compare_journey import CASES_CSV, _pick_models, _save_prompt_file, _set_number


def _open_compare(page, app_url) -> None:
    page.goto(app_url)
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible()


def test_submit_a_batch_see_progress_reload_and_see_results(page, app_url, app_home, artifacts_dir, tmp_path):
    _save_prompt_file(app_home)
    _open_compare(page, app_url)
    page.locator(".st-key-compare_prompt_source").get_by_text("A saved prompt file").click()
    wait_for_app_idle(page)
    _pick_models(page, ["Claude Haiku 4.5", "Claude Sonnet 5.5"])
    page.keyboard.press("Escape")
    wait_for_app_idle(page)

    page.get_by_role("tab", name="Test cases").click()
    # The tab switch reruns the page; until it ends, a busy machine can show the uploader twice
    # (the old run's and the new one's), and the upload below would match both.
    wait_for_app_idle(page)
    cases_file = tmp_path / "cases.csv"
    cases_file.write_text(CASES_CSV)
    page.locator(".st-key-compare_cases_upload input[type=file]").set_input_files(str(cases_file))
    expect(page.get_by_text("Loaded 3 cases from cases.csv.")).to_be_visible()
    wait_for_app_idle(page)
    _set_number(page, "compare_batch_repeats_input", 2)
    expect(page.get_by_text(re.compile(r"12 requests \(3 cases × 2 models × 2 repeats\)\. "
                                       r"Projected cost at batch prices"))).to_be_visible()
    page.locator(".st-key-compare_run_batch button").click()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"Submitted batch msgbatch_\w+ \(12 requests\)"))).to_be_visible()

    # In simulated time the batch takes a few seconds: its progress bar shows while it runs.
    page.get_by_role("tab", name="Batches").click()
    progress = page.get_by_test_id("stProgress").filter(has_text=re.compile(r"of 12 done"))
    expect(progress.first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "batch-in-progress.png"), full_page=True)

    # Close the page (a reload is a new session): the batch is found again in the call log.
    page.reload()
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    page.get_by_role("tab", name="Batches").click()
    expect(page.get_by_test_id("stProgress").filter(has_text="12 of 12 done · 12 succeeded").first).to_be_visible()
    results = page.locator(".st-key-compare_batch_results")
    if not results.is_visible():
        page.get_by_role("button", name="Show results").first.click()
        wait_for_app_idle(page)
    expect(results.get_by_test_id("stDataFrame")).to_be_visible()
    expect(results.get_by_text(re.compile(r"12 requests at batch prices \(50% off\); 12 succeeded"))).to_be_visible()
    expect(results.get_by_text("per passing answer").first).to_be_visible()

    with page.expect_download() as download_info:
        results.locator(".st-key-compare_batch_download_grid button").click()
    grid_path = tmp_path / "batch-grid.csv"
    download_info.value.save_as(grid_path)
    rows = list(csv.DictReader(io.StringIO(grid_path.read_text())))
    assert len(rows) == 12
    assert {row["model"] for row in rows} == {"claude-haiku-4-5", "claude-sonnet-5-5"}
    assert [row["passed"] for row in rows if row["case"] == "2"] == ["False"] * 4  # no reply is all digits
    assert all(row["passed"] == "True" for row in rows if row["case"] in ("1", "3"))
    assert sorted((row["case"], row["model"], row["repeat"]) for row in rows) == sorted(
        (case, model, repeat) for case in "123" for model in ("claude-haiku-4-5", "claude-sonnet-5-5") for repeat in "12")

    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 1800})
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts_dir / "batch-results.png"), full_page=True)
