"""Shared fixtures: a private WORKBENCH_HOME for every test, and one simulator per session."""
from __future__ import annotations

import io
import socket
from dataclasses import dataclass

import anthropic
import pytest

from workbench.simulator import start_simulator

_ENV_THAT_LEAKS = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "WORKBENCH_BACKEND", "WORKBENCH_PRICES")


@pytest.fixture(autouse=True)
def workbench_home(tmp_path, monkeypatch):
    home = tmp_path / "workbench-home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    for name in _ENV_THAT_LEAKS:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one per session (e2e journeys and browser drills)."""
    from playwright.sync_api import sync_playwright

    from e2e.streamlit_page import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def simulator():
    handle = start_simulator(speed=50, seed=0)
    yield handle
    handle.stop()


@pytest.fixture
def client(simulator):
    return anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=2)


@pytest.fixture
def unreachable_base_url():
    """A loopback URL whose port is bound but never listened on, so a connection is refused.

    Not a fixed port (such as 9): something on the machine could be listening there.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


@dataclass(frozen=True)
class CliResult:
    """What one in-process `python -m workbench ...` printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli():
    """Run the CLI in process through main(argv, out, err): the same entry point as the command line.

    Set the environment with monkeypatch first. Real subprocess tests are kept for what needs a
    process (signals, a closed stdout, the exit code of the interpreter, a fresh import).
    """
    from workbench.cli import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = main([str(arg) for arg in args], out, err)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
