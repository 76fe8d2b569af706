"""The API key is never written anywhere: not to stdout, stderr, the log output, nor any file under WORKBENCH_HOME."""
from __future__ import annotations

import logging

import pytest

from workbench.cli import main

# Canary keys: distinctive, and plainly not real. The simulator rejects keys starting "bad".
GOOD_CANARY = "canary-key-GOOD-7f3a9c"
BAD_CANARY = "bad-canary-key-REJECTED-41d2e8"


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def prompt_file(tmp_path):
    path = tmp_path / "hi.prompt.json"
    path.write_text('{"format": "workbench.prompt/1", "name": "hi", "request": {"model": "claude-haiku-4-5", '
                    '"max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}}', encoding="utf-8")
    return path


def test_no_path_writes_the_key(capsys, caplog, monkeypatch, simulator, workbench_home, prompt_file):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    printed: list[str] = []

    monkeypatch.setenv("ANTHROPIC_API_KEY", GOOD_CANARY)
    for args, expected_code in [
        (["run", str(prompt_file), "--verbose"], 0),
        (["run", str(prompt_file), "--json"], 0),
        (["run", str(prompt_file), "--no-stream", "--verbose"], 0),
        (["count", str(prompt_file), "--json"], 0),
        (["run", "-p", "hi", "--model", "claude-nonexistent-9", "--verbose"], 1),   # 404
    ]:
        code, output = run_cli(capsys, *args)
        assert code == expected_code, output
        printed.append(output)

    monkeypatch.setenv("ANTHROPIC_API_KEY", BAD_CANARY)
    for args in (["run", str(prompt_file), "--verbose"], ["run", str(prompt_file), "--json"]):
        code, output = run_cli(capsys, *args)
        assert code == 1 and "authentication_error" in output and "HTTP 401" in output
        printed.append(output)
    code, output = run_cli(capsys, "count", str(prompt_file))  # 401 while counting: an API error, as in run
    assert code == 1 and "authentication_error" in output
    printed.append(output)

    files = files_under(workbench_home)
    assert any(path.name == "calls.db" for path in files)
    for canary in (GOOD_CANARY, BAD_CANARY):
        for output in printed:
            assert canary not in output
        assert canary not in caplog.text
        for path in files:  # calls.db and any -wal/-shm beside it, read as raw bytes
            assert canary.encode() not in path.read_bytes(), path
