"""Every locally detectable problem exits 2 with one line and sends nothing (counted at a proxy in
front of the simulator); an unknown model is the API's to answer, exit 1 from run and count alike."""
from __future__ import annotations

import io
import json

import pytest

from recording_proxy import RecordingProxy
from workbench.cli import main

TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


@pytest.fixture
def proxy(simulator, monkeypatch):
    recording = RecordingProxy(simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", recording.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    yield recording
    recording.stop()


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def prompt_file(tmp_path, name: str = "p", variables: dict | None = None, **request) -> str:
    body = {"model": "claude-haiku-4-5", "max_tokens": 2048, "messages": [{"role": "user", "content": "Hi"}]}
    body.update(request)
    path = tmp_path / f"{name}.prompt.json"
    path.write_text(json.dumps({"format": "workbench.prompt/1", "variables": variables or {}, "request": body}),
                    encoding="utf-8")
    return str(path)


LOCAL_PROBLEMS = {
    "empty -p": (["-p", ""], "is empty"),
    "whitespace -p": (["-p", "   "], "only whitespace"),
    "empty content": ({"messages": [{"role": "user", "content": ""}]}, "is empty"),
    "budget missing": ({"thinking": {"type": "enabled"}}, "needs thinking.budget_tokens"),
    "budget below 1024": ({"thinking": {"type": "enabled", "budget_tokens": 512}}, "at least 1,024"),
    "budget not below max_tokens": ({"thinking": {"type": "enabled", "budget_tokens": 4096}}, "less than max_tokens"),
    "budget a string": ({"thinking": {"type": "enabled", "budget_tokens": "2000"}}, "whole number"),
    "unknown thinking type": ({"thinking": {"type": "sometimes"}}, "'sometimes'"),
    "thinking type the model lacks": ({"thinking": {"type": "adaptive"}}, "does not accept thinking type"),
    "invalid input_schema": ({"tools": [{"name": "t", "input_schema": {"type": "object", "properties": 5}}]},
                             "input_schema"),
    "tool without input_schema": ({"tools": [{"name": "t"}]}, "has no input_schema"),
    "tool name with a space": ({"tools": [{**TOOL, "name": "get weather"}]}, "characters the API refuses"),
    "credential-named field": ({"metadata": {"user_id": "u-1", "x-api-key": "abc"}}, "named like a credential"),
    "max_tokens over the model's limit": ({"max_tokens": 100_000}, "at most 64,000"),
    "forced tool use where refused": ({"model": "claude-opus-5-5", "tools": [TOOL], "tool_choice": {"type": "any"}},
                                      "forced tool use"),
}


@pytest.mark.parametrize("command", ["run", "count"])
@pytest.mark.parametrize("case", LOCAL_PROBLEMS, ids=list(LOCAL_PROBLEMS))
def test_a_local_problem_exits_2_with_one_line_and_sends_nothing(proxy, tmp_path, command, case):
    given, words = LOCAL_PROBLEMS[case]
    argv = [command, *given] if isinstance(given, list) else [command, prompt_file(tmp_path, **given)]
    code, out, err = cli(*argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], err
    assert proxy.messages_calls() == []


def test_a_blank_variable_exits_2_from_run_and_compare_alike(proxy, tmp_path):
    path = prompt_file(tmp_path, messages=[{"role": "user", "content": "Say hello to {{name}}."}])
    for argv in (["run", path, "--var", "name="], ["run", path, "--var", "name=  "], ["count", path],
                 ["compare", path, "--models", "claude-haiku-4-5,claude-sonnet-5-5", "--var", "name="]):
        code, _, err = cli(*argv)
        assert code == 2 and "Give {{name}} a value" in err, (argv, err)
    assert proxy.messages_calls() == []


def test_a_blank_variable_falls_back_to_the_prompt_default_in_run_and_compare(proxy, tmp_path):
    path = prompt_file(tmp_path, variables={"name": "Ada"},
                       messages=[{"role": "user", "content": "Say hello to {{name}}."}])
    code, out, err = cli("run", path, "--var", "name=", "--json")
    assert code == 0, err
    assert "Say hello to Ada." in json.loads(out)["text"]


def test_an_unknown_model_exits_1_from_run_and_count(proxy):
    for command in ("run", "count"):
        code, _, err = cli(command, "-p", "hi", "--model", "claude-nonexistent-9")
        assert code == 1, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "not_found_error" in lines[0] and "404" in lines[0], err
    assert [path for _, path in proxy.messages_calls()] == ["/v1/messages", "/v1/messages/count_tokens"]


def test_a_good_request_reaches_the_api_once(proxy):
    code, out, err = cli("run", "-p", "Say hi", "--model", "claude-haiku-4-5")
    assert code == 0, err
    assert "Simulated reply" in out
    assert proxy.messages_calls() == [("POST", "/v1/messages")]
