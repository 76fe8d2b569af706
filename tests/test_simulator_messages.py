"""POST /v1/messages through the SDK: JSON and streaming give the same, deterministic, simulated reply."""
from __future__ import annotations

import httpx2
from anthropic.types import Message

from workbench.simulator import start_simulator

REQUEST = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 512,
    "messages": [{"role": "user", "content": "Summarise the plot of Hamlet in two lines"}],
}


def texts(message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def test_reply_validates_and_says_it_is_simulated(client):
    message = client.messages.create(**REQUEST)
    Message.model_validate(message.model_dump())
    assert message.role == "assistant" and message.model == "claude-sonnet-4-6"
    assert message.id.startswith("msg_")
    text = texts(message)
    assert text.startswith("[Simulated reply from claude-sonnet-4-6]")
    assert "Summarise the plot of Hamlet" in text  # echoes the last user message
    assert message.stop_reason == "end_turn"
    assert 40 <= message.usage.output_tokens <= 260


def test_same_request_same_reply_and_seed_changes_it(client):
    first = client.messages.create(**REQUEST)
    second = client.messages.create(**REQUEST)
    assert first.content == second.content and first.usage == second.usage
    other = start_simulator(speed=50, seed=7)
    try:
        reseeded = client.with_options(base_url=other.base_url).messages.create(**REQUEST)
    finally:
        other.stop()
    assert texts(reseeded) != texts(first)


def test_stream_gives_the_same_final_message(client):
    plain = client.messages.create(**REQUEST)
    event_types = []
    with client.messages.stream(**REQUEST) as stream:
        for event in stream:
            event_types.append(event.type)
        final = stream.get_final_message()
    assert [block.model_dump() for block in final.content] == [block.model_dump() for block in plain.content]
    assert final.stop_reason == plain.stop_reason and final.stop_sequence is None
    assert final.usage.output_tokens == plain.usage.output_tokens
    assert final.usage.input_tokens == plain.usage.input_tokens
    assert event_types[0] == "message_start" and event_types[-1] == "message_stop"
    assert "content_block_start" in event_types and "content_block_stop" in event_types
    assert event_types.count("text") > 3  # text arrives in several small deltas


def test_raw_stream_is_chunked_with_the_real_event_sequence(simulator):
    body = {**REQUEST, "stream": True}
    headers = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
    with httpx2.Client() as http:
        with http.stream("POST", f"{simulator.base_url}/v1/messages", json=body, headers=headers) as response:
            assert response.headers["transfer-encoding"] == "chunked"
            assert response.headers["content-type"].startswith("text/event-stream")
            raw = response.read().decode()
    names = [line.split(": ", 1)[1] for line in raw.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start" and "ping" in names
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_request_id_header_matches_sdk_request_id(client):
    raw = client.messages.with_raw_response.create(**REQUEST)
    request_id = raw.headers["request-id"]
    assert request_id.startswith("req_sim_")
    assert raw.parse()._request_id == request_id
    assert int(raw.headers["anthropic-ratelimit-requests-limit"]) > 0
    assert "anthropic-ratelimit-tokens-remaining" in raw.headers
    with client.messages.stream(**REQUEST) as stream:
        assert stream.request_id.startswith("req_sim_")


def test_stream_final_message_usage(client):
    with client.messages.stream(**REQUEST) as stream:
        final = stream.get_final_message()
    counted = client.messages.count_tokens(model=REQUEST["model"], messages=REQUEST["messages"])
    assert final.usage.input_tokens == counted.input_tokens
    assert final.usage.output_tokens > 1
