"""TokenCounter counts once per unchanged request, per model, and falls back to a labelled estimate."""
from __future__ import annotations

import anthropic

from workbench.tokens import TokenCount, TokenCounter, count_relevant_fields, estimate_input_tokens


def make_request(model: str = "claude-haiku-4-5", text: str = "Summarise the plot of Hamlet.", **changes) -> dict:
    request = {"model": model, "max_tokens": 256, "messages": [{"role": "user", "content": text}]}
    request.update(changes)
    return request


def test_exact_count_from_count_tokens(client):
    counter = TokenCounter(client)
    counted = counter.count(make_request())
    assert counted.exact and counted.source == "count_tokens" and counted.note is None
    assert counted.input_tokens > 0
    assert counted.label == f"{counted.input_tokens:,} tokens"
    assert counter.calls == 1


def test_unchanged_request_is_never_counted_twice(client):
    counter = TokenCounter(client)
    request = make_request()
    first = counter.count(request)
    again = counter.count(dict(request))
    assert again == first
    assert counter.calls == 1


def test_fields_that_do_not_change_the_count_do_not_recount(client):
    counter = TokenCounter(client)
    counter.count(make_request())
    counter.count(make_request(max_tokens=999, stop_sequences=["END"], metadata={"user_id": "u1"}))
    assert counter.calls == 1


def test_changed_text_model_or_system_is_recounted(client):
    counter = TokenCounter(client)
    counter.count(make_request())
    counter.count(make_request(text="Another question entirely."))
    counter.count(make_request(model="claude-opus-4-7"))
    counter.count(make_request(system="You are terse."))
    assert counter.calls == 4


def test_newer_tokenizer_counts_more_for_the_same_text(client):
    counter = TokenCounter(client)
    text = "The same paragraph of text, counted on two models. " * 40
    older = counter.count(make_request("claude-haiku-4-5", text))
    newer = counter.count(make_request("claude-opus-4-7", text))
    assert newer.input_tokens > older.input_tokens


def test_count_relevant_fields_keeps_tools_and_thinking_but_not_max_tokens():
    request = make_request(tools=[{"name": "t", "input_schema": {"type": "object"}}],
                           thinking={"type": "adaptive"}, stop_sequences=["x"])
    fields = count_relevant_fields(request)
    assert set(fields) == {"model", "messages", "tools", "thinking"}


def test_failure_falls_back_to_a_labelled_estimate(unreachable_base_url):
    unreachable = anthropic.Anthropic(base_url=unreachable_base_url, api_key="test-key", max_retries=0, timeout=2)
    counted = TokenCounter(unreachable).count(make_request())
    assert not counted.exact and counted.source == "estimate"
    assert "count_tokens failed" in counted.note and "could not connect" in counted.note
    assert counted.label.startswith("≈") and "(estimate: count_tokens failed" in counted.label


def test_transient_failures_are_retried_next_time(unreachable_base_url):
    unreachable = anthropic.Anthropic(base_url=unreachable_base_url, api_key="test-key", max_retries=0, timeout=2)
    counter = TokenCounter(unreachable)
    counter.count(make_request())
    counter.count(make_request())
    assert counter.calls == 2


def test_rejected_requests_are_not_resent(simulator):
    strict = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0)
    counter = TokenCounter(strict)
    bad = make_request(model="claude-nonexistent-9")
    first = counter.count(bad)
    counter.count(bad)
    assert not first.exact and "404" in first.note
    assert counter.calls == 1


def test_estimate_is_chars_over_four():
    request = make_request(text="x" * 400)
    assert estimate_input_tokens(request) == 100


def test_estimate_scales_for_the_newer_tokenizer():
    assert estimate_input_tokens(make_request("claude-opus-4-7", "x" * 400)) == 130


def test_estimate_counts_system_tools_and_blocks():
    plain = estimate_input_tokens(make_request(text="x" * 40))
    richer = make_request(
        system=[{"type": "text", "text": "y" * 40}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "x" * 40},
                                               {"type": "tool_result", "tool_use_id": "t1", "content": "z" * 40}]}],
        tools=[{"name": "lookup", "description": "d" * 40, "input_schema": {"type": "object"}}],
    )
    assert estimate_input_tokens(richer) > plain + 30


def test_token_count_label_for_estimate_without_note():
    assert TokenCount(1234, exact=False, source="estimate", note=None).label == "≈1,234 tokens (estimate: offline)"


def test_request_without_messages_is_estimated_without_a_call(client):
    counter = TokenCounter(client)
    counted = counter.count({"model": "claude-haiku-4-5", "system": "x" * 40})
    assert not counted.exact and "no model or messages" in counted.note
    assert counter.calls == 0


def test_concurrent_counts_of_one_request_make_one_call(client):
    # Streamlit sessions share one counter: a count in flight is waited for, not sent again.
    from concurrent.futures import ThreadPoolExecutor

    counter = TokenCounter(client)
    request = make_request(text="Eight threads ask for this count at once.")
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: counter.count(request), range(8)))
    assert counter.calls == 1 and len(set(counts)) == 1 and counts[0].exact
