"""What the Editor shows is what is sent: the JSON tab stays open after a notice, max_tokens shows the
value that is sent, and prices read the same everywhere."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle


def test_editing_request_json_after_a_notice_stays_on_the_json_tab(page, app_url):
    page.goto(app_url)
    wait_for_app_idle(page)
    page.locator(".st-key-editor_new button").first.click()
    wait_for_app_idle(page)
    json_tab = page.get_by_role("tab", name="Request JSON")
    json_tab.click()  # a rerun (the tabs are stateful): its copy of the JSON must land before we type
    wait_for_app_idle(page)
    raw = page.locator(".st-key-editor_raw_json textarea")
    expect(raw).to_have_value(re.compile('"max_tokens": 1024'))
    raw.fill(raw.input_value().replace('"max_tokens": 1024', '"max_tokens": 100'))
    raw.press("Control+Enter")  # commits the text: a rerun, on which the notice is gone
    wait_for_app_idle(page)
    expect(json_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator(".st-key-editor_apply_json button")).to_be_visible()
    page.locator(".st-key-editor_apply_json button").click()
    wait_for_app_idle(page)
    page.get_by_role("tab", name="Prompt").click()
    expect(page.locator(".st-key-editor_max_tokens input")).to_have_value("100")


def test_max_tokens_above_the_limit_shows_what_is_sent(page, app_url):
    page.goto(app_url)
    wait_for_app_idle(page)
    page.locator(".st-key-editor_new button").first.click()
    wait_for_app_idle(page)
    box = page.locator(".st-key-editor_max_tokens input")
    box.fill("200000")
    box.press("Enter")
    wait_for_app_idle(page)
    expect(box).to_have_value("128000")  # the newest Sonnet writes at most 128,000 tokens
    expect(page.get_by_text("at max_tokens (128,000 output tokens)")).to_be_visible()
