"""A click on the Editor while a reply streams does not cut the call off: the click applies at once,
the reply is read to its end and shown, and the call is logged with its real usage (it used to be
logged as cancelled with 1 output token, the reply gone). "Stop reply" still cuts it off."""
from __future__ import annotations

import re
import time

import pytest

from streamlit_page import E2E_TIMEOUT_MS, start_app, stop_app, use_e2e_timeouts, wait_until_started
from workbench.usage_log import UsageLog

pytestmark = pytest.mark.e2e

PROMPT = "Describe a lighthouse keeper's morning in detail."


def _editor_calls(home) -> list:
    return UsageLog(home / "calls.db").recent(20, source="editor")


def _wait_until_logged(home) -> None:
    deadline = time.monotonic() + E2E_TIMEOUT_MS / 1000
    while _editor_calls(home)[0].status == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)


def _start_a_slow_reply(browser, url):
    """The Editor with a run streaming (a slow simulator: the reply takes seconds), then a click on
    the settings panel mid-reply; returns (context, page, settings panel)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    use_e2e_timeouts(page)
    page.goto(url)
    wait_until_started(page)
    box = page.locator(".st-key-editor_turn_0_text textarea")
    box.fill(PROMPT)
    box.press("Control+Enter")
    run = page.locator(".st-key-editor_run button").first
    expect(run).to_be_enabled()
    run.click()
    expect(page.get_by_text("Streaming…")).to_be_visible()
    settings = page.get_by_test_id("stExpander").filter(has_text="Thinking, effort, stop sequences")
    settings.locator("summary").click()
    return context, page, settings


def test_a_click_while_the_reply_streams_applies_and_the_call_is_read_and_logged_whole(browser, tmp_path):
    from playwright.sync_api import expect

    home = tmp_path / "home"
    process, url = start_app(home, tmp_path / "streamlit.log", {"WORKBENCH_SIMULATOR_SPEED": "0.1"})
    try:
        context, page, settings = _start_a_slow_reply(browser, url)
        assert _editor_calls(home)[0].status == "pending"  # the click landed mid-call
        expect(settings.get_by_text("Stop sequences").first).to_be_visible()  # the click applied at once
        expect(page.get_by_text("The reply is still arriving")).to_be_visible()
        expect(page.get_by_text(re.compile(r"end_turn"))).to_be_visible()  # then the reply, whole
        expect(page.get_by_text(PROMPT[:30]).first).to_be_visible()
        _wait_until_logged(home)
        call = _editor_calls(home)[0]
        context.close()
    finally:
        stop_app(process)
    assert (call.status, call.error_type, call.stop_reason) == ("completed", None, "end_turn")
    assert call.output_tokens > 20 and call.cost_usd and call.cost_usd > 0
    assert len(_editor_calls(home)) == 1  # one call: the click did not run it again


def test_stop_reply_cuts_the_call_off_and_logs_it_as_cancelled(browser, tmp_path):
    from playwright.sync_api import expect

    home = tmp_path / "home"
    process, url = start_app(home, tmp_path / "streamlit.log", {"WORKBENCH_SIMULATOR_SPEED": "0.05"})
    try:
        context, page, _settings = _start_a_slow_reply(browser, url)
        page.get_by_role("button", name="Stop reply").click()
        expect(page.get_by_text("The reply is still arriving")).to_have_count(0)
        expect(page.locator(".st-key-editor_run button").first).to_be_enabled()
        _wait_until_logged(home)
        call = _editor_calls(home)[0]
        context.close()
    finally:
        stop_app(process)
    assert (call.status, call.error_type) == ("completed", "cancelled")
    assert call.stop_reason is None
