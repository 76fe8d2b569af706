"""count_tokens and usage.input_tokens come from one counter; newer tokenizers count more."""
from __future__ import annotations

import anthropic
import pytest

TOOL = {"name": "lookup", "description": "Find a record.",
        "input_schema": {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]}}
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
          "additionalProperties": False}


def full_request(model: str) -> dict:
    return {
        "model": model,
        "system": [{"type": "text", "text": "You are terse."}],
        "tools": [TOOL],
        "messages": [
            {"role": "user", "content": "First question about the records"},
            {"role": "assistant", "content": [{"type": "text", "text": "Let me look."},
                                              {"type": "tool_use", "id": "toolu_1", "name": "lookup",
                                               "input": {"key": "abc"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "found it"},
                                         {"type": "text", "text": "And now?"}]},
        ],
        "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}},
    }


@pytest.mark.parametrize("model", ["claude-haiku-4-5", "claude-opus-5-5"])
def test_count_tokens_equals_usage_input_tokens(client, model):
    request = full_request(model)
    counted = client.messages.count_tokens(**request).input_tokens
    message = client.messages.create(max_tokens=2000, **request)
    assert message.usage.input_tokens == counted
    assert message.usage.cache_read_input_tokens == 0 and message.usage.cache_creation_input_tokens == 0


def test_newer_tokenizer_counts_more_for_the_same_text(client):
    messages = [{"role": "user", "content": "The quick brown fox jumps over the lazy dog. " * 40}]
    old = client.messages.count_tokens(model="claude-haiku-4-5", messages=messages).input_tokens
    new = client.messages.count_tokens(model="claude-opus-4-7", messages=messages).input_tokens
    assert new > old * 1.2


def test_everything_counts(client):
    base = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]}
    bare = client.messages.count_tokens(**base).input_tokens
    assert client.messages.count_tokens(**base, system="A long system prompt " * 5).input_tokens > bare
    assert client.messages.count_tokens(**base, tools=[TOOL]).input_tokens > bare


def test_prompt_over_the_context_window_is_rejected(client):
    huge = "word " * 170_000  # ~212k tokens > claude-haiku-4-5's 200k window
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": huge}])
    assert "prompt is too long" in caught.value.api_message
