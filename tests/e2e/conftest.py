"""Browser journeys: a real `streamlit run app.py` on the simulator, driven by Debian's chromium."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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
APP_START_TIMEOUT_S = 60


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
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
    raise RuntimeError(f"streamlit did not answer within {APP_START_TIMEOUT_S}s:\n{log_path.read_text()}")


def start_app(home: Path, log_path: Path, extra_env: dict[str, str] | None = None):
    """Start `streamlit run app.py` on a free port with the simulator; returns (process, url)."""
    port = _free_port()
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
        _wait_until_serving(url, process, log_path)
    except Exception:
        process.kill()
        raise
    return process, url


@pytest.fixture(scope="session")
def app_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-workbench-home")


@pytest.fixture(scope="session")
def app_url(app_home, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("e2e-logs") / "streamlit.log"
    process, url = start_app(app_home, log_path)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def artifacts_dir(request) -> Path:
    """test-output/<test name>/ for screenshots a person can look at after the run."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = REPO / "test-output" / safe_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
