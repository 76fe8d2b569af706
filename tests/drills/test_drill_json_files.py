"""Prompt files nested absurdly deep, or with a key given twice, are refused in one line."""
from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.spec import PromptFileError, loads_prompt, loads_strict_json

PROMPT_HEAD = '{"format": "workbench.prompt/1", "name": "deep", "variables": {}, "request": '


def _deep_prompt(levels: int) -> str:
    request = ('{"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}], '
               '"metadata": ' + "[" * levels + "]" * levels + "}")
    return PROMPT_HEAD + request + "}"


@pytest.mark.parametrize("command", ["run", "count"])
def test_a_prompt_nested_ten_thousand_levels_exits_2_with_one_line(tmp_path, capsys, command):
    path = tmp_path / "deep.prompt.json"
    path.write_text(_deep_prompt(10_000))
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "nested too deeply" in lines[0] and str(path) in lines[0]
    assert "Traceback" not in captured.err + captured.out


def test_nesting_that_parses_but_is_too_deep_to_handle_is_refused_too():
    with pytest.raises(PromptFileError, match="nested too deeply"):
        loads_prompt(_deep_prompt(500))


def test_a_repeated_key_is_refused_with_its_path(tmp_path, capsys):
    text = (PROMPT_HEAD + '{"model": "claude-haiku-4-5", "max_tokens": 10, '
            '"messages": [{"role": "user", "content": "first", "content": "second"}]}}')
    with pytest.raises(PromptFileError) as refused:
        loads_prompt(text, "dup.prompt.json")
    assert refused.value.json_path == "$.request.messages[0]"
    assert "'content' appears more than once" in str(refused.value)
    path = tmp_path / "dup.prompt.json"
    path.write_text(text)
    assert main(["run", str(path)]) == 2
    assert "$.request.messages[0]" in capsys.readouterr().err


def test_a_repeated_top_level_key_is_refused():
    with pytest.raises(ValueError, match="'model' appears more than once"):
        loads_strict_json('{"model": "a", "model": "b"}')


def test_ordinary_json_still_parses():
    assert loads_strict_json(json.dumps({"a": [{"b": 1}, {"b": 2}], "c": {"d": None}})) == {
        "a": [{"b": 1}, {"b": 2}], "c": {"d": None}}


def test_a_cases_schema_with_a_repeated_key_is_refused_and_a_deep_answer_fails_its_check():
    from workbench.compare_cases import CaseCheck, CasesTableError, load_cases_csv

    with pytest.raises(CasesTableError, match="appears more than once"):
        load_cases_csv('topic,check,expected\nx,json_schema,"{""type"": ""object"", ""type"": ""array""}"\n', ["topic"])
    outcome = CaseCheck("json_schema", '{"type": "array"}').evaluate("[" * 10_000 + "]" * 10_000)
    assert not outcome.passed and outcome.detail == "output is not JSON"
