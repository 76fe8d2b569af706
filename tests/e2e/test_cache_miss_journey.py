"""★ A prompt-caching user edits the cached system prompt and is told, in words and with a diff, why the
next run wrote the cache again instead of reading it."""
from __future__ import annotations

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle

MANUAL = "You answer questions about the reference manual below. " + "Section of the reference manual text. " * 160


def _commit(locator, text: str) -> None:
    locator.fill(text)
    locator.press("Control+Enter")


def _run_and_wait(page, runs_so_far: int) -> None:
    page.locator(".st-key-editor_run button").first.click()
    expect(page.get_by_text("stop_reason")).to_be_visible()
    wait_for_app_idle(page)


def test_a_cache_miss_after_editing_the_system_prompt_is_explained(page, app_url, artifacts_dir):
    page.goto(app_url)
    wait_for_app_idle(page)
    system = page.locator(".st-key-editor_system textarea")
    _commit(system, MANUAL)
    wait_for_app_idle(page)
    page.locator(".st-key-editor_system_cache").get_by_text("5m", exact=True).click()
    wait_for_app_idle(page)
    _commit(page.locator(".st-key-editor_turn_0_text textarea"), "What does the manual cover?")
    wait_for_app_idle(page)

    _run_and_wait(page, 0)   # writes the cache
    _run_and_wait(page, 1)   # reads it
    expect(page.get_by_text("Cache miss.")).to_have_count(0)

    _commit(system, MANUAL.replace("reference manual below", "revised manual below"))
    wait_for_app_idle(page)
    _run_and_wait(page, 2)
    expect(page.get_by_text("Cache miss.")).to_be_visible()
    expect(page.get_by_text("the system prompt changed")).to_be_visible()
    page.get_by_text("What changed before the cache breakpoint").click()
    expect(page.get_by_text("revised manual below").first).to_be_visible()
    wait_for_app_idle(page)
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.screenshot(path=str(artifacts_dir / "editor-cache-miss.png"), full_page=True)
