"""{{variable}} discovery and substitution: where templates live, and text that merely has braces."""
from __future__ import annotations

import copy

import pytest

from workbench.templating import MissingVariableError, filled_values, find_variables, render_text, substitute


def request_with_variables_everywhere() -> dict:
    return {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "system": [{"type": "text", "text": "You are {{role}}."}],
        "messages": [
            {"role": "user", "content": "Hello {{ name }}, about {{topic}}"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Sure, {{name}}."},
                {"type": "tool_use", "id": "t1", "name": "search", "input": {"q": "{{not_a_template}}"}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "result for {{topic}} in {{year}}"},
                {"type": "tool_result", "tool_use_id": "t2",
                 "content": [{"type": "text", "text": "nested {{nested_var}}"}]},
                {"type": "text", "text": "Now in {{language}}"},
            ]},
        ],
        "tools": [{"name": "search", "description": "Search the {{corpus}}",
                   "input_schema": {"type": "object", "description": "{{schema_var}}"}}],
    }


def test_find_variables_searches_every_documented_place_in_order():
    assert find_variables(request_with_variables_everywhere()) == [
        "role", "name", "topic", "year", "nested_var", "language", "corpus"]


def test_system_as_a_plain_string():
    assert find_variables({"system": "Hi {{a}} {{b}} {{a}}", "messages": []}) == ["a", "b"]


def test_substitute_fills_every_place_and_returns_a_deep_copy():
    original = request_with_variables_everywhere()
    values = {"role": "a librarian", "name": "Ada", "topic": "owls", "year": "2026",
              "nested_var": "N", "language": "Welsh", "corpus": "catalog"}
    result = substitute(original, values)
    assert result["system"][0]["text"] == "You are a librarian."
    assert result["messages"][0]["content"] == "Hello Ada, about owls"
    assert result["messages"][1]["content"][0]["text"] == "Sure, Ada."
    assert result["messages"][2]["content"][0]["content"] == "result for owls in 2026"
    assert result["messages"][2]["content"][1]["content"][0]["text"] == "nested N"
    assert result["messages"][2]["content"][2]["text"] == "Now in Welsh"
    assert result["tools"][0]["description"] == "Search the catalog"
    # Places that are not templates stay exactly as written.
    assert result["messages"][1]["content"][1]["input"] == {"q": "{{not_a_template}}"}
    assert result["tools"][0]["input_schema"]["description"] == "{{schema_var}}"
    # The original is untouched.
    assert original == request_with_variables_everywhere()
    result["messages"][0]["content"] = "x"
    assert original["messages"][0]["content"] == "Hello {{ name }}, about {{topic}}"


def test_missing_variables_are_all_named():
    with pytest.raises(MissingVariableError) as caught:
        substitute(request_with_variables_everywhere(), {"name": "Ada", "year": "2026"})
    assert caught.value.names == ["role", "topic", "nested_var", "language", "corpus"]
    for name in caught.value.names:
        assert "{{" + name + "}}" in str(caught.value)


def test_extra_values_are_ignored():
    assert render_text("Hi {{a}}", {"a": "1", "unused": "2"}) == "Hi 1"


@pytest.mark.parametrize("text, expected", [
    ("{{name}}", "Ada"),
    ("{{ name }}", "Ada"),
    ("{{\tname  }}", "Ada"),
    ("{{name}}{{name}}", "AdaAda"),
    ("{{{name}}}", "{Ada}"),
    ("{{user.first-name}}", "Grace"),
])
def test_variable_spellings(text, expected):
    assert render_text(text, {"name": "Ada", "user.first-name": "Grace"}) == expected


@pytest.mark.parametrize("text", [
    '{"a": {"b": 1}}',
    "function f() {{}}",
    "{{}}",
    "{{ }}",
    "{{ 1x }}",
    "{{1x}}",
    "{{a b}}",
    "{ name }",
    "{name}",
    "{{name}",
    "{name}}",
    "{{\nname\n}}",
    "{{-name}}",
    "a {{ b",
    "}} {{",
    "${{ github.ref }x}",
])
def test_text_that_merely_contains_braces_is_left_alone(text):
    request = {"system": text, "messages": [{"role": "user", "content": text}]}
    assert find_variables(request) == []
    assert substitute(request, {}) == request
    assert render_text(text, {}) == text


def test_substituted_values_are_not_expanded_again():
    values = {"a": "{{b}}", "b": "B"}
    assert render_text("{{a}} {{b}}", values) == "{{b}} B"
    result = substitute({"messages": [{"role": "user", "content": "{{a}}"}]}, {"a": "{{missing}}"})
    assert result["messages"][0]["content"] == "{{missing}}"


def test_values_with_backslashes_and_group_references_are_literal():
    assert render_text("{{a}}", {"a": r"C:\new\1 \g<0>"}) == r"C:\new\1 \g<0>"


def test_requests_without_template_places_are_fine():
    assert find_variables({"model": "m"}) == []
    assert substitute({"model": "m", "messages": [{"role": "user", "content": [{"type": "image"}]}]}, {}) == {
        "model": "m", "messages": [{"role": "user", "content": [{"type": "image"}]}]}


def test_find_variables_leaves_the_request_untouched():
    original = request_with_variables_everywhere()
    before = copy.deepcopy(original)
    find_variables(original)
    assert original == before


def test_blank_values_do_not_count_as_filled():
    values = {"topic": "tides", "tone": "   ", "lang": "", "unused": "x"}
    assert filled_values(values, ["topic", "tone", "lang"]) == {"topic": "tides"}
    assert filled_values(values) == {"topic": "tides", "unused": "x"}
    assert filled_values(None) == {}
