"""count_for_preview: the core decides when count_tokens is asked; the API's refusals come back as data."""
from __future__ import annotations

import anthropic

from workbench.tokens import TokenCounter, count_for_preview, estimate_input_tokens


def make_request(*texts: str, model: str = "claude-haiku-4-5", **changes) -> dict:
    messages = [{"role": "user" if index % 2 == 0 else "assistant", "content": text} for index, text in enumerate(texts)]
    return {"model": model, "max_tokens": 256, "messages": messages, **changes}


def test_live_with_a_counter_counts_exactly_with_variables_filled(client):
    counter = TokenCounter(client)
    count, missing = count_for_preview(counter, make_request("Tell me about {{topic}}."), {"topic": "the sea"},
                                       live=True)
    assert count.exact and count.source == "count_tokens" and missing == []
    assert counter.calls == 1


def test_unfilled_variables_are_counted_as_written_and_named(client):
    counter = TokenCounter(client)
    request = make_request("{{greeting}}, tell me about {{topic}}.")
    count, missing = count_for_preview(counter, request, {"topic": "the sea", "greeting": "", "unused": "x"},
                                       live=True)
    assert missing == ["greeting"]  # an empty box is not filled in; an unused value is no variable
    written = count_for_preview(counter, make_request("{{greeting}}, tell me about the sea."), {}, live=True)[0]
    assert count == written  # the same request was counted, so the cache answered
    assert counter.calls == 1


def test_an_empty_turn_is_estimated_without_a_call(client):
    counter = TokenCounter(client)
    request = make_request("Hello", "", "Again")
    count, _ = count_for_preview(counter, request, {}, live=True)
    assert not count.exact and count.source == "estimate"
    assert count.note == "Turn 2 (assistant) is empty: write it or remove it, then the count is exact"
    assert count.input_tokens == estimate_input_tokens(request)
    assert counter.calls == 0


def test_a_whitespace_only_turn_is_not_counted_either(client):
    counter = TokenCounter(client)
    count, _ = count_for_preview(counter, make_request("   "), {}, live=True)
    assert not count.exact and count.note.startswith("Turn 1 (user) is only whitespace")
    assert counter.calls == 0


def test_a_bad_tool_the_rule_book_knows_is_not_counted(client):
    counter = TokenCounter(client)
    bad_tool = {"name": "look up", "input_schema": {"type": "object"}}
    count, _ = count_for_preview(counter, make_request("Hi", tools=[bad_tool]), {}, live=True)
    assert not count.exact and "characters the API refuses" in count.note
    assert counter.calls == 0


def test_an_empty_final_assistant_turn_is_counted(client):
    counter = TokenCounter(client)
    count, _ = count_for_preview(counter, make_request("Hello", ""), {}, live=True)
    assert count.exact and counter.calls == 1


def test_live_off_is_estimated_without_a_call(client):
    counter = TokenCounter(client)
    count, missing = count_for_preview(counter, make_request("About {{topic}}"), {"topic": "x" * 400}, live=False)
    assert not count.exact and count.note == "live count is off"
    assert count.input_tokens == estimate_input_tokens(make_request("About " + "x" * 400))
    assert missing == []
    assert counter.calls == 0


def test_no_counter_is_estimated_with_the_reason():
    count, _ = count_for_preview(None, make_request("Hello"), {}, live=True,
                                 unavailable_reason="Set ANTHROPIC_API_KEY to use the API.")
    assert not count.exact and count.note == "Set ANTHROPIC_API_KEY to use the API."
    assert count_for_preview(None, make_request("Hello"), {}, live=True)[0].note == "no API backend to count with"


def test_the_empty_turn_rule_comes_before_the_live_switch_and_the_backend(client):
    counter = TokenCounter(client)
    for live, maybe_counter in ((False, counter), (True, None)):
        count, _ = count_for_preview(maybe_counter, make_request(""), {}, live=live)
        assert count.note.startswith("Turn 1 (user) is empty")
    assert counter.calls == 0


def test_a_refused_request_carries_the_apis_reason(client):
    counter = TokenCounter(client)
    # A broken image source: the rule book leaves content-block shapes to the API.
    bad_image = [{"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}]
    count, _ = count_for_preview(counter, make_request(bad_image), {}, live=True)
    assert not count.exact and count.source == "estimate"
    assert count.refusal is not None and "media_type" in count.refusal
    assert "HTTP 400" not in count.refusal  # the API's own words; the note has the status
    assert "HTTP 400" in count.note
    assert counter.count(make_request(bad_image)).refusal == count.refusal  # cached, not resent
    assert counter.calls == 1


def test_a_missing_model_is_a_refusal_too(client):
    count = TokenCounter(client).count(make_request("Hi", model="claude-nonexistent-9"))
    assert count.refusal and "claude-nonexistent-9" in count.refusal


def test_rate_limits_and_outages_are_not_refusals(simulator, unreachable_base_url):
    limited = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0,
                                  default_headers={"x-simulator-fault": "rate_limit"})
    count = TokenCounter(limited).count(make_request("Hi"))
    assert not count.exact and "429" in count.note and count.refusal is None
    unreachable = anthropic.Anthropic(base_url=unreachable_base_url, api_key="test-key", max_retries=0, timeout=2)
    assert TokenCounter(unreachable).count(make_request("Hi")).refusal is None


def test_an_exact_count_has_no_refusal(client):
    assert TokenCounter(client).count(make_request("Hi")).refusal is None
