"""Prompt caching: a long enough prefix is written once, then read; the totals always add up."""
from __future__ import annotations

import uuid


def long_system(tag: str, ttl: str | None = None) -> list[dict]:
    cache_control = {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}
    # ~1,500 tokens, unique per test so the shared simulator's cache starts cold.
    text = f"Reference manual {tag}. " + "Section of the long reference manual text. " * 140
    return [{"type": "text", "text": text, "cache_control": cache_control}]


def total_input(usage) -> int:
    return usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens


def test_write_then_read(client):
    system = long_system(uuid.uuid4().hex)
    request = dict(model="claude-sonnet-4-6", max_tokens=200, system=system,
                   messages=[{"role": "user", "content": "Question one"}])
    counted = client.messages.count_tokens(model=request["model"], system=system,
                                           messages=request["messages"]).input_tokens
    first = client.messages.create(**request)
    assert first.usage.cache_creation_input_tokens > 1024
    assert first.usage.cache_creation.ephemeral_5m_input_tokens == first.usage.cache_creation_input_tokens
    assert first.usage.cache_read_input_tokens == 0
    assert total_input(first.usage) == counted
    second = client.messages.create(**{**request, "messages": [{"role": "user", "content": "Another question"}]})
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0
    assert second.usage.input_tokens < first.usage.input_tokens + 10


def test_streamed_usage_reports_cache_read(client):
    system = long_system(uuid.uuid4().hex, ttl="1h")
    request = dict(model="claude-sonnet-4-6", max_tokens=200, system=system,
                   messages=[{"role": "user", "content": "Hello"}])
    first = client.messages.create(**request)
    assert first.usage.cache_creation.ephemeral_1h_input_tokens > 0
    with client.messages.stream(**request) as stream:
        final = stream.get_final_message()
    assert final.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert total_input(final.usage) == total_input(first.usage)


def test_short_prefix_is_not_cached(client):
    system = [{"type": "text", "text": f"Short {uuid.uuid4().hex}", "cache_control": {"type": "ephemeral"}}]
    for _ in range(2):
        message = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, system=system,
                                         messages=[{"role": "user", "content": "hi"}])
        assert message.usage.cache_creation_input_tokens == 0 and message.usage.cache_read_input_tokens == 0


def test_top_level_cache_control_caches_up_to_the_last_block(client):
    messages = [{"role": "user", "content": long_system(uuid.uuid4().hex)[0]["text"]}]
    request = dict(model="claude-sonnet-4-6", max_tokens=100, messages=messages, cache_control={"type": "ephemeral"})
    first = client.messages.create(**request)
    counted = client.messages.count_tokens(model="claude-sonnet-4-6", messages=messages).input_tokens
    assert first.usage.cache_creation_input_tokens == counted and first.usage.input_tokens == 0
    second = client.messages.create(**request)
    assert second.usage.cache_read_input_tokens == counted


def test_a_prefix_below_the_models_minimum_caches_nothing_and_is_no_error(client):
    system = long_system(uuid.uuid4().hex)  # ~1,500 tokens: above Sonnet 4.6's 1,024, below Haiku 4.5's 4,096
    request = dict(max_tokens=200, system=system, messages=[{"role": "user", "content": "Hello"}])
    for _ in range(2):
        short = client.messages.create(model="claude-haiku-4-5", **request)
        assert short.usage.cache_creation_input_tokens == 0 and short.usage.cache_read_input_tokens == 0
    written = client.messages.create(model="claude-sonnet-4-6", **request)
    assert written.usage.cache_creation_input_tokens > 1024


def test_the_fable_and_opus_5_line_caches_from_512_tokens(client):
    tag = uuid.uuid4().hex
    system = [{"type": "text", "text": f"Manual {tag}. " + "Short section text here. " * 110,
               "cache_control": {"type": "ephemeral"}}]
    request = dict(model="claude-opus-5", max_tokens=200, system=system, messages=[{"role": "user", "content": "Hi"}])
    counted = client.messages.count_tokens(model="claude-opus-5", system=system, messages=request["messages"])
    assert 512 < counted.input_tokens < 1024
    first = client.messages.create(**request)
    assert first.usage.cache_creation_input_tokens >= 512
    below = client.messages.create(**{**request, "model": "claude-sonnet-4-6"})
    assert below.usage.cache_creation_input_tokens == 0
