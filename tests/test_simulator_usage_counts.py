"""usage.input_tokens + cache_creation + cache_read == count_tokens for the same request, whatever it holds."""
from __future__ import annotations

import base64

import pytest

from workbench.simulator import start_simulator

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
TOOL = {"name": "lookup", "description": "Look a word up in the dictionary.", "input_schema": {
    "type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}}
LONG = "Background material for the cached prefix. " * 150  # well over 1024 tokens
NOT_COUNTED = {"max_tokens", "stream", "stop_sequences", "metadata", "temperature", "top_p", "top_k", "service_tier"}

REQUESTS = {
    "plain": dict(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": "hi"}]),
    "system_blocks": dict(model="claude-sonnet-4-6", max_tokens=300, system=[
        {"type": "text", "text": "You are terse."}, {"type": "text", "text": "Answer in English."}],
        messages=[{"role": "user", "content": "hi"}]),
    "tools": dict(model="claude-haiku-4-5", max_tokens=300, tools=[TOOL], tool_choice={"type": "auto"},
                  messages=[{"role": "user", "content": "hi"}]),
    "tool_result_turn": dict(model="claude-haiku-4-5", max_tokens=300, tools=[TOOL], messages=[
        {"role": "user", "content": "Look up serendipity"},
        {"role": "assistant", "content": [{"type": "text", "text": "Looking."},
                                          {"type": "tool_use", "id": "toolu_1", "name": "lookup",
                                           "input": {"word": "serendipity"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": [{"type": "text", "text": "a happy accident"}]}]}]),
    "image": dict(model="claude-sonnet-4-6", max_tokens=300, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "text", "text": "What is in the picture?"}]}]),
    "thinking": dict(model="claude-sonnet-4-6", max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024},
                     messages=[{"role": "user", "content": "Why?"}]),
    "adaptive_effort": dict(model="claude-opus-5-5", max_tokens=3000, output_config={"effort": "low"},
                            messages=[{"role": "user", "content": "Why?"}]),
    "output_format": dict(model="claude-opus-5", max_tokens=1000, output_config={"format": {
        "type": "json_schema", "schema": {"type": "object", "additionalProperties": False,
                                          "properties": {"answer": {"type": "string"}}, "required": ["answer"]}}},
        messages=[{"role": "user", "content": "JSON please"}]),
    "cached_system": dict(model="claude-sonnet-4-6", max_tokens=300, system=[
        {"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "hi"}]),
    "cached_everything": dict(model="claude-sonnet-4-6", max_tokens=300, cache_control={"type": "ephemeral", "ttl": "1h"},
                              tools=[TOOL], system=LONG, messages=[{"role": "user", "content": "hi"}]),
}


def _total(usage) -> int:
    return usage.input_tokens + (usage.cache_creation_input_tokens or 0) + (usage.cache_read_input_tokens or 0)


@pytest.fixture(scope="module")
def fresh_client():
    """A simulator of its own, so the cache starts empty and both write and read are seen."""
    import anthropic

    handle = start_simulator(speed=1000)
    yield anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
    handle.stop()


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_usage_adds_up_to_count_tokens(fresh_client, name):
    request = REQUESTS[name]
    counted = fresh_client.messages.count_tokens(**{k: v for k, v in request.items() if k not in NOT_COUNTED})
    first = fresh_client.messages.create(**request)
    with fresh_client.messages.stream(**request) as stream:  # a repeat: cache reads where cached
        second = stream.get_final_message()
    assert _total(first.usage) == counted.input_tokens
    assert _total(second.usage) == counted.input_tokens
    for usage in (first.usage, second.usage):
        assert usage.cache_creation_input_tokens == (usage.cache_creation.ephemeral_5m_input_tokens
                                                     + usage.cache_creation.ephemeral_1h_input_tokens)
    if name.startswith("cached"):
        assert first.usage.cache_creation_input_tokens > 0 and second.usage.cache_read_input_tokens > 0


def test_count_tokens_counts_the_tools(client):
    base = dict(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}])
    without = client.messages.count_tokens(**base).input_tokens
    one = client.messages.count_tokens(**base, tools=[TOOL]).input_tokens
    two = client.messages.count_tokens(**base, tools=[TOOL, {**TOOL, "name": "lookup_again"}]).input_tokens
    assert without < one < two


def test_count_tokens_counts_images_and_system(client):
    base = dict(model="claude-sonnet-4-6", messages=[{"role": "user", "content": "hi"}])
    plain = client.messages.count_tokens(**base).input_tokens
    with_system = client.messages.count_tokens(**base, system="Be brief and exact.").input_tokens
    with_image = client.messages.count_tokens(model=base["model"], messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "text", "text": "hi"}]}]).input_tokens
    assert plain < with_system and with_image > plain + 100
