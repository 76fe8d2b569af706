"""stream_run against the simulator: deltas, final text, timings, usage priced, thinking and tool use."""
from __future__ import annotations

import json

from workbench.pricing import load_price_table
from workbench.runner import (
    RunDone,
    TextDelta,
    ThinkingDelta,
    ToolUseReady,
    ToolUseStarted,
    run_once,
    stream_run,
)

MODEL = "claude-haiku-4-5"


def make_request(text: str = "Write two sentences about rivers.", model: str = MODEL, **changes) -> dict:
    request = {"model": model, "max_tokens": 400, "messages": [{"role": "user", "content": text}]}
    request.update(changes)
    return request


def test_streamed_text_equals_final_text(client):
    events = list(stream_run(client, make_request()))
    assert isinstance(events[-1], RunDone)
    assert sum(isinstance(event, RunDone) for event in events) == 1
    result = events[-1].result
    streamed = "".join(event.text for event in events if isinstance(event, TextDelta))
    assert result.ok and not result.partial
    assert streamed and streamed == result.text
    assert [block["text"] for block in result.content if block["type"] == "text"] == [result.text]


def test_timings_are_measured(client):
    result = run_once(client, make_request())
    assert result.ttft_ms is not None and 0 < result.ttft_ms < result.latency_ms
    assert result.output_tokens_per_s is not None and result.output_tokens_per_s > 0
    generating_s = (result.latency_ms - result.ttft_ms) / 1000
    assert abs(result.output_tokens_per_s - result.usage.output_tokens / generating_s) < 1e-6


def test_usage_is_priced_with_the_price_table(client):
    prices = load_price_table()
    result = run_once(client, make_request(), prices=prices)
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert result.cost.known
    assert result.cost == prices.cost(result.usage, MODEL)
    assert result.cost.price_version == prices.version


def test_unknown_price_stays_unknown(client, tmp_path):
    # A price table without this model: the cost must say "unknown" with the reason, never $0.
    table = json.loads(open(load_price_table().source_path, encoding="utf-8").read())
    table["prices"] = [row for row in table["prices"] if row["model"] != MODEL]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    result = run_once(client, make_request(), prices=load_price_table(path))
    assert result.ok and result.usage.output_tokens > 0
    assert result.cost.usd is None and MODEL in result.cost.reason


def test_result_describes_the_run(client):
    request = make_request()
    result = run_once(client, request, source="compare", prompt_name="rivers")
    assert result.model == MODEL and result.request == request
    assert result.source == "compare" and result.prompt_name == "rivers"
    assert result.stop_reason == "end_turn"
    assert result.request_id
    assert result.started_at.endswith("+00:00")
    assert result.response["id"] and result.response["usage"]["output_tokens"] == result.usage.output_tokens


def test_thinking_streams_as_thinking_deltas(client):
    request = make_request("Why is the sky blue?", max_tokens=2000,
                           thinking={"type": "enabled", "budget_tokens": 1024})
    events = list(stream_run(client, request))
    result = events[-1].result
    thinking_blocks = [block for block in result.content if block["type"] == "thinking"]
    text_blocks = [block for block in result.content if block["type"] == "text"]
    assert thinking_blocks and text_blocks
    streamed_thinking = "".join(event.text for event in events if isinstance(event, ThinkingDelta))
    assert streamed_thinking == result.thinking == thinking_blocks[0]["thinking"]
    assert result.text == "".join(block["text"] for block in text_blocks)
    assert result.ttft_ms < result.latency_ms


def test_tool_use_events_and_parsed_input(client):
    tool = {"name": "get_weather", "description": "Current weather for a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    request = make_request("What is the weather in Paris?", tools=[tool], tool_choice={"type": "any"})
    events = list(stream_run(client, request))
    started = [event for event in events if isinstance(event, ToolUseStarted)]
    ready = [event for event in events if isinstance(event, ToolUseReady)]
    result = events[-1].result
    assert [event.name for event in started] == ["get_weather"]
    assert ready[0].id == started[0].id and isinstance(ready[0].input["city"], str)
    assert result.tool_uses == [{"id": ready[0].id, "name": "get_weather", "input": ready[0].input}]
    assert result.stop_reason == "tool_use"
    assert events.index(started[0]) < events.index(ready[0])


def test_max_tokens_stop_reason_is_reported(client):
    result = run_once(client, make_request(max_tokens=5))
    assert result.ok and result.stop_reason == "max_tokens"
    assert result.usage.output_tokens <= 5


def test_extra_body_fields_are_sent(client):
    # temperature is not an SDK argument any more; it travels in extra_body and haiku-4-5 accepts it.
    result = run_once(client, make_request(temperature=0.5))
    assert result.ok and result.request["temperature"] == 0.5
