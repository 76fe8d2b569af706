"""Thinking blocks: enabled, adaptive, on by default where it cannot be disabled, and their 400s."""
from __future__ import annotations

import anthropic
import pytest


def blocks_of(message, kind):
    return [block for block in message.content if block.type == kind]


def test_enabled_thinking_comes_with_a_signature_and_counts_as_output(client):
    request = dict(model="claude-sonnet-4-6", max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 1024},
                   messages=[{"role": "user", "content": "Plan a picnic"}])
    message = client.messages.create(**request)
    (thinking,) = blocks_of(message, "thinking")
    assert thinking.thinking and thinking.signature
    assert blocks_of(message, "text")
    without = client.messages.create(**{**request, "thinking": {"type": "disabled"}})
    assert not blocks_of(without, "thinking")
    assert message.usage.output_tokens > sum(len(b.text) for b in blocks_of(message, "text")) // 4


def test_streamed_thinking_uses_thinking_and_signature_deltas(client):
    request = dict(model="claude-sonnet-4-6", max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 2000},
                   messages=[{"role": "user", "content": "Plan a picnic"}])
    delta_types = set()
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                delta_types.add(event.delta.type)
        final = stream.get_final_message()
    assert {"thinking_delta", "signature_delta", "text_delta"} <= delta_types
    plain = client.messages.create(**request)
    assert blocks_of(final, "thinking")[0].signature == blocks_of(plain, "thinking")[0].signature
    assert blocks_of(final, "thinking")[0].thinking == blocks_of(plain, "thinking")[0].thinking


def test_adaptive_thinks_on_questions(client):
    asked = client.messages.create(model="claude-sonnet-5-5", max_tokens=2000, thinking={"type": "adaptive"},
                                   messages=[{"role": "user", "content": "Why is the sky blue?"}])
    told = client.messages.create(model="claude-sonnet-5-5", max_tokens=2000, thinking={"type": "adaptive"},
                                  messages=[{"role": "user", "content": "Say hi"}])
    assert blocks_of(asked, "thinking") and not blocks_of(told, "thinking")


def test_model_that_cannot_disable_thinking_thinks_by_default(client):
    message = client.messages.create(model="claude-opus-5-5", max_tokens=2000,
                                     messages=[{"role": "user", "content": "Is this simulated?"}])
    assert blocks_of(message, "thinking") and blocks_of(message, "text")
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model="claude-opus-5-5", max_tokens=2000, thinking={"type": "disabled"},
                               messages=[{"role": "user", "content": "hi"}])


@pytest.mark.parametrize("model, thinking, max_tokens", [
    ("claude-sonnet-5", {"type": "enabled", "budget_tokens": 2000}, 4000),  # enabled not accepted
    ("claude-sonnet-4-6", {"type": "enabled", "budget_tokens": 500}, 4000),  # budget < 1024
    ("claude-sonnet-4-6", {"type": "enabled", "budget_tokens": 4000}, 4000),  # budget >= max_tokens
    ("claude-fable-5", {"type": "disabled"}, 4000),  # always thinks
    ("claude-haiku-4-5", {"type": "adaptive"}, 4000),  # adaptive not accepted
])
def test_thinking_settings_the_model_rejects(client, model, thinking, max_tokens):
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=model, max_tokens=max_tokens, thinking=thinking,
                               messages=[{"role": "user", "content": "hi"}])
