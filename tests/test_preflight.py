"""The rule book: problems (code, path, sentence, severity) and the options each model allows."""
from __future__ import annotations

import subprocess
import sys

import pytest

from workbench import preflight
from workbench.models import offline_catalog

CATALOG = offline_catalog()


def request(model: str = "claude-haiku-4-5", **changes) -> dict:
    body = {"model": model, "max_tokens": 2048, "messages": [{"role": "user", "content": "Say hi."}]}
    body.update(changes)
    return body


def codes(body: dict, values=None, **options) -> list[str]:
    return [problem.code for problem in preflight.check(body, CATALOG.get(body.get("model")), values, **options).problems]


def test_a_plain_request_has_no_problems():
    verdict = preflight.check(request(), CATALOG.get("claude-haiku-4-5"))
    assert verdict.ok and verdict.problems == ()


def test_each_problem_has_a_code_a_path_a_sentence_and_a_severity():
    body = request(thinking={"type": "enabled", "budget_tokens": 512})
    (problem,) = preflight.check(body, CATALOG.get("claude-haiku-4-5")).problems
    assert problem.code == "thinking_budget_too_small"
    assert problem.path == "$.thinking.budget_tokens"
    assert "at least 1,024" in problem.message and problem.message.endswith(".")
    assert problem.severity == "error"
    assert problem.line.startswith("$.thinking.budget_tokens: ")


@pytest.mark.parametrize("content", ["", "   ", "\n\t"])
def test_an_empty_or_whitespace_only_user_turn_is_an_error(content):
    assert codes(request(messages=[{"role": "user", "content": content}])) == ["empty_turn"]


def test_an_empty_final_assistant_turn_is_allowed_but_trailing_whitespace_is_not():
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]
    assert codes(request(messages=turns)) == []
    turns[-1]["content"] = "Sure "
    assert codes(request(messages=turns)) == ["prefill_trailing_whitespace"]


def test_a_blank_variable_is_an_error_and_a_filled_one_is_substituted():
    body = request(messages=[{"role": "user", "content": "Say hello to {{name}}."}])
    assert codes(body, {"name": "  "}) == ["variable_blank"]
    assert codes(body, {}) == ["variable_blank"]
    verdict = preflight.check(body, CATALOG.get("claude-haiku-4-5"), {"name": "Ada"})
    assert verdict.ok and verdict.request["messages"][0]["content"] == "Say hello to Ada."
    assert body["messages"][0]["content"] == "Say hello to {{name}}."  # the template is untouched


def test_without_values_variables_are_not_checked():
    body = request(messages=[{"role": "user", "content": "Say hello to {{name}}."}])
    assert codes(body) == []


@pytest.mark.parametrize(("thinking", "code"), [
    ({"type": "enabled"}, "thinking_budget_missing"),
    ({"type": "enabled", "budget_tokens": 100}, "thinking_budget_too_small"),
    ({"type": "enabled", "budget_tokens": 4096}, "thinking_budget_not_below_max_tokens"),
    ({"type": "enabled", "budget_tokens": "2000"}, "thinking_budget_not_integer"),
    ({"type": "sometimes"}, "thinking_type_unsupported"),
    ({"type": "adaptive"}, "thinking_type_unsupported"),  # Haiku 4.5 has manual thinking only
])
def test_thinking_rules(thinking, code):
    assert codes(request(thinking=thinking)) == [code]


def test_tool_rules_come_from_the_tools_validator():
    good = {"name": "get_weather", "description": "Get the weather for a city, today or for a few days ahead.",
            "input_schema": {"type": "object", "properties": {}}}
    assert codes(request(tools=[good])) == []
    assert codes(request(tools=[{**good, "name": "get weather"}])) == ["name_invalid"]
    assert codes(request(tools=[{**good, "name": "x" * 65}])) == ["name_invalid"]
    assert codes(request(tools=[{"name": "a", "description": good["description"]}])) == ["input_schema_missing"]
    assert codes(request(tools=[{**good, "input_schema": {"type": "string"}}])) == ["input_schema_type"]
    assert codes(request(tools=[{**good, "input_schema": {"type": "object", "properties": 5}}])) == ["schema_invalid"]
    assert codes(request(tools=[good, good])) == ["name_duplicate"]
    verdict = preflight.check(request(tools=[{**good, "description": "Weather."}]), CATALOG.get("claude-haiku-4-5"))
    assert verdict.ok and [problem.code for problem in verdict.warnings] == ["description_vague"]
    assert verdict.problems[0].path == "$.tools[0].description"


