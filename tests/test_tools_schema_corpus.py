"""The tool-file corpus: each file and the finding it must produce (tests/data/tool_corpus/expected.json)."""
from __future__ import annotations

import json
from pathlib import Path

import anthropic
import pytest

from workbench.tool_library import ToolFileError, read_tool_file, tool_file_findings

CORPUS = Path(__file__).parent / "data" / "tool_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())["expected"]


def test_corpus_is_big_enough_and_complete():
    files = {path.name.removesuffix(".tool.json") for path in CORPUS.glob("*.tool.json")}
    assert files == set(EXPECTED)
    assert len(files) >= 30
    assert sum(value is None for value in EXPECTED.values()) >= 10  # valid ones too
    assert sum(value is not None and value["severity"] == "error" for value in EXPECTED.values()) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_produces_its_finding(name):
    expected = EXPECTED[name]
    path = CORPUS / f"{name}.tool.json"
    try:
        value = read_tool_file(path)
    except ToolFileError as error:
        assert expected is not None and expected["code"] == "not_json", f"{name}: {error}"
        assert f"{path}: $: not valid JSON" in str(error)
        return
    findings = tool_file_findings(value)
    if expected is None:
        assert findings == [], [finding.line() for finding in findings]
        return
    matching = [finding for finding in findings if finding.code == expected["code"] and finding.path == expected["path"]]
    assert matching, f"{name}: expected {expected}, got {[(f.code, f.path) for f in findings]}"
    assert matching[0].severity == expected["severity"]
    assert matching[0].message and matching[0].fix  # every finding says what to do
    if expected["severity"] == "warning":
        assert not any(finding.is_error for finding in findings), [f.line() for f in findings]


def test_valid_corpus_tools_are_accepted_by_the_simulator(client):
    """What the validator calls valid, the API stand-in accepts (one request with every valid tool)."""
    tools = [read_tool_file(CORPUS / f"{name}.tool.json") for name, expected in sorted(EXPECTED.items())
             if expected is None]
    reply = client.messages.create(model="claude-sonnet-5", max_tokens=64, tools=tools,
                                   messages=[{"role": "user", "content": "Hello"}])
    assert reply.content  # accepted: a reply, not a 400


REFUSED_CODES = ("name_invalid", "input_schema_type", "type_unknown", "schema_invalid",
                 "strict_additional_properties", "input_schema_missing")


@pytest.mark.parametrize("name", [name for name, expected in sorted(EXPECTED.items())
                                  if expected and expected["code"] in REFUSED_CODES])
def test_errors_the_simulator_also_refuses(client, name):
    """Errors are what the API refuses: the simulator (which stands for it) answers 400 to each."""
    tool = read_tool_file(CORPUS / f"{name}.tool.json")
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model="claude-sonnet-5", max_tokens=64, tools=[tool],
                               messages=[{"role": "user", "content": "Hello"}])


def test_tool_fields_match_the_sdk():
    from anthropic.types import ToolParam

    from workbench.tools_schema import TOOL_FIELDS

    assert TOOL_FIELDS == frozenset(ToolParam.__annotations__)


def test_a_ref_outside_the_schema_is_an_error_and_never_fetched():
    from workbench.tools_schema import input_violations, validate_tool

    tool = {"name": "x", "description": "Check the reference handling of tool schemas here.",
            "input_schema": {"type": "object", "properties": {
                "a": {"$ref": "http://127.0.0.1:9/evil.json", "description": "A."},
                "b": {"$ref": "#/$defs/missing", "description": "B."}}}}
    found = {(finding.code, finding.path) for finding in validate_tool(tool)}
    assert ("ref_unresolvable", "$.input_schema.properties.a") in found
    assert ("ref_unresolvable", "$.input_schema.properties.b") in found
    assert input_violations(tool["input_schema"], {"a": 1})[0].code == "schema_unusable"
