"""Tool inputs generated from many schema shapes validate (jsonschema, with format checks)."""
from __future__ import annotations

import jsonschema
import pytest

SCHEMAS = {
    "formats": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "mail": {"type": "string", "format": "email"},
        "at": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
        "site": {"type": "string", "format": "uri"}}, "required": ["id", "mail", "at", "day", "site"]},
    "numbers": {"type": "object", "properties": {
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "step": {"type": "number", "multipleOf": 0.5, "minimum": 2, "maximum": 4},
        "big": {"type": "integer", "minimum": 1000},
        "negative": {"type": "integer", "maximum": -5},
        "fixed": {"const": 42}}, "required": ["ratio", "step", "big", "negative", "fixed"]},
    "combinators": {"type": "object", "properties": {
        "merged": {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                             {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]},
        "either": {"oneOf": [{"type": "integer", "minimum": 10, "maximum": 20},
                             {"type": "string", "maxLength": 0}]},
        "maybe": {"type": ["null", "string"], "minLength": 3}}, "required": ["merged", "either", "maybe"]},
    "collections": {"type": "object", "properties": {
        "rows": {"type": "array", "minItems": 3, "items": {"type": "object", "properties": {
            "name": {"type": "string", "pattern": "^(alpha|beta)-[a-f0-9]{4}$"},
            "tags": {"type": "array", "items": {"enum": ["x", "y", "z"]}, "maxItems": 2}},
            "required": ["name", "tags"], "additionalProperties": False}},
        "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2},
        "bag": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}},
        "empty": {"type": "object", "properties": {}, "additionalProperties": False}},
        "required": ["rows", "pair", "bag", "empty"]},
    "recursive": {"type": "object", "properties": {"root": {"$ref": "#/$defs/node"}}, "required": ["root"],
                  "$defs": {"node": {"type": "object", "properties": {
                      "value": {"type": "integer"},
                      "children": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/node"}}},
                      "required": ["value"]}}},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("prompt", ["first prompt", "second prompt", "third prompt"])
def test_generated_input_is_valid(client, name, prompt):
    schema = SCHEMAS[name]
    message = client.messages.create(
        model="claude-haiku-4-5", max_tokens=4000,
        tools=[{"name": f"tool_{name}", "description": "Test tool.", "input_schema": schema}],
        tool_choice={"type": "any"}, messages=[{"role": "user", "content": prompt}],
    )
    (call,) = [block for block in message.content if block.type == "tool_use"]
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [error.message for error in validator.iter_errors(call.input)]
    assert not errors, (call.input, errors)
