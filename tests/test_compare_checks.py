"""Per-case checks of the Compare test cases: substring, regex, JSON schema."""
from __future__ import annotations

import json

from workbench.compare_cases import CaseCheck, parse_json_answer, _NOT_JSON

PERSON_SCHEMA = json.dumps(
    {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name"]}
)


def test_contains_passes_on_the_exact_substring_only():
    check = CaseCheck("contains", "Paris")
    assert check.evaluate("The capital is Paris.").passed
    outcome = check.evaluate("The capital is paris.")
    assert not outcome.passed
    assert outcome.detail == "missing 'Paris'"


def test_regex_searches_anywhere_in_the_answer():
    check = CaseCheck("regex", r"\b\d{4}\b")
    assert check.evaluate("It happened in 1969, in July.").passed
    assert not check.evaluate("It happened in the sixties.").passed


def test_json_schema_valid_answer_passes():
    assert CaseCheck("json_schema", PERSON_SCHEMA).evaluate('{"name": "Ada", "age": 36}').passed


def test_json_schema_names_the_failing_path():
    outcome = CaseCheck("json_schema", PERSON_SCHEMA).evaluate('{"name": "Ada", "age": "old"}')
    assert not outcome.passed
    assert outcome.detail.startswith("schema: $.age:")


def test_json_schema_fails_plain_text_with_a_clear_reason():
    outcome = CaseCheck("json_schema", PERSON_SCHEMA).evaluate("Sure! Here is the person.")
    assert (outcome.passed, outcome.detail) == (False, "output is not JSON")


def test_json_in_a_fence_counts_as_json():
    assert parse_json_answer('Here:\n```json\n{"name": "Ada"}\n```\n') == {"name": "Ada"}
    assert parse_json_answer("no json here") is _NOT_JSON
    assert parse_json_answer("  [1, 2]  ") == [1, 2]
