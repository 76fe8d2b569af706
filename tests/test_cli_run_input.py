"""Bad prompt files and bad flags, in process: one clear stderr line, exit 2, nothing sent, never a traceback."""
from __future__ import annotations

import json

import pytest

from workbench.cli import main

PROMPT_FILE = {
    "format": "workbench.prompt/1",
    "name": "weather-note",
    "variables": {"tone": "calm"},
    "request": {"model": "claude-haiku-4-5", "max_tokens": 300,
                "messages": [{"role": "user", "content": "Write a {{tone}} note about {{topic}}."}]},
}


@pytest.fixture(autouse=True)
def unreachable_endpoint(monkeypatch, unreachable_base_url):
    # Nothing answers there: if a case got as far as calling the API it would exit 1, not 2.
    monkeypatch.setenv("ANTHROPIC_BASE_URL", unreachable_base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")


@pytest.fixture
def prompt_file(tmp_path):
    path = tmp_path / "note.prompt.json"
    path.write_text(json.dumps(PROMPT_FILE), encoding="utf-8")
    return path


def one_error_line(capsys, *args: str) -> str:
    """Run the CLI in process; assert exit 2, empty stdout and exactly one stderr line; return it."""
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1, captured.err
    assert lines[0].startswith("error: ") and "Traceback" not in captured.err
    return lines[0]


def test_missing_file(capsys, tmp_path):
    line = one_error_line(capsys, "run", str(tmp_path / "nope.prompt.json"))
    assert "nope.prompt.json" in line and "cannot read the file" in line


def test_a_directory(capsys, tmp_path):
    assert "cannot read the file" in one_error_line(capsys, "run", str(tmp_path))


def test_an_empty_file(capsys, tmp_path):
    empty = tmp_path / "empty.prompt.json"
    empty.write_bytes(b"")
    line = one_error_line(capsys, "run", str(empty))
    assert str(empty) in line and "empty" in line and "workbench.prompt/1" in line


def test_a_binary_file(capsys, tmp_path):
    binary = tmp_path / "image.prompt.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    assert "not UTF-8" in one_error_line(capsys, "run", str(binary))


def test_var_without_equals(capsys, prompt_file):
    assert "NAME=VALUE" in one_error_line(capsys, "run", str(prompt_file), "--var", "topic")


def test_var_for_a_variable_the_prompt_does_not_use(capsys, prompt_file):
    line = one_error_line(capsys, "run", str(prompt_file), "--var", "topic=tides", "--var", "topik=x")
    assert "--var topik" in line and "{{topik}}" in line and "tone, topic" in line


def test_var_with_p_text_that_has_no_variables(capsys):
    assert "(its variables: none)" in one_error_line(capsys, "run", "-p", "hi", "--var", "name=Ada")


def test_missing_variable_is_named(capsys, prompt_file):
    assert "{{topic}}" in one_error_line(capsys, "run", str(prompt_file))


@pytest.mark.parametrize("value", ["0", "-5"])
def test_max_tokens_not_positive(capsys, prompt_file, value):
    line = one_error_line(capsys, "run", str(prompt_file), "--var", "topic=tides", "--max-tokens", value)
    assert "positive" in line


def test_max_tokens_above_the_models_limit_is_refused_before_sending(capsys, prompt_file):
    line = one_error_line(capsys, "run", str(prompt_file), "--var", "topic=tides", "--max-tokens", "999999999")
    assert "max_tokens is 999,999,999" in line and "Claude Haiku 4.5 writes at most 64,000" in line


def test_max_tokens_in_the_file_above_the_limit_is_refused_too(capsys, tmp_path):
    data = json.loads(json.dumps(PROMPT_FILE))
    data["request"]["max_tokens"] = 100_000
    path = tmp_path / "big.prompt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    line = one_error_line(capsys, "count", str(path), "--var", "topic=tides")
    assert line.startswith("error: $.max_tokens: max_tokens is 100,000")


def test_empty_model_name(capsys):
    assert "--model must name a model" in one_error_line(capsys, "run", "-p", "hi", "--model", " ")


def test_file_and_p_together(capsys, prompt_file):
    assert "not both" in one_error_line(capsys, "run", str(prompt_file), "-p", "hi")


def test_neither_file_nor_p(capsys):
    assert "-p TEXT" in one_error_line(capsys, "run")


def test_system_with_a_file(capsys, prompt_file):
    assert "--system goes with -p" in one_error_line(capsys, "run", str(prompt_file), "--system", "x")


@pytest.mark.parametrize("args", [["run", "--max-tokens", "many", "-p", "x"], ["fly"], []])
def test_argparse_errors_exit_2(capsys, args):
    # main() returns argparse's exit code rather than raising SystemExit: tests and callers get a number.
    assert main(args) == 2 and "usage:" in capsys.readouterr().err


def test_help_goes_to_the_given_stream_and_exits_0(cli):
    done = cli("run", "--help")
    assert done.code == 0 and "--max-tokens" in done.out and done.err == ""
    assert cli("--max-tokens").code == 2


def test_bad_backend_setting(capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_BACKEND", "cloud")
    assert "api, simulator, auto" in one_error_line(capsys, "run", "-p", "hi")


@pytest.mark.parametrize("command", ["run", "count"])
def test_a_bad_price_file_is_bad_input(capsys, monkeypatch, tmp_path, command):
    bad = tmp_path / "prices.json"
    bad.write_text('{"format": "nope"}', encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_PRICES", str(bad))
    line = one_error_line(capsys, command, "-p", "hi")
    assert str(bad) in line and "$.format" in line and "unset WORKBENCH_PRICES" in line


def test_a_missing_price_file_is_bad_input(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_PRICES", str(tmp_path / "gone.json"))
    assert "cannot read price file" in one_error_line(capsys, "run", "-p", "hi")


def test_workbench_home_that_is_a_file(capsys, monkeypatch, tmp_path):
    not_a_folder = tmp_path / "home-file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_HOME", str(not_a_folder / "sub"))
    line = one_error_line(capsys, "run", "-p", "hi")
    assert "cannot use the call log under WORKBENCH_HOME" in line and "writable folder" in line


def test_a_corrupt_call_log(capsys, workbench_home):
    workbench_home.mkdir(parents=True)
    (workbench_home / "calls.db").write_bytes(b"this is not a database" * 300)
    line = one_error_line(capsys, "run", "-p", "hi")
    assert "not a database" in line and "calls.db aside" in line


@pytest.mark.parametrize("command", [[], ["run"], ["count"]])
def test_every_subcommand_has_help(capsys, command):
    code = main([*command, "--help"])
    output = capsys.readouterr().out
    assert code == 0 and "usage:" in output and len(output.splitlines()) > 3


def test_api_error_line_says_the_message_once(capsys, monkeypatch, simulator, tmp_path):
    # An image of a type the API does not take passes the file checks and the rule book (content
    # block shapes are the API's to judge); the API answers 400 naming the field.
    data = json.loads(json.dumps(PROMPT_FILE))
    data["request"]["messages"][0]["content"] = [
        {"type": "text", "text": "Describe {{topic}}."},
        {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}]
    path = tmp_path / "odd.prompt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    assert main(["run", str(path), "--var", "topic=tides"]) == 1
    line = capsys.readouterr().err.strip()
    assert "invalid_request_error (HTTP 400" in line and line.count("media_type") == 1


def test_connection_error_line_reads_cleanly(capsys):
    assert main(["run", "-p", "hi"]) == 1
    line = capsys.readouterr().err.strip()
    assert "connection_error (no HTTP status" in line and "ANTHROPIC_BASE_URL" in line and ".." not in line


def test_p_without_model_uses_the_default_model_rule(capsys, monkeypatch, simulator):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    assert main(["run", "-p", "hi", "--json", "--max-tokens", "20"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "claude-sonnet-5-5"
