"""Export from the Editor: download the Python file, run it against the simulator, get the reply the Editor got."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from playwright.sync_api import expect

from streamlit_page import E2E_TIMEOUT_MS, wait_for_app_idle, wait_until_started
from workbench.usage_log import UsageLog

PROMPT = 'Write a haiku about {{topic}}; keep "quotes", $(dollars) and `ticks`.'


def _commit(locator, text: str) -> None:
    locator.fill(text)
    locator.press("Control+Enter")


def _wait_for_logged_reply(home, text: str) -> None:
    deadline = time.monotonic() + E2E_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        records = UsageLog(home / "calls.db").recent(20, source="editor")
        if any(record.stop_reason and text in (record.response_json or "") for record in records):
            return
        time.sleep(0.1)
    raise AssertionError(f"no finished Editor call with {text!r} in the log")


def test_exported_python_gets_the_same_reply(page, app_url, app_home, artifacts_dir, tmp_path, simulator):
    page.goto(app_url)
    wait_until_started(page)  # a cold server draws the Editor first, then loads and draws it again
    _commit(page.locator(".st-key-editor_turn_0_text textarea"), PROMPT)
    variable = page.locator(".st-key-editor_var_topic textarea")
    expect(variable).to_be_visible()
    _commit(variable, "the 'night' sea")
    run = page.locator(".st-key-editor_run button").first
    expect(run).to_be_enabled()  # the value has landed: Run waits for every {{variable}}
    wait_for_app_idle(page)
    run.click()
    # This run's own reply (a reply restored from an earlier journey says "You wrote:" too) ...
    expect(page.get_by_text("the 'night' sea").first).to_be_visible()
    # ... and its call logged as finished: a click while the stream's last events are still being
    # read stops the run, and the call is then logged as cancelled (see the session note).
    _wait_for_logged_reply(app_home, "the 'night' sea")
    wait_for_app_idle(page)

    panel = page.get_by_test_id("stExpander").filter(has_text="Export code")
    panel.locator("summary").click()
    download_button = page.locator(".st-key-editor_export_download_python button")
    expect(download_button).to_be_visible()
    expect(panel.get_by_test_id("stCode").first).to_contain_text("client.messages.stream(")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "editor-export-panel.png"), full_page=True)
    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert download.suggested_filename == "untitled.py"
    folder = tmp_path / "empty"
    folder.mkdir()
    script = folder / download.suggested_filename
    download.save_as(script)

    # Only the key (and where the simulator listens) in the environment; nothing beside the file.
    env = {"PATH": os.environ["PATH"], "ANTHROPIC_API_KEY": "sk-ant-journey-key",
           "ANTHROPIC_BASE_URL": simulator.base_url}
    done = subprocess.run([sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    (call,) = [record for record in UsageLog(app_home / "calls.db").recent(20) if record.source == "editor"][:1]
    logged = json.loads(call.response_json)
    editor_reply = "".join(block["text"] for block in logged["content"] if block["type"] == "text")
    assert "the 'night' sea" in editor_reply
    assert done.stdout == editor_reply + "\n"
