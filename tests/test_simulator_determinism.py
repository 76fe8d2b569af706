"""Determinism: same request + seed, same reply (across servers); another seed, another reply; stream == non-stream."""
from __future__ import annotations

import anthropic
import pytest

from workbench.simulator import start_simulator

REQUESTS = [
    dict(model="claude-haiku-4-5", max_tokens=800, messages=[{"role": "user", "content": "Tell me about rivers"}]),
    dict(model="claude-sonnet-4-6", max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024},
         messages=[{"role": "user", "content": "Why do rivers bend?"}]),
    dict(model="claude-haiku-4-5", max_tokens=800, tool_choice={"type": "any"}, tools=[
        {"name": "measure", "description": "Measure a river.", "input_schema": {
            "type": "object", "properties": {"river": {"type": "string"}, "km": {"type": "number"}},
            "required": ["river", "km"]}}], messages=[{"role": "user", "content": "How long is the Nile?"}]),
]


def _content(message) -> list[dict]:
    return [block.to_dict() for block in message.content]


@pytest.fixture(scope="module")
def clients():
    handles = [start_simulator(speed=1000, seed=seed) for seed in (7, 7, 8)]
    yield [anthropic.Anthropic(base_url=h.base_url, api_key="test-key", max_retries=0) for h in handles]
    for handle in handles:
        handle.stop()


@pytest.mark.parametrize("index", range(len(REQUESTS)))
def test_same_seed_same_reply_other_seed_other_reply(clients, index):
    request = REQUESTS[index]
    first, same, other = (client.messages.create(**request) for client in clients)
    assert _content(first) == _content(same)
    assert first.usage == same.usage and first.stop_reason == same.stop_reason
    assert first.id != same.id  # ids stay unique, as the API's
    assert _content(first) != _content(other)


@pytest.mark.parametrize("index", range(len(REQUESTS)))
def test_stream_and_non_stream_give_the_same_content(clients, index):
    request = REQUESTS[index]
    message = clients[0].messages.create(**request)
    with clients[0].messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert _content(streamed) == _content(message)
    assert streamed.stop_reason == message.stop_reason
    assert streamed.usage.output_tokens == message.usage.output_tokens


def test_asking_for_cache_diagnostics_does_not_change_the_answer(client):
    # The Editor adds diagnostics against the previous run; an exported snippet without it must
    # get the same reply for the same prompt.
    request = dict(model="claude-sonnet-4-6", max_tokens=200, messages=[{"role": "user", "content": "Describe the sea."}])
    plain = client.messages.create(**request)
    diagnosed = client.messages.create(**request, diagnostics={"previous_message_id": plain.id})
    assert [block.text for block in diagnosed.content] == [block.text for block in plain.content]
    other = client.messages.create(**{**request, "messages": [{"role": "user", "content": "Describe a hill."}]})
    assert [block.text for block in other.content] != [block.text for block in plain.content]
