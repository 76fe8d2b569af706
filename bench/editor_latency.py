"""Editor latency on the simulator, median of 20 each, measured in a real browser:

(a) first text delta -> visible: from the moment the SDK delivered the first text delta in the
    app's process (the call log's started_at + ttft_ms) to the next frame after that text
    entered the page's DOM. Both clocks are this machine's wall clock.
(b) keystroke -> updated token count: from the keydown that commits a text area (Ctrl+Enter)
    to the next frame after the "Input tokens" figure changed (a fresh count_tokens call each
    time: the text differs on every round).

Starts its own `streamlit run app.py` (WORKBENCH_BACKEND=simulator, a temporary WORKBENCH_HOME)
and drives Debian's chromium with Playwright. Prints the figures only. Targets: (a) <= 100 ms,
(b) <= 300 ms.

    .venv/bin/python bench/editor_latency.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.spec import new_prompt, save_prompt  # noqa: E402
from workbench.usage_log import UsageLog  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# A model that answers with text straight away (no default thinking), so the first content
# delta the runner times is a text delta.
MODEL = "claude-haiku-4-5"
SIMULATOR_SPEED = "4"  # shorter replies in wall time; render latency does not depend on it

# Runs in the page: note when marked text first appears, and when the token count changes.
WATCHERS_JS = """
() => {
  window.__bench = {textAt: null, mark: null, keyAt: null, countAt: null, countBefore: null};
  const tokenValue = () => {
    for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
      if (metric.textContent.includes('Input tokens')) {
        const value = metric.querySelector('[data-testid="stMetricValue"]');
        return value ? value.textContent : null;
      }
    }
    return null;
  };
  window.__benchTokenValue = tokenValue;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.ctrlKey && window.__bench.keyAt === null) {
      window.__bench.keyAt = Date.now();
    }
  }, true);
  new MutationObserver(() => {
    const bench = window.__bench;
    if (bench.mark !== null && bench.textAt === null && document.body.textContent.includes(bench.mark)) {
      bench.textAt = -1;
      requestAnimationFrame(() => { bench.textAt = Date.now(); });
    }
    if (bench.keyAt !== null && bench.countAt === null) {
      const now = tokenValue();
      if (now !== null && now !== bench.countBefore) {
        bench.countAt = -1;
        requestAnimationFrame(() => { bench.countAt = Date.now(); });
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(home: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port with the in-process simulator."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env.update({"WORKBENCH_BACKEND": "simulator", "WORKBENCH_HOME": str(home),
                "WORKBENCH_SIMULATOR_SPEED": SIMULATOR_SPEED})
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("streamlit did not start within 60 s")


def wait_idle(page) -> None:
    page.wait_for_function("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app && app.getAttribute('data-test-script-state') !== 'running';
    }""")


def open_bench_prompt(page) -> None:
    """Open the prompt the bench saved (model without default thinking) through the Open menu."""
    page.get_by_test_id("stPopover").get_by_role("button").first.click()
    open_button = page.locator(".st-key-editor_open button").first
    open_button.wait_for(state="visible")
    open_button.click()
    page.get_by_text("Claude Haiku 4.5: 200,000-token context window").wait_for()
    page.keyboard.press("Escape")
    wait_idle(page)


def first_text_visible_ms(page, log: UsageLog, round_number: int) -> float:
    """One run: wall time from the SDK's first text delta (call log) to that text on screen."""
    turn = page.locator(".st-key-editor_turn_0_text textarea")
    turn.fill(f"Round {round_number}: reply with a few sentences.")
    turn.press("Control+Enter")
    wait_idle(page)
    page.evaluate("(mark) => { window.__bench.mark = mark; window.__bench.textAt = null; }",
                  f'You wrote: "Round {round_number}:')
    calls_before = log.count()
    page.locator(".st-key-editor_run button").first.click()
    page.wait_for_function("() => window.__bench.textAt > 0")
    deadline = time.monotonic() + 30
    while log.count() == calls_before:  # the runner logs when the stream ends
        if time.monotonic() > deadline:
            raise SystemExit("the run was not logged within 30 s")
        time.sleep(0.05)
    wait_idle(page)
    record = log.recent(1)[0]
    first_delta_ms = datetime.fromisoformat(record.created_at).timestamp() * 1000 + (record.ttft_ms or 0.0)
    return page.evaluate("() => window.__bench.textAt") - first_delta_ms


def keystroke_to_count_ms(page, round_number: int) -> float:
    """Commit new text with Ctrl+Enter; time until the token count on screen changes."""
    turn = page.locator(".st-key-editor_turn_0_text textarea")
    turn.fill("count these words " * (round_number + 3))
    page.evaluate("() => { window.__bench.keyAt = null; window.__bench.countAt = null;"
                  " window.__bench.countBefore = window.__benchTokenValue(); }")
    turn.press("Control+Enter")
    page.wait_for_function("() => window.__bench.countAt > 0")
    wait_idle(page)
    return page.evaluate("() => window.__bench.countAt - window.__bench.keyAt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        home = Path(folder)
        save_prompt(new_prompt(MODEL, "warm-up", max_tokens=200), home / "prompts" / "bench.prompt.json")
        process, url = start_app(home)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                page.goto(url)
                page.wait_for_selector(".st-key-editor_turn_0_text textarea")
                wait_idle(page)
                open_bench_prompt(page)
                page.evaluate(WATCHERS_JS)
                log = UsageLog(home / "calls.db")
                first_text_visible_ms(page, log, 0)  # warm-up: first render of the result panel
                keystroke_to_count_ms(page, 0)
                text_delays = [first_text_visible_ms(page, log, n) for n in range(1, rounds + 1)]
                count_delays = [keystroke_to_count_ms(page, n) for n in range(1, rounds + 1)]
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)

    print(f"(a) first text delta -> visible in browser: median {statistics.median(text_delays):.1f} ms "
          f"(min {min(text_delays):.1f}, max {max(text_delays):.1f}, n={rounds}; target <= 100 ms)")
    print(f"(b) keystroke -> updated token count:       median {statistics.median(count_delays):.1f} ms "
          f"(min {min(count_delays):.1f}, max {max(count_delays):.1f}, n={rounds}; target <= 300 ms)")


if __name__ == "__main__":
    main()
