"""`python -m workbench.simulator` announces its address first, then serves it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anthropic
import pytest

REPO = Path(__file__).resolve().parent.parent


def test_cli_prints_listening_line_first_and_serves():
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench.simulator", "--port", "0", "--speed", "100", "--seed", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first_line = process.stdout.readline().strip()
        assert first_line.startswith("listening on http://127.0.0.1:")
        base_url = first_line.removeprefix("listening on ")
        client = anthropic.Anthropic(base_url=base_url, api_key="test-key", max_retries=0)
        message = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                         messages=[{"role": "user", "content": "hi"}])
        assert message.content[0].text.startswith("[Simulated reply")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_cli_rejects_bad_settings():
    result = subprocess.run([sys.executable, "-m", "workbench.simulator", "--speed", "0"],
                            cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "speed" in result.stderr


def test_stopped_simulator_stops_answering_kept_alive_connections():
    from workbench.simulator import start_simulator

    handle = start_simulator(speed=100)
    client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
    assert client.models.list().data  # opens a kept-alive connection
    handle.stop()
    handle.stop()  # idempotent
    with pytest.raises(anthropic.APIConnectionError):
        client.models.list()
