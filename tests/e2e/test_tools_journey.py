"""Shipping a tool: build it in the form, see its JSON, attach it in the Editor, force it on a model that
accepts forced tool use (the one that refuses says so and offers structured output), answer the call
with a tool_result and read the final answer."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle


def _type(page, selector: str, text: str, commit: str = "Enter") -> None:
    field = page.locator(selector)
    field.fill(text)
    field.press(commit)
    wait_for_app_idle(page)


def _go(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app_idle(page)


def _pick(page, key: str, option: re.Pattern) -> None:
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=option).click()
    wait_for_app_idle(page)


def test_build_attach_force_answer_and_read_the_final_answer(page, app_url, artifacts_dir):
    page.goto(app_url)
    wait_for_app_idle(page)
    page.locator(".st-key-editor_new button").first.click()  # a fresh prompt, whatever the last journey left
    wait_for_app_idle(page)

    _go(page, "Tools")
    expect(page.get_by_role("heading", name="Tools")).to_be_visible()
    _type(page, ".st-key-tools_b_f_name input", "get_weather")
    _type(page, ".st-key-tools_b_f_description textarea",
          "Get the current weather in a given city, with temperature and conditions.", "Control+Enter")
    expect(page.get_by_text("Valid: the API accepts this tool.")).to_be_visible()  # named and described
    page.locator(".st-key-tools_b_p__add button").first.click()
    wait_for_app_idle(page)
    expect(page.locator(".st-key-tools_b_p_param_1_name input")).to_have_value("param_1")
    _type(page, ".st-key-tools_b_p_param_1_name input", "city")
    expect(page.locator(".st-key-tools_b_p_city_name input")).to_have_value("city")
    _type(page, ".st-key-tools_b_p_city_description input", "City name, e.g. Paris")
    expect(page.get_by_text("Valid: the API accepts this tool.")).to_be_visible()

    page.get_by_role("tab", name="JSON").first.click()
    json_view = page.locator(".st-key-tools_b_json textarea")
    expect(json_view).to_have_value(re.compile(r'"name": "get_weather"'))
    expect(json_view).to_have_value(re.compile(r'"required": \[\s*"city"\s*\]'))
    page.locator(".st-key-tools_attach button").first.click()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"Attached get_weather in the Editor's prompt"))).to_be_visible()
    page.mouse.move(0, 0)
    page.screenshot(path=str(artifacts_dir / "tools-built.png"), full_page=True)

    _go(page, "Editor")
    expect(page.locator(".st-key-editor_tool_0")).to_contain_text("get_weather")
    # The new prompt is on the newest Sonnet, which refuses forced tool use: said, with the way it accepts.
    expect(page.get_by_text(re.compile("refuses forced tool use"))).to_be_visible()
    expect(page.locator(".st-key-editor_structured_instead button").first).to_be_visible()

    _pick(page, "editor_model", re.compile(r"^Claude Haiku 4\.5 ·"))
    _pick(page, "editor_tool_choice", re.compile(r"get_weather.*\(forced\)"))
    _type(page, ".st-key-editor_turn_0_text textarea", "What's the weather in Paris?", "Control+Enter")
    page.locator(".st-key-editor_run button").first.click()
    result_box = page.locator(".st-key-editor_tool_result_0_content textarea")
    expect(result_box).to_be_visible()
    result_box.fill('{"temperature_c": 18, "conditions": "sunny"}')
    page.locator(".st-key-editor_send_tool_results button").first.click()
    expect(page.get_by_text(re.compile(r'The tool result says: .*temperature_c'))).to_be_visible()
    expect(page.get_by_text(re.compile("back to auto"))).to_be_visible()
    wait_for_app_idle(page)
    page.mouse.move(0, 0)
    page.screenshot(path=str(artifacts_dir / "editor-final-answer.png"), full_page=True)

    # The app (and its autosaved draft) is shared with the other journeys: leave a fresh prompt behind.
    page.locator(".st-key-editor_new button").first.click()
    wait_for_app_idle(page)
    expect(page.locator(".st-key-editor_turn_0_text textarea")).to_have_value("")
