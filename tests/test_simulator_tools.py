"""Tool use: tool_choice rules, inputs valid against the tool's schema, and replies to tool results."""
from __future__ import annotations

import anthropic
import jsonschema
import pytest

MODEL = "claude-sonnet-4-6"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Look up the current weather forecast for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 2, "maxLength": 40},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "when": {"type": "string", "format": "date"},
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
            "location": {
                "type": "object",
                "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90},
                               "lon": {"type": "number", "minimum": -180, "maximum": 180}},
                "required": ["lat", "lon"],
            },
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4,
                     "uniqueItems": True},
            "ref": {"$ref": "#/$defs/reference"},
            "note": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 5}]},
        },
        "required": ["city", "unit", "days", "when", "code", "location", "tags", "ref"],
        "$defs": {"reference": {"type": "object", "properties": {"id": {"type": "integer", "multipleOf": 5}},
                                "required": ["id"]}},
    },
}
CALC_TOOL = {
    "name": "calculator",
    "description": "Evaluate arithmetic.",
    "input_schema": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]},
}


def tool_uses(message):
    return [block for block in message.content if block.type == "tool_use"]


def test_auto_calls_a_mentioned_tool_with_valid_input(client):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, tools=[CALC_TOOL, WEATHER_TOOL],
        messages=[{"role": "user", "content": "What is the weather in Paris tomorrow?"}],
    )
    assert message.stop_reason == "tool_use"
    (call,) = tool_uses(message)
    assert call.name == "get_weather" and call.id.startswith("toolu_")
    jsonschema.validate(call.input, WEATHER_TOOL["input_schema"])


def test_auto_without_a_mention_answers_in_text(client):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL],
        messages=[{"role": "user", "content": "Write a haiku about tea"}],
    )
    assert message.stop_reason == "end_turn" and not tool_uses(message)


@pytest.mark.parametrize("seed_text", ["hello", "compose a limerick", "list three colours", "a b c"])
def test_any_always_calls_a_tool_with_schema_valid_input(client, seed_text):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
        messages=[{"role": "user", "content": seed_text}],
    )
    assert message.stop_reason == "tool_use"
    assert [block.type for block in message.content] == ["tool_use"]  # forced: no text first
    jsonschema.validate(message.content[0].input, WEATHER_TOOL["input_schema"])


def test_tool_choice_tool_and_none(client):
    messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
    forced = client.messages.create(model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL, CALC_TOOL],
                                    tool_choice={"type": "tool", "name": "calculator"}, messages=messages)
    assert [call.name for call in tool_uses(forced)] == ["calculator"]
    jsonschema.validate(tool_uses(forced)[0].input, CALC_TOOL["input_schema"])
    never = client.messages.create(model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL],
                                   tool_choice={"type": "none"}, messages=messages)
    assert not tool_uses(never) and never.stop_reason == "end_turn"


def test_forced_tool_choice_is_rejected_on_opus_5_5(client):
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="claude-opus-5-5", max_tokens=1000, tools=[WEATHER_TOOL],
                               tool_choice={"type": "any"}, messages=[{"role": "user", "content": "weather?"}])
    assert caught.value.type == "invalid_request_error"
    assert "tool_choice" in caught.value.api_message


def test_streamed_tool_use_matches_json_reply(client):
    request = dict(model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
                   messages=[{"role": "user", "content": "forecast please"}])
    plain = client.messages.create(**request)
    partial_json = []
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                partial_json.append(event.delta.partial_json)
        final = stream.get_final_message()
    assert len(partial_json) > 2
    assert tool_uses(final)[0].input == tool_uses(plain)[0].input
    assert tool_uses(final)[0].id == tool_uses(plain)[0].id


def test_tool_result_gets_a_text_reply_mentioning_it(client):
    question = {"role": "user", "content": "What is the weather in Lisbon?"}
    first = client.messages.create(model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL], messages=[question])
    (call,) = tool_uses(first)
    follow_up = client.messages.create(
        model=MODEL, max_tokens=1000, tools=[WEATHER_TOOL],
        messages=[question, {"role": "assistant", "content": first.content},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id,
                                                 "content": "Sunny, 24 degrees"}]}],
    )
    assert follow_up.stop_reason == "end_turn"
    assert "Sunny, 24 degrees" in "".join(b.text for b in follow_up.content if b.type == "text")


def test_tool_result_without_matching_tool_use_is_rejected(client):
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=100, messages=[
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_missing", "content": "x"}]},
        ])
