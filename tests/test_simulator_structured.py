"""output_config.format: the reply text is JSON valid against the schema; effort is checked per model."""
from __future__ import annotations

import json

import anthropic
import jsonschema
import pytest

SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "genres": {"type": "array", "items": {"type": "string", "enum": ["drama", "comedy", "horror"]}},
        "details": {
            "type": "object",
            "properties": {"year": {"type": "integer"}, "score": {"type": "number"}, "seen": {"type": "boolean"}},
            "required": ["year", "score", "seen"],
            "additionalProperties": False,
        },
        "note": {"type": ["string", "null"]},
    },
    "required": ["title", "rating", "genres", "details", "note"],
    "additionalProperties": False,
}


def test_text_is_json_valid_against_the_schema(client):
    message = client.messages.create(
        model="claude-sonnet-5-5", max_tokens=1000,
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}, "effort": "low"},
        messages=[{"role": "user", "content": "Review the film Alien"}],
    )
    text = "".join(block.text for block in message.content if block.type == "text")
    jsonschema.validate(json.loads(text), SCHEMA)
    assert message.stop_reason == "end_turn"


def test_object_without_additional_properties_false_is_rejected(client):
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="claude-sonnet-5-5", max_tokens=100,
                               output_config={"format": {"type": "json_schema", "schema": loose}},
                               messages=[{"role": "user", "content": "hi"}])
    assert "additionalProperties" in caught.value.api_message


def test_format_rejected_without_structured_outputs():
    # Every model still served supports structured outputs, so the rule is checked on a catalog entry
    # without the capability (the retired ones lacked it, but a retired model is a 404 first).
    from workbench.simulator.errors import ApiError
    from workbench.simulator.validation import _check_output_config
    with pytest.raises(ApiError, match="structured outputs are not supported"):
        _check_output_config({"format": {"type": "json_schema", "schema": SCHEMA}}, {"id": "old", "capabilities": {}})


def test_effort_checked_against_model_capabilities(client):
    with pytest.raises(anthropic.BadRequestError):  # haiku 4.5 has no effort
        client.messages.create(model="claude-haiku-4-5", max_tokens=100, output_config={"effort": "low"},
                               messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.BadRequestError):  # sonnet 5.5 has no xhigh
        client.messages.create(model="claude-sonnet-5-5", max_tokens=100, output_config={"effort": "xhigh"},
                               messages=[{"role": "user", "content": "hi"}])
    ok = client.messages.create(model="claude-opus-5", max_tokens=100, output_config={"effort": "xhigh"},
                                messages=[{"role": "user", "content": "hi"}])
    assert ok.type == "message"
