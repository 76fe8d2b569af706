"""Killed with SIGKILL mid-matrix, the CLI and the Streamlit server leave a call log that passes
`PRAGMA integrity_check` and still holds every call committed before the kill."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from streamlit_page import (
    E2E_TIMEOUT_MS, REPO, start_app, stop_app, use_e2e_timeouts, wait_for_app_idle, wait_until_started,
)
from workbench.simulator import start_simulator
from workbench.spec import PromptSpec, new_prompt, save_prompt
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso

WAIT_S = E2E_TIMEOUT_MS / 1000


def _committed_ids(db: Path) -> set[int]:
    if not db.exists():
        return set()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=WAIT_S) as conn:
        try:
            return {row[0] for row in conn.execute("SELECT id FROM calls")}
        except sqlite3.OperationalError:  # the table is not created yet
            return set()


def _wait_for_rows(db: Path, at_least: int, process: subprocess.Popen) -> set[int]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process ended before it was killed"
        ids = _committed_ids(db)
        if len(ids) >= at_least:
            return ids
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} calls were logged within {WAIT_S:g} s")


def _assert_log_survived(db: Path, committed_before_kill: set[int]) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    after = _committed_ids(db)
    assert committed_before_kill <= after                      # every committed call is present
    log = UsageLog(db)                                         # and the log takes new calls
    record = log.get(max(after))
    record.id, record.created_at = None, utc_now_iso()
    assert isinstance(log.append(CallRecord(**{**record.__dict__})), int)


def _prompt(folder: Path) -> Path:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=200)
    return save_prompt(PromptSpec(request=spec.request, name="landmarks", variables={"city": "Paris"}),
                       folder / "landmarks.prompt.json")


def test_sigkill_of_the_cli_mid_matrix_leaves_a_sound_log(tmp_path):
    simulator = start_simulator(speed=1, seed=0)  # realistic latency: the matrix takes a while
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env.update({"ANTHROPIC_BASE_URL": simulator.base_url, "ANTHROPIC_API_KEY": "test-key",
                "WORKBENCH_HOME": str(home)})
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench", "compare", str(_prompt(tmp_path)),
             "--models", "claude-haiku-4-5,claude-sonnet-5-5", "--repeat", "50", "--concurrency", "4"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            seen = _wait_for_rows(home / "calls.db", 5, process)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=WAIT_S)
        finally:
            if process.poll() is None:
                process.kill()
    finally:
        simulator.stop()
    assert len(_committed_ids(home / "calls.db")) < 100       # it really was killed mid-matrix
    _assert_log_survived(home / "calls.db", seen)


@pytest.mark.e2e
def test_sigkill_of_the_streamlit_server_mid_run_leaves_a_sound_log_and_the_app_opens(browser, tmp_path):
    home = tmp_path / "home"
    _prompt(home / "prompts")
    process, url = start_app(home, tmp_path / "streamlit.log", {"WORKBENCH_SIMULATOR_SPEED": "1"})
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        use_e2e_timeouts(page)
        page.goto(url + "/compare")
        wait_until_started(page)
        page.locator(".st-key-compare_prompt_source").get_by_text("A saved prompt file").click()
        wait_for_app_idle(page)
        repeat = page.locator(".st-key-compare_repeat input")
        repeat.fill("30")
        repeat.press("Enter")
        wait_for_app_idle(page)
        run = page.get_by_role("button", name="Run 3 models × 30 = 90 calls").first  # the repeat count has landed
        expect(run).to_be_enabled()
        run.click()
        seen = _wait_for_rows(home / "calls.db", 5, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=WAIT_S)
        page.close()
    finally:
        if process.poll() is None:
            process.kill()
    _assert_log_survived(home / "calls.db", seen)

    process, url = start_app(home, tmp_path / "streamlit-again.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        use_e2e_timeouts(page)
        page.goto(url)
        wait_for_app_idle(page)
        page.locator(".st-key-editor_run button").first.wait_for()
        assert not page.get_by_test_id("stException").count()
        page.close()
    finally:
        stop_app(process)
