"""Run in the Editor, reload and see the reply, open Usage, filter, see the charts, open the call in the Editor."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from streamlit_page import start_app, stop_app, wait_for_app_idle, wait_until_started

PROMPT = "Describe a lighthouse for {{reader}}."
SENT = 'You wrote: "Describe a lighthouse for sailors."'


def _commit(locator, text: str) -> None:
    locator.fill(text)
    locator.press("Control+Enter")


def _metric_value(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_run_reload_usage_filter_and_open_in_editor(browser, tmp_path, artifacts_dir):
    process, url = start_app(tmp_path / "home", tmp_path / "streamlit.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(30_000)
        page.goto(url)
        wait_until_started(page)  # a cold server draws the Editor first, then loads and draws it again
        turn = page.locator(".st-key-editor_turn_0_text textarea")
        _commit(turn, PROMPT)
        variable = page.locator(".st-key-editor_var_reader textarea")
        _commit(variable, "sailors")
        wait_for_app_idle(page)
        page.locator(".st-key-editor_run button").first.click()
        expect(page.get_by_text(SENT)).to_be_visible()
        wait_for_app_idle(page)

        # A reload is a new session: the tab's draft and the call log bring the reply back.
        assert "draft=" in page.url
        page.reload()
        wait_for_app_idle(page)
        expect(turn).to_have_value(PROMPT)
        expect(page.get_by_text(SENT)).to_be_visible()

        # Start a different prompt, so opening the logged call visibly restores the old one.
        page.locator(".st-key-editor_new button").first.click()
        expect(turn).to_have_value("")
        wait_for_app_idle(page)

        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Usage").click()
        wait_for_app_idle(page)
        expect(_metric_value(page, "Calls")).to_have_text("1")
        expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)  # Plotly loads lazily
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3)  # no errors: a sentence instead

        # Filter to an outcome no call has, then back to every outcome.
        outcome = page.locator(".st-key-usage_outcomes")
        outcome.click()
        page.get_by_role("option", name="error", exact=True).click()
        page.keyboard.press("Escape")
        expect(page.get_by_text("No calls match these filters")).to_be_visible()
        outcome.get_by_role("button", name=re.compile("Clear all", re.I)).click()
        wait_for_app_idle(page)
        expect(_metric_value(page, "Calls")).to_have_text("1")
        page.screenshot(path=str(artifacts_dir / "usage-page.png"), full_page=True)

        # Pick the call's row (the grid is a canvas: its row-selection column is at the left edge).
        grid = page.locator(".st-key-usage_calls")
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 14, box["y"] + 35 + 18)
        open_button = page.locator(".st-key-usage_open button").first
        expect(open_button).to_be_visible()
        open_button.click()
        wait_for_app_idle(page)
        expect(turn).to_have_value(PROMPT)
        expect(variable).to_have_value("sailors")
        expect(page.get_by_text(re.compile(r"Opened call \d+"))).to_be_visible()
        expect(page.get_by_text(SENT)).to_be_visible()
        page.close()
    finally:
        stop_app(process)
