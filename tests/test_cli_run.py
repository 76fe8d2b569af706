"""`python -m workbench run/count` as a real subprocess: stdout, stderr and exit codes (input checks: test_cli_run_input)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.usage_log import UsageLog

REPO = Path(__file__).resolve().parents[1]
PROMPT_FILE = {
    "format": "workbench.prompt/1",
    "name": "weather-note",
    "description": "",
    "variables": {"tone": "calm"},
    "request": {"model": "claude-haiku-4-5", "max_tokens": 300,
                "messages": [{"role": "user", "content": "Write a {{tone}} note about {{topic}}."}]},
}


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60)


@pytest.fixture
def simulator_env(workbench_home):
    """No key: the CLI starts its own in-process simulator (fast, for tests)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANTHROPIC_")}
    env.update(WORKBENCH_HOME=str(workbench_home), WORKBENCH_BACKEND="simulator", WORKBENCH_SIMULATOR_SPEED="50")
    return env


@pytest.fixture
def endpoint_env(workbench_home, simulator):
    """A key and ANTHROPIC_BASE_URL pointing at the session's simulator (a "custom endpoint")."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANTHROPIC_")}
    env.pop("WORKBENCH_BACKEND", None)
    env.update(WORKBENCH_HOME=str(workbench_home), ANTHROPIC_BASE_URL=simulator.base_url,
               ANTHROPIC_API_KEY="test-key")
    return env


@pytest.fixture
def prompt_file(tmp_path) -> Path:
    path = tmp_path / "note.prompt.json"
    path.write_text(json.dumps(PROMPT_FILE), encoding="utf-8")
    return path


def test_run_p_json_prints_one_priced_logged_object(simulator_env, workbench_home):
    completed = cli("run", "-p", "hi", "--model", "claude-haiku-4-5", "--json", env=simulator_env)
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)  # exactly one JSON object, nothing else on stdout
    assert output["text"].startswith("[Simulated reply")
    assert output["cost"] is not None and output["cost"] > 0 and output["cost_reason"] is None
    assert output["usage"]["input_tokens"] > 0
    assert output["model"] == "claude-haiku-4-5" and output["stop_reason"] == "end_turn"
    assert output["ttft_ms"] < output["latency_ms"]
    assert output["request_id"]
    assert "Using the local simulator: no ANTHROPIC_API_KEY set" in completed.stderr
    record = UsageLog(workbench_home / "calls.db").get(output["log_id"])
    assert record.source == "cli" and record.request_id == output["request_id"]


def test_run_streams_text_to_stdout(endpoint_env):
    completed = cli("run", "-p", "Tell me about owls.", "--system", "Be brief.", env=endpoint_env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("[Simulated reply") and completed.stdout.endswith("\n")
    assert "simulator" not in completed.stderr.lower()


def test_run_file_with_vars_and_verbose(endpoint_env, prompt_file, workbench_home):
    completed = cli("run", str(prompt_file), "--var", "topic=tides", "--verbose", env=endpoint_env)
    assert completed.returncode == 0, completed.stderr
    assert "tides" in completed.stdout
    assert "time to first token" in completed.stderr and "cost: $" in completed.stderr
    assert UsageLog(workbench_home / "calls.db").recent(1)[0].prompt_name == "weather-note"


def test_no_stream_prints_the_same_text(endpoint_env, prompt_file):
    streamed = cli("run", str(prompt_file), "--var", "topic=tides", env=endpoint_env)
    whole = cli("run", str(prompt_file), "--var", "topic=tides", "--no-stream", env=endpoint_env)
    assert whole.returncode == 0 and whole.stdout == streamed.stdout


def test_max_tokens_stop_warns_on_stderr(endpoint_env):
    completed = cli("run", "-p", "hello", "--model", "claude-haiku-4-5", "--max-tokens", "5", env=endpoint_env)
    assert completed.returncode == 0
    assert "max_tokens (5)" in completed.stderr


def test_bad_file_exits_2_with_one_line(endpoint_env, tmp_path):
    bad = tmp_path / "bad.prompt.json"
    bad.write_text('{"format": "workbench.prompt/1", "request": {"model": "m"}}', encoding="utf-8")
    completed = cli("run", str(bad), env=endpoint_env)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "$.request.max_tokens" in lines[0]
    assert "Traceback" not in completed.stderr







def test_api_error_exits_1_with_one_message(endpoint_env, workbench_home):
    completed = cli("run", "-p", "hi", "--model", "claude-nonexistent-9", env=endpoint_env)
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "not_found_error" in lines[0] and "HTTP 404" in lines[0] and "request-id req" in lines[0]
    assert "model name" in lines[0]
    assert UsageLog(workbench_home / "calls.db").recent(1)[0].error_status == 404


def test_api_error_with_json_still_prints_one_object(endpoint_env):
    completed = cli("run", "-p", "hi", "--model", "claude-nonexistent-9", "--json", env=endpoint_env)
    assert completed.returncode == 1
    output = json.loads(completed.stdout)
    assert output["error"]["status"] == 404 and output["cost"] is None and output["cost_reason"]



def test_key_never_printed(endpoint_env):
    env = {**endpoint_env, "ANTHROPIC_API_KEY": "bad-key-placeholder"}
    completed = cli("run", "-p", "hi", "--verbose", env=env)
    assert completed.returncode == 1 and "ANTHROPIC_API_KEY" in completed.stderr
    assert "bad-key-placeholder" not in completed.stdout + completed.stderr


def test_count_prints_exact_tokens_and_projected_cost(endpoint_env, prompt_file):
    completed = cli("count", str(prompt_file), "--var", "topic=tides", env=endpoint_env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("claude-haiku-4-5: ") and "tokens" in completed.stdout
    assert "≈" not in completed.stdout
    assert "projected cost: $" in completed.stdout


def test_count_json(simulator_env, prompt_file):
    completed = cli("count", str(prompt_file), "--var", "topic=tides", "--json", env=simulator_env)
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)
    assert output["exact"] and output["input_tokens"] > 0 and output["max_cost"] > output["input_cost"] > 0



def test_every_registered_subcommand_has_help_text():
    from workbench.cli import build_parser

    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction")
    for name, subparser in subparsers.choices.items():
        assert subparser.description, f"{name} has no description"
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    assert all(helps.values()) and {"run", "count", "compare"} <= set(helps)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name in subparsers.choices:
        assert f"python -m workbench {name}" in readme, f"README does not document `{name}`"
