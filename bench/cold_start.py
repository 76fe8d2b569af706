"""Cold start: `streamlit run app.py` to the Editor usable in the browser, against a bare Streamlit
app measured in the same run (same machine, same load, alternating order).

"Usable" is the moment the Editor's first message box is in the page and accepts typing; for the
bare app, its one text area. Each start is a fresh server process and a fresh WORKBENCH_HOME (no
draft, no call log), timed from the process spawn to that moment. The browser is started once
beforehand and is not counted. Prints the medians and the ratio; target <= 1.3x.

By default every start gets a new browser context (an empty HTTP cache, as on a first visit), so
the browser fetches Streamlit's scripts for each kind of element the page draws. With --warm each
app keeps one context and one port across rounds, as a returning user's browser does (Streamlit
marks its scripts immutable), and the first round only fills the cache.

    .venv/bin/python bench/cold_start.py [--rounds 5] [--warm]
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
BARE_APP = 'import streamlit as st\n\nst.title("Bare")\nst.text_area("Message", key="bare_text")\n'
WORKBENCH_READY = ".st-key-editor_turn_0_text textarea"
BARE_READY = ".st-key-bare_text textarea"
TIMEOUT_S = 120
# The box is in the page, drawn (visible, with a size) and takes typing (not disabled or read-only).
USABLE = """selector => {
    const box = document.querySelector(selector);
    return box !== null && box.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
        && box.getBoundingClientRect().height > 0 && !box.disabled && !box.readOnly;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("streamlit exited early")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("streamlit did not start")


def time_start(browser, script: Path, cwd: Path, ready_selector: str, context=None, port: int | None = None) -> float:
    """Seconds from spawning `streamlit run script` to `ready_selector` accepting typing (in `context`,
    kept open, or a new one)."""
    port = port or _free_port()
    home = tempfile.mkdtemp(prefix="cold-start-home-")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env.update({"WORKBENCH_BACKEND": "simulator", "WORKBENCH_HOME": home})
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(url, process)
        own_context = context is None
        context = context or browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT_S * 1000)
        # Checked in the page at every animation frame: Playwright's own wait_for polls at 20, 50,
        # 100, 100 ms and then every 500 ms, which rounded a start up to its next poll.
        page.wait_for_function(USABLE, arg=ready_selector, polling="raf", timeout=TIMEOUT_S * 1000)
        elapsed = time.perf_counter() - started
        page.close()
        if own_context:
            context.close()
        return elapsed
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warm", action="store_true", help="keep each app's browser cache across rounds")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    bare_dir = Path(tempfile.mkdtemp(prefix="cold-start-bare-"))
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    (bare_dir / ".streamlit").mkdir()
    (bare_dir / ".streamlit" / "config.toml").write_text((REPO / ".streamlit" / "config.toml").read_text())
    bare, workbench = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts = {name: browser.new_context(viewport={"width": 1400, "height": 1000}) if args.warm else None
                    for name in ("bare", "workbench")}
        ports = {name: _free_port() if args.warm else None for name in ("bare", "workbench")}
        if args.warm:  # fill each cache once; not counted
            time_start(browser, bare_dir / "bare_app.py", bare_dir, BARE_READY, contexts["bare"], ports["bare"])
            time_start(browser, REPO / "app.py", REPO, WORKBENCH_READY, contexts["workbench"], ports["workbench"])
        for round_number in range(args.rounds):
            # Alternate which goes first, so a warming page cache favours neither.
            order = [("bare", bare_dir / "bare_app.py", bare_dir, BARE_READY, bare),
                     ("workbench", REPO / "app.py", REPO, WORKBENCH_READY, workbench)]
            for name, script, cwd, selector, figures in (order if round_number % 2 == 0 else order[::-1]):
                figures.append(time_start(browser, script, cwd, selector, contexts[name], ports[name]))
                print(f"round {round_number + 1}: {name} {figures[-1]:.2f} s", file=sys.stderr)
        browser.close()
    bare_s, workbench_s = statistics.median(bare), statistics.median(workbench)
    print(f"bare Streamlit app: median {bare_s:.2f} s (min {min(bare):.2f}, max {max(bare):.2f}) over {args.rounds}")
    print(f"Workbench Editor:   median {workbench_s:.2f} s (min {min(workbench):.2f}, max {max(workbench):.2f})"
          f" over {args.rounds}")
    cache = "each app's browser cache kept across rounds" if args.warm else "a new browser context (empty cache) per start"
    print(f"ratio: {workbench_s / bare_s:.2f}x (target <= 1.3x); {cache}")


if __name__ == "__main__":
    main()