def test_strict_tools_need_a_model_with_structured_outputs():
    strict = {"name": "pick", "description": "Pick one answer from the list the user gives you.", "strict": True,
              "input_schema": {"type": "object", "properties": {}, "additionalProperties": False}}
    assert codes(request(tools=[strict])) == []
    # Every active model has structured outputs today; Sonnet 4 (retired) had none.
    assert codes({**request(tools=[strict]), "model": "claude-sonnet-4"}) == ["model_retired", "strict_tool_unsupported"]


def test_credential_like_extra_headers_are_an_error():
    assert codes(request(), headers={"Authorization": "Bearer x"}) == ["credential_header"]
    assert codes(request(), headers={"anthropic-beta": "x"}) == []


def test_an_unknown_model_is_a_warning_and_a_retired_one_an_error():
    verdict = preflight.check(request("claude-nonexistent-9"), None)
    assert verdict.ok and [problem.code for problem in verdict.warnings] == ["model_unknown"]
    assert codes(request("claude-opus-4-1")) == ["model_retired"]


def test_context_window_uses_the_counted_tokens():
    entry = CATALOG.get("claude-haiku-4-5")
    assert preflight.check(request(), entry, input_tokens=entry.max_input_tokens).ok
    verdict = preflight.check(request(), entry, input_tokens=entry.max_input_tokens + 1, tokens_exact=False)
    assert [problem.code for problem in verdict.errors] == ["context_window_exceeded"]
    assert "estimated" in verdict.errors[0].message


def test_options_follow_the_catalog_and_quirks():
    sonnet = preflight.model_options(CATALOG.get("claude-sonnet-5-5"))
    assert "between_tools" in sonnet.thinking_types  # a thinking type a request can ask for (SDK 2.14)
    assert not sonnet.forced_tool_choice and not sonnet.prefill
    assert sonnet.max_tokens_max == CATALOG.get("claude-sonnet-5-5").max_tokens
    assert sonnet.clamp_max_tokens(200_000) == sonnet.max_tokens_max
    assert sonnet.clamp_max_tokens(0) == 1
    assert sonnet.thinking_budget_min == 1024
    assert sonnet.thinking_budget_default(2048) == 1024 and sonnet.thinking_budget_max(2048) == 2047
    assert preflight.model_options(CATALOG.get("claude-sonnet-5")).sampling_parameters == ()
    unknown = preflight.model_options(None, "claude-x")
    assert not unknown.known and unknown.max_tokens_max is None


def test_a_rule_is_one_registered_function():
    assert all(callable(one_rule) for one_rule in preflight.RULES)
    assert len({one_rule.__name__ for one_rule in preflight.RULES}) == len(preflight.RULES)


def test_importing_the_rule_book_does_not_load_the_sdk():
    code = "import sys, workbench.preflight; print('anthropic' in sys.modules, 'streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_output_schemas_are_checked_as_json_schema_and_for_closed_objects():
    good = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    assert preflight.output_schema_problems(good) == []
    assert "Not a valid JSON Schema at $.type" in preflight.output_schema_problems({"type": "objekt"})[0]
    assert preflight.output_schema_problems([]) == ["The schema must be a JSON object."]
    nested = dict(good, properties={"a": {"type": "object", "properties": {}}})
    assert preflight.output_schema_problems(nested) == [
        '$.properties.a: an object schema needs "additionalProperties": false for structured output.']
    body = request(output_config={"format": {"type": "json_schema", "schema": nested}})
    assert codes(body) == ["output_schema_invalid"]


def test_unknown_top_level_fields_are_refused_as_the_api_does():
    assert codes(request(temperature=0.2, output_config={}, thinkng={})) == ["unknown_field"]


def test_every_turn_problem_is_named_with_its_path():
    body = request(messages=[{"role": "user", "content": ""}, {"role": "assistant", "content": "ok"},
                             {"role": "user", "content": "   "}, {"role": "assistant", "content": ""}])
    verdict = preflight.check(body, CATALOG.get("claude-haiku-4-5"))
    assert [(problem.code, problem.path) for problem in verdict.errors] == [
        ("empty_turn", "$.messages[0].content"), ("empty_turn", "$.messages[2].content")]
    assert verdict.errors[0].message == "Turn 1 (user) is empty: write it or remove it."
