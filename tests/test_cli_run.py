"""`python -m workbench run/count` in process through main(): stdout, stderr and exit codes.

Input checks: test_cli_run_input. What needs a real process (exit code of the interpreter, a fresh
import, signals, a closed pipe): test_cli_process and test_cli_run_interrupts.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.usage_log import UsageLog

PROMPT_FILE = {
    "format": "workbench.prompt/1",
    "name": "weather-note",
    "description": "",
    "variables": {"tone": "calm"},
    "request": {"model": "claude-haiku-4-5", "max_tokens": 300,
                "messages": [{"role": "user", "content": "Write a {{tone}} note about {{topic}}."}]},
}


@pytest.fixture
def simulator_env(monkeypatch):
    """No key: the CLI starts its own in-process simulator (fast, for tests)."""
    monkeypatch.setenv("WORKBENCH_BACKEND", "simulator")
    monkeypatch.setenv("WORKBENCH_SIMULATOR_SPEED", "50")


@pytest.fixture
def endpoint_env(monkeypatch, simulator):
    """A key and ANTHROPIC_BASE_URL pointing at the session's simulator (a "custom endpoint")."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")


@pytest.fixture
def prompt_file(tmp_path) -> Path:
    path = tmp_path / "note.prompt.json"
    path.write_text(json.dumps(PROMPT_FILE), encoding="utf-8")
    return path


def test_run_p_json_prints_one_priced_logged_object(cli, simulator_env, workbench_home):
    completed = cli("run", "-p", "hi", "--model", "claude-haiku-4-5", "--json")
    assert completed.code == 0, completed.err
    output = json.loads(completed.out)  # exactly one JSON object, nothing else on stdout
    assert output["text"].startswith("[Simulated reply")
    assert output["cost_usd"] is not None and output["cost_usd"] > 0 and output["cost_reason"] is None
    assert output["usage"]["input_tokens"] > 0
    assert output["model"] == "claude-haiku-4-5" and output["stop_reason"] == "end_turn"
    assert output["ttft_ms"] < output["latency_ms"]
    assert output["request_id"]
    assert "Using the local simulator: no ANTHROPIC_API_KEY set" in completed.err
    record = UsageLog(workbench_home / "calls.db").get(output["log_id"])
    assert record.source == "cli" and record.request_id == output["request_id"]


def test_run_streams_text_to_stdout(cli, endpoint_env):
    completed = cli("run", "-p", "Tell me about owls.", "--system", "Be brief.")
    assert completed.code == 0, completed.err
    assert completed.out.startswith("[Simulated reply") and completed.out.endswith("\n")
    assert "simulator" not in completed.err.lower()


def test_run_file_with_vars_and_verbose(cli, endpoint_env, prompt_file, workbench_home):
    completed = cli("run", str(prompt_file), "--var", "topic=tides", "--verbose")
    assert completed.code == 0, completed.err
    assert "tides" in completed.out
    assert "time to first token" in completed.err and "cost: $" in completed.err
    assert UsageLog(workbench_home / "calls.db").recent(1)[0].prompt_name == "weather-note"


def test_no_stream_prints_the_same_text(cli, endpoint_env, prompt_file):
    streamed = cli("run", str(prompt_file), "--var", "topic=tides")
    whole = cli("run", str(prompt_file), "--var", "topic=tides", "--no-stream")
    assert whole.code == 0 and whole.out == streamed.out


def test_max_tokens_stop_warns_on_stderr(cli, endpoint_env):
    completed = cli("run", "-p", "hello", "--model", "claude-haiku-4-5", "--max-tokens", "5")
    assert completed.code == 0
    assert "max_tokens (5)" in completed.err


def test_bad_file_exits_2_with_one_line(cli, endpoint_env, tmp_path):
    bad = tmp_path / "bad.prompt.json"
    bad.write_text('{"format": "workbench.prompt/1", "request": {"model": "m"}}', encoding="utf-8")
    completed = cli("run", str(bad))
    assert completed.code == 2
    assert completed.out == ""
    lines = completed.err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "$.request.max_tokens" in lines[0]
    assert "Traceback" not in completed.err


def test_api_error_exits_1_with_one_message(cli, endpoint_env, workbench_home):
    completed = cli("run", "-p", "hi", "--model", "claude-nonexistent-9")
    assert completed.code == 1
    lines = completed.err.strip().splitlines()
    assert len(lines) == 1
    assert "not_found_error" in lines[0] and "HTTP 404" in lines[0] and "request-id req" in lines[0]
    assert "model name" in lines[0]
    assert UsageLog(workbench_home / "calls.db").recent(1)[0].error_status == 404


def test_api_error_with_json_still_prints_one_object(cli, endpoint_env):
    completed = cli("run", "-p", "hi", "--model", "claude-nonexistent-9", "--json")
    assert completed.code == 1
    output = json.loads(completed.out)
    assert output["error"]["status"] == 404 and output["cost_usd"] is None and output["cost_reason"]


def test_key_never_printed(cli, endpoint_env, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "bad-key-placeholder")
    completed = cli("run", "-p", "hi", "--verbose")
    assert completed.code == 1 and "ANTHROPIC_API_KEY" in completed.err
    assert "bad-key-placeholder" not in completed.out + completed.err


def test_count_prints_exact_tokens_and_projected_cost(cli, endpoint_env, prompt_file):
    completed = cli("count", str(prompt_file), "--var", "topic=tides")
    assert completed.code == 0, completed.err
    assert completed.out.startswith("claude-haiku-4-5: ") and "tokens" in completed.out
    assert "≈" not in completed.out
    assert "projected cost: $" in completed.out


def test_count_json(cli, simulator_env, prompt_file):
    completed = cli("count", str(prompt_file), "--var", "topic=tides", "--json")
    assert completed.code == 0, completed.err
    output = json.loads(completed.out)
    assert output["exact"] and output["input_tokens"] > 0 and output["max_cost_usd"] > output["input_cost_usd"] > 0


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


def test_a_stream_that_errors_midway_keeps_the_text_and_says_it_is_incomplete(cli, endpoint_env, monkeypatch,
                                                                                 workbench_home):
    monkeypatch.setenv("ANTHROPIC_CUSTOM_HEADERS", "x-simulator-fault: stream_error")  # read by the SDK
    completed = cli("run", "-p", "Tell me a long story about the sea.", "--model", "claude-haiku-4-5")
    assert completed.code == 1
    assert completed.out.startswith("[Simulated reply")  # what arrived before the error
    assert "warning: incomplete reply: the stream stopped with overloaded_error" in completed.err
    assert "overloaded_error" in completed.err.strip().splitlines()[-1]
    row = UsageLog(workbench_home / "calls.db").recent(1)[0]
    assert row.error_type == "overloaded_error" and row.output_tokens > 0


def test_every_handler_takes_args_out_err():
    # One shape for every subcommand, so main() can hand each its streams and tests run them in process.
    import inspect

    from workbench.cli import build_parser

    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction")
    handlers = {}
    for name, subparser in subparsers.choices.items():
        nested = [action for action in subparser._actions if action.__class__.__name__ == "_SubParsersAction"]
        for sub in (nested[0].choices.values() if nested else [subparser]):
            handlers[f"{name} {sub.prog.split()[-1]}"] = sub.get_default("handler")
    assert len(handlers) >= 3 and all(handlers.values()), handlers
    for name, handler in handlers.items():
        assert list(inspect.signature(handler).parameters) == ["args", "out", "err"], name
