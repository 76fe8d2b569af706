"""A careless path through the setup: a broken saved prompt, then a good one, then another page.

The picked models and the numbers typed stay as they were. (Ending a run with st.stop() once
made the browser show the widgets' defaults afterwards and send them back: no models picked.)
"""
from __future__ import annotations

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle
from workbench.spec import PromptSpec, new_prompt, save_prompt

# Named to sort after other journeys' files, so their default choice is unchanged.
BROKEN = "x-broken.prompt.json"
GOOD = "y-good.prompt.json"
DEFAULT_TAGS = ["Claude Haiku 5.5", "Claude Sonnet 5.5", "Claude Opus 5.5"]


def _choose_file(page, name: str) -> None:
    page.locator(".st-key-compare_prompt_file").click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app_idle(page)


def _expect_setup_kept(page) -> None:
    picker = page.locator(".st-key-compare_models")
    for tag in DEFAULT_TAGS:
        expect(picker).to_contain_text(tag)
    expect(page.locator(".st-key-compare_concurrency input")).to_have_value("7")
    expect(page.locator(".st-key-compare_repeat input")).to_have_value("3")


def test_setup_survives_a_broken_prompt_file_and_a_page_switch(page, app_url, app_home, artifacts_dir):
    (app_home / "prompts").mkdir(parents=True, exist_ok=True)
    (app_home / "prompts" / BROKEN).write_text('{"format": "workbench.prompt/1", "request": {')
    spec = new_prompt("claude-haiku-4-5", user_text="Name a river in {{country}}.", max_tokens=60)
    save_prompt(PromptSpec(request=spec.request, name="rivers", variables={"country": "Peru"}), app_home / "prompts" / GOOD)

    page.goto(app_url)
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    for key, value in (("compare_concurrency", "7"), ("compare_repeat", "3")):
        field = page.locator(f".st-key-{key} input")
        field.fill(value)
        field.press("Enter")
        wait_for_app_idle(page)

    page.locator(".st-key-compare_prompt_source").get_by_text("A saved prompt file").click()
    wait_for_app_idle(page)
    _choose_file(page, BROKEN)
    expect(page.get_by_text("Cannot use this file:")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "broken-prompt-file.png"))
    _choose_file(page, GOOD)
    expect(page.get_by_text("Name a river in {{country}}.")).to_be_visible()
    _expect_setup_kept(page)
    # The next interaction sends what the browser shows: still the same selection.
    _choose_file(page, GOOD)
    page.locator(".st-key-compare_count_tokens label").click()
    wait_for_app_idle(page)
    _expect_setup_kept(page)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Editor").click()
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    _expect_setup_kept(page)
    expect(page.locator(".st-key-compare_prompt_file").get_by_role("combobox")).to_have_value(GOOD)


def _max_tokens(page, model_id: str):
    return page.locator(f"[class*='st-key-compare_max_tokens_{model_id}_'] input")


def test_a_re_picked_card_keeps_its_max_tokens_through_a_run_and_a_page_switch(page, app_url):
    page.goto(app_url)
    wait_for_app_idle(page)
    page.locator(".st-key-editor_turn_0_text textarea").fill("Tell a long story about rivers.")
    page.keyboard.press("Control+Enter")
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    page.locator(".st-key-compare_prompt_source").get_by_text("The Editor's current prompt").click()
    wait_for_app_idle(page)
    haiku = _max_tokens(page, "claude-haiku-5-5")
    haiku.fill("500")
    haiku.press("Enter")
    wait_for_app_idle(page)
    picker = page.locator(".st-key-compare_models")
    picker.get_by_role("button", name="Remove Claude Haiku 5.5").click()
    wait_for_app_idle(page)
    page.locator(".st-key-compare_run button").click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Editor").click()  # mid-run
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    picker.locator("input").fill("Claude Haiku 5.5")
    page.get_by_role("option", name="Claude Haiku 5.5", exact=True).click()
    wait_for_app_idle(page)
    expect(_max_tokens(page, "claude-haiku-5-5")).to_have_value("500")
    page.locator(".st-key-compare_repeat input").fill("2")  # the next interaction sends the same 500 back
    page.locator(".st-key-compare_repeat input").press("Enter")
    wait_for_app_idle(page)
    expect(_max_tokens(page, "claude-haiku-5-5")).to_have_value("500")
    expect(page.locator(".st-key-compare_run button")).to_have_text("Run 3 models × 2 = 6 calls")
