"""Ctrl-C mid-stream and a reader that stops early: a quiet exit, the right code, and the call still logged."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.usage_log import UsageLog

REPO = Path(__file__).resolve().parents[1]
# Realistic simulator speed: the reply streams for a few seconds, long enough to interrupt it.
LONG_RUN = ["run", "-p", "Write a long essay about tides.", "--model", "claude-opus-5-5"]


@pytest.fixture
def slow_simulator_env(workbench_home):
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANTHROPIC_")}
    env.update(WORKBENCH_HOME=str(workbench_home), WORKBENCH_BACKEND="simulator", WORKBENCH_SIMULATOR_SPEED="1")
    return env


def start_cli(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workbench", *LONG_RUN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=REPO)


def first_reply_bytes(process: subprocess.Popen, timeout_s: float = 60.0) -> bytes:
    """Block until the CLI has streamed some reply text to stdout (the call is under way)."""
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    assert ready, "the CLI printed nothing"
    return os.read(process.stdout.fileno(), 16)


def last_logged_call(workbench_home):
    return UsageLog(workbench_home / "calls.db").recent(1)[0]


def test_ctrl_c_mid_stream_exits_130_quietly_and_logs_the_call(slow_simulator_env, workbench_home):
    process = start_cli(slow_simulator_env)
    assert first_reply_bytes(process).startswith(b"[Simulated")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr.decode() and stderr.decode().strip().endswith("interrupted")
    record = last_logged_call(workbench_home)
    assert record.source == "cli" and record.error_type == "cancelled" and record.request_id


def test_a_reader_that_stops_early_gets_no_broken_pipe_traceback(slow_simulator_env, workbench_home):
    process = start_cli(slow_simulator_env)
    first_reply_bytes(process)
    process.stdout.close()  # like `| head -c 10`: the next write hits a closed pipe
    process.wait(timeout=30)
    stderr = process.stderr.read().decode()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr
    assert last_logged_call(workbench_home).error_type == "cancelled"
