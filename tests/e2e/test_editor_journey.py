"""A person's first session: write a prompt with a variable, see tokens and cost, run, reload, save, reopen."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle

PROMPT = "Write a short poem about {{topic}}."


def _commit(locator, text: str) -> None:
    """Type into a text area and commit it (Streamlit text areas commit on Ctrl+Enter or blur)."""
    locator.fill(text)
    locator.press("Control+Enter")


def _metric_value(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_write_count_run_save_and_reopen_a_prompt(page, app_url, app_home, artifacts_dir):
    page.goto(app_url)
    wait_for_app_idle(page)

    turn = page.locator(".st-key-editor_turn_0_text textarea")
    _commit(turn, PROMPT)
    variable = page.locator(".st-key-editor_var_topic textarea")
    expect(variable).to_be_visible()
    _commit(variable, "the sea")
    wait_for_app_idle(page)

    # Exact count (no "≈") from count_tokens, and the projected cost of one call.
    expect(_metric_value(page, "Input tokens")).to_have_text(re.compile(r"^\d[\d,]*$"))
    expect(page.get_by_role("table").filter(has_text="Batch")).to_contain_text("$")

    page.locator(".st-key-editor_run button").first.click()
    expect(page.get_by_text('You wrote: "Write a short poem about the sea."')).to_be_visible()
    metrics = page.get_by_role("table").filter(has_text="Time to first token")
    expect(metrics).to_contain_text(re.compile(r"\d+ ms|\d\.\d\d s"))
    expect(page.get_by_text("stop_reason")).to_be_visible()
    wait_for_app_idle(page)

    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 1500})
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts_dir / "editor-finished-run.png"))

    # A reload is a new session, and it starts from the autosaved draft: nothing typed is lost,
    # though nothing was saved yet.
    assert not (app_home / "prompts" / "sea-poem.prompt.json").exists()
    page.reload()
    wait_for_app_idle(page)
    expect(turn).to_have_value(PROMPT)
    expect(variable).to_have_value("the sea")
    expect(_metric_value(page, "Input tokens")).to_have_text(re.compile(r"^\d[\d,]*$"))

    name = page.locator(".st-key-editor_prompt_name input")
    name.fill("Sea poem")
    name.press("Enter")
    wait_for_app_idle(page)
    page.locator(".st-key-editor_save button").first.click()
    expect(page.get_by_text("Saved as")).to_be_visible()
    assert (app_home / "prompts" / "sea-poem.prompt.json").is_file()

    # After another reload the prompt (now named) is still there; New starts a fresh one, which is
    # what the next reload shows, and the saved prompt is listed to open.
    page.reload()
    wait_for_app_idle(page)
    expect(turn).to_have_value(PROMPT)
    expect(name).to_have_value("Sea poem")
    page.locator(".st-key-editor_new button").first.click()
    expect(turn).to_have_value("")
    wait_for_app_idle(page)
    page.reload()
    wait_for_app_idle(page)
    expect(turn).to_have_value("")
    expect(name).to_have_value("untitled")
    page.get_by_test_id("stPopover").get_by_role("button").first.click()
    expect(page.get_by_role("combobox", name="Saved prompts")).to_have_value("sea-poem.prompt.json")
    page.locator(".st-key-editor_open button").first.click()
    expect(turn).to_have_value(PROMPT)
    expect(variable).to_have_value("the sea")


def test_the_prompt_and_the_sidebar_survive_page_switches(page, app_url):
    page.goto(app_url)
    wait_for_app_idle(page)
    turn = page.locator(".st-key-editor_turn_0_text textarea")
    _commit(turn, "Still here after visiting other pages")
    wait_for_app_idle(page)
    navigation = page.get_by_test_id("stSidebarNav")
    for title in ("Tools", "Usage", "Compare"):
        navigation.get_by_text(title, exact=True).click()
        expect(page.get_by_test_id("stSidebar").get_by_text("Simulator — no API key set")).to_be_visible()
        wait_for_app_idle(page)
    navigation.get_by_text("Editor", exact=True).click()
    expect(turn).to_have_value("Still here after visiting other pages")
