"""Every SSE event and JSON body validates strictly (see sdk_strict) against the SDK's own types,
framed and ordered as the API sends them."""
from __future__ import annotations

import json
import re

import httpx2
import pytest
from anthropic.types import Message, MessageTokensCount, ModelInfo, RawMessageStreamEvent

from sdk_strict import assert_strict

HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
WEATHER_TOOL = {"name": "get_weather", "description": "Current weather for a city.", "input_schema": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1},
                                     "units": {"enum": ["metric", "imperial"]}},
    "required": ["city", "days", "units"]}}
LONG_SYSTEM = "You are a careful assistant for the wire-format tests. " * 120  # > 1024 tokens
RATE_LIMIT_HEADERS = [f"anthropic-ratelimit-{kind}-{part}" for kind in ("requests", "tokens", "input-tokens", "output-tokens")
                      for part in ("limit", "remaining", "reset")]

SCENARIOS = {
    "text": dict(model="claude-haiku-4-5", max_tokens=1000, messages=[{"role": "user", "content": "Say hello"}]),
    "tool_use_forced": dict(model="claude-haiku-4-5", max_tokens=1000, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
                            messages=[{"role": "user", "content": "Weather in Oslo"}]),
    "tool_use_auto": dict(model="claude-sonnet-4-6", max_tokens=1000, tools=[WEATHER_TOOL],
                          messages=[{"role": "user", "content": "What is the weather in Oslo?"}]),
    "thinking": dict(model="claude-haiku-4-5", max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024},
                     messages=[{"role": "user", "content": "Why is the sky blue?"}]),
    "thinking_by_default": dict(model="claude-opus-5-5", max_tokens=3000,
                                messages=[{"role": "user", "content": "How do tides work?"}]),
    "structured": dict(model="claude-opus-5", max_tokens=1000, output_config={"format": {"type": "json_schema", "schema": {
        "type": "object", "additionalProperties": False, "required": ["name", "tags"],
        "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}}},
        messages=[{"role": "user", "content": "Describe a cat as JSON"}]),
    "stop_sequence": dict(model="claude-haiku-4-5", max_tokens=1000, stop_sequences=["and"],
                          messages=[{"role": "user", "content": "Tell me a story"}]),
    "stop_sequence_at_start": dict(model="claude-haiku-4-5", max_tokens=1000, stop_sequences=["[Simulated"],
                                   messages=[{"role": "user", "content": "Tell me a story"}]),
    "max_tokens": dict(model="claude-haiku-4-5", max_tokens=7, messages=[{"role": "user", "content": "Tell me a story"}]),
    "max_tokens_zero": dict(model="claude-haiku-4-5", max_tokens=0, messages=[{"role": "user", "content": "Warm the cache"}]),
    "cached": dict(model="claude-sonnet-4-6", max_tokens=500, system=[{"type": "text", "text": LONG_SYSTEM,
                                                                       "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                   messages=[{"role": "user", "content": "Hello again"}]),
}


def parse_sse(text: str) -> list[tuple[str, str]]:
    """(event name, raw data) per event; asserts the API's framing: two lines, blank-line terminated."""
    assert text.endswith("\n\n") and "\r" not in text
    events = []
    for frame in text[:-2].split("\n\n"):
        lines = frame.split("\n")
        assert len(lines) == 2, frame
        assert lines[0].startswith("event: ") and lines[1].startswith("data: "), frame
        name, data = lines[0][len("event: "):], lines[1][len("data: "):]
        assert json.loads(data)["type"] == name
        events.append((name, data))
    return events


def check_stream(events: list[tuple[str, dict]]) -> dict:
    """Strict types, order and block bookkeeping of one stream; returns the message it assembles."""
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert "ping" in names[1:]
    assert names.count("message_start") == names.count("message_stop") == names.count("message_delta") == 1
    message: dict = {}
    blocks: list[dict] = []
    open_index = None
    for name, data in events:
        if name == "ping":
            assert json.loads(data) == {"type": "ping"}
            continue
        event = assert_strict(RawMessageStreamEvent, data)
        raw = json.loads(data)
        if name == "message_start":
            message = raw["message"]
            assert message["content"] == [] and message["stop_reason"] is None
            usage = message["usage"]
            assert set(usage["cache_creation"]) == {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}
            assert usage["cache_creation_input_tokens"] == sum(usage["cache_creation"].values())
        elif name == "content_block_start":
            assert open_index is None and event.index == len(blocks)
            open_index = event.index
            blocks.append({**raw["content_block"], "_json": ""})
        elif name == "content_block_delta":
            assert event.index == open_index
            block, delta = blocks[open_index], raw["delta"]
            kind = {"text_delta": "text", "input_json_delta": "tool_use", "thinking_delta": "thinking",
                    "signature_delta": "thinking"}[delta["type"]]
            assert block["type"] == kind
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "input_json_delta":
                block["_json"] += delta["partial_json"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            else:
                assert not block["signature"], "one signature per thinking block"
                block["signature"] = delta["signature"]
        elif name == "content_block_stop":
            assert event.index == open_index
            open_index = None
        elif name == "message_delta":
            assert open_index is None
            # The API sends the cumulative counts, without the cache_creation breakdown.
            assert set(raw["usage"]) == {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                                         "output_tokens"}
            for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
                assert raw["usage"][key] == message["usage"][key]
            message.update(stop_reason=raw["delta"]["stop_reason"], stop_sequence=raw["delta"]["stop_sequence"])
            message["usage"] = {**message["usage"], "output_tokens": raw["usage"]["output_tokens"]}
    for block in blocks:
        partial = block.pop("_json")
        if block["type"] == "tool_use":
            block["input"] = json.loads(partial)  # the chunks concatenate to valid JSON
        if block["type"] == "thinking":
            assert block["signature"]
    message["content"] = blocks
    return message


def _same_reply(streamed: dict, message: dict) -> None:
    assert streamed["content"] == message["content"]
    assert streamed["stop_reason"] == message["stop_reason"]
    assert streamed["stop_sequence"] == message["stop_sequence"]
    assert streamed["usage"]["output_tokens"] == message["usage"]["output_tokens"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_json_body_and_both_stream_readings_validate_strictly(client, simulator, name):
    request = SCENARIOS[name]
    raw = client.messages.with_raw_response.create(**request)
    message_model = assert_strict(Message, raw.http_response.text)
    message = json.loads(raw.http_response.text)
    assert raw.headers["content-type"] == "application/json"

    # 1. Through the SDK: create(stream=True) yields the RawMessageStreamEvents it parsed.
    sdk_events = []
    for event in client.messages.create(**request, stream=True):
        sdk_events.append((event.type, json.dumps(event.to_dict(mode="json"))))
    sdk_events.insert(1, ("ping", '{"type": "ping"}'))  # the SDK drops pings; their place is checked below
    _same_reply(check_stream(sdk_events), message)

    # 2. Raw bytes over httpx2: framing, headers, and the pings the SDK hides.
    with httpx2.Client(timeout=30) as http:
        with http.stream("POST", f"{simulator.base_url}/v1/messages", json={**request, "stream": True},
                         headers=HEADERS) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers
            assert response.headers["request-id"].startswith("req_sim_")
            assert all(header in response.headers for header in RATE_LIMIT_HEADERS)
            text = response.read().decode()
    raw_events = parse_sse(text)
    assert not re.search(r'(?<!\\)": |(?<!\\)", "', text), "the API's JSON is compact"
    streamed = check_stream(raw_events)
    _same_reply(streamed, message)

    # The scenario really exercised what it is named after.
    kinds = [block.type for block in message_model.content]
    expected = {"tool_use_forced": "tool_use", "tool_use_auto": "tool_use", "thinking": "thinking",
                "thinking_by_default": "thinking"}.get(name)
    if expected:
        assert expected in kinds
    if name.startswith("stop_sequence"):
        assert message_model.stop_reason == "stop_sequence" and message_model.stop_sequence
    if name.startswith("max_tokens"):
        assert message_model.stop_reason == "max_tokens"
    if name == "cached":
        # The raw stream is the third identical request within the hour: it reads the cache.
        assert streamed["usage"]["cache_read_input_tokens"] > 1024


def test_ping_follows_the_first_block_start_or_message_start(simulator):
    for request, after in ((SCENARIOS["text"], "content_block_start"), (SCENARIOS["max_tokens_zero"], "message_start")):
        response = httpx2.post(f"{simulator.base_url}/v1/messages", json={**request, "stream": True},
                               headers=HEADERS, timeout=30)
        names = [name for name, _ in parse_sse(response.text)]
        assert names[names.index("ping") - 1] == after


def test_count_tokens_and_models_validate_strictly(client):
    raw = client.messages.with_raw_response.count_tokens(**{
        key: value for key, value in SCENARIOS["tool_use_auto"].items() if key != "max_tokens"})
    assert_strict(MessageTokensCount, raw.http_response.text)
    listing = client.models.with_raw_response.list(limit=1000)
    page = json.loads(listing.http_response.text)
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    for model in page["data"]:
        assert_strict(ModelInfo, json.dumps(model))
    one = client.models.with_raw_response.retrieve(page["data"][0]["id"])
    assert_strict(ModelInfo, one.http_response.text)
