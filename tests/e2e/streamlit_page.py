"""Helpers for driving `streamlit run app.py` in Playwright without sleeps.

Every wait derives from one setting, E2E_TIMEOUT_MS (environment WORKBENCH_E2E_TIMEOUT_S, default
90 s), so the journeys pass on a machine whose CPUs are busy: nothing here waits on a fixed
figure of its own. Pages get it as their default timeout and `expect` as its default.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps dialling out on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

E2E_TIMEOUT_MS = int(float(os.environ.get("WORKBENCH_E2E_TIMEOUT_S", "90")) * 1000)
# Starting the server imports Streamlit, pandas and the SDK: give it twice an ordinary wait.
APP_START_TIMEOUT_S = 2 * E2E_TIMEOUT_MS / 1000


def use_e2e_timeouts(page) -> None:
    """Make E2E_TIMEOUT_MS the default of every wait on this page and of every `expect`."""
    from playwright.sync_api import expect

    page.set_default_timeout(E2E_TIMEOUT_MS)
    page.set_default_navigation_timeout(E2E_TIMEOUT_MS)
    expect.set_options(timeout=E2E_TIMEOUT_MS)


def wait_for_app_idle(page, timeout_ms: int = E2E_TIMEOUT_MS) -> None:
    """Wait until Streamlit has rendered and no script run is in progress."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') !== 'running';
        }""",
        timeout=timeout_ms,
    )


def wait_until_started(page) -> None:
    """Wait until a cold server has loaded the SDK, backend and catalog and drawn the page again
    (the sidebar names the catalog's source): an action during that redraw may land on a widget
    being replaced."""
    page.get_by_text("API (models.list)").first.wait_for()
    wait_for_app_idle(page)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + APP_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer within {APP_START_TIMEOUT_S:g}s:\n{log_path.read_text()}")


def start_app(home: Path, log_path: Path, extra_env: dict[str, str] | None = None):
    """Start `streamlit run app.py` on a free port with the simulator; returns (process, url)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env.update({"WORKBENCH_BACKEND": "simulator", "WORKBENCH_HOME": str(home), **(extra_env or {})})
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    log_file = log_path.open("w")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, log_path)
    except Exception:
        process.kill()
        raise
    return process, url


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
