"""A cold server draws the Editor's form before the SDK import, the simulator start, the catalog
listing and the first count (bench/cold_start.py measures the time this saves), and what is typed
while those load is kept and used."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What a browser gets first from a cold server: the Editor page with the loads deferred, as
# app.py's begin_start defers them for a browser session (AppTest has no browser), before finish_start.
FIRST_DRAW_OF_THE_EDITOR = """
import runpy
from components.session import defer_loads, setup_state
defer_loads()
setup_state()
runpy.run_path("app_pages/editor.py")
"""

# Runs in a fresh interpreter: this process has long since imported the SDK.
PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest

app = AppTest.from_string(sys.argv[1], default_timeout=60).run()
print(json.dumps({
    "exception": [str(item.value) for item in app.exception],
    "turn_box": app.text_area(key="editor_turn_0_text").key,
    "loaded": sorted(name for name in ("anthropic", "httpx2", "workbench.simulator", "jsonschema", "pandas")
                     if name in sys.modules),
    "metrics": [metric.value for metric in app.metric],
    "captions": [caption.value for caption in app.caption],
    "buttons": [button.label for button in app.button],
}))
"""


def test_the_editor_form_is_drawn_without_the_sdk_the_simulator_or_a_count(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env.update({"WORKBENCH_HOME": str(tmp_path / "home"), "WORKBENCH_BACKEND": "simulator", "PYTHONPATH": str(REPO)})
    done = subprocess.run([sys.executable, "-c", PROBE, FIRST_DRAW_OF_THE_EDITOR], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    drawn = json.loads(done.stdout.strip().splitlines()[-1])
    assert drawn["exception"] == []
    assert drawn["turn_box"] == "editor_turn_0_text"      # the form is there ...
    assert drawn["loaded"] == []                          # ... and nothing slow was loaded to draw it
    # The count, cost and Run need the backend: that column says they follow, and is drawn with them.
    assert drawn["metrics"] == [] and "Run" not in drawn["buttons"]
    assert any(caption.startswith("Connecting to the backend") for caption in drawn["captions"])


@pytest.mark.e2e
def test_a_message_typed_while_a_cold_server_loads_is_kept_and_counted(browser, tmp_path):
    from playwright.sync_api import expect

    from streamlit_page import start_app, stop_app, use_e2e_timeouts, wait_for_app_idle

    process, url = start_app(tmp_path / "home", tmp_path / "streamlit.log")  # cold: no session has run yet
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        use_e2e_timeouts(page)
        page.goto(url)
        box = page.locator(".st-key-editor_turn_0_text textarea")
        box.fill("Name three rivers in France.")  # as soon as the box is there, before the catalog is
        box.press("Control+Enter")
        expect(page.get_by_text("API (models.list)")).to_be_visible()  # the page was drawn again, loaded
        wait_for_app_idle(page)
        expect(box).to_have_value("Name three rivers in France.")
        expect(page.get_by_text(re.compile("^Estimate"))).to_have_count(0)  # the count is exact now
        run = page.locator(".st-key-editor_run button").first
        expect(run).to_be_enabled()
        run.click()
        expect(page.get_by_text(re.compile(r"end_turn"))).to_be_visible()
        context.close()
    finally:
        stop_app(process)
