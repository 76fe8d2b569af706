"""Shared fixtures: a private WORKBENCH_HOME for every test, and one simulator per session."""
from __future__ import annotations

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
def simulator():
    handle = start_simulator(speed=50, seed=0)
    yield handle
    handle.stop()


@pytest.fixture
def client(simulator):
    return anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=2)
