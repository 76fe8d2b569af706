"""Failures become RunError with type, status, request-id and a hint; partial output survives a cut stream."""
from __future__ import annotations

import anthropic
import pytest

from workbench.present import error_advice
from workbench.runner import RunDone, TextDelta, run_once, stream_run

MODEL = "claude-haiku-4-5"
FAULT = "x-simulator-fault"


def make_request(**changes) -> dict:
    request = {"model": MODEL, "max_tokens": 400,
               "messages": [{"role": "user", "content": "Write a paragraph about mountains."}]}
    request.update(changes)
    return request


def test_overloaded_becomes_run_error_with_status_and_request_id(client):
    result = run_once(client, make_request(), extra_headers={FAULT: "overloaded"})
    assert not result.ok
    assert result.error.type == "overloaded_error"
    assert result.error.status == 529
    assert result.error.request_id and result.request_id == result.error.request_id
    assert result.error.retry_after is not None
    assert "retry" in result.error.hint.lower()
    assert result.text == "" and not result.partial and result.usage is None
    assert result.cost.usd is None and result.cost.reason


def test_disconnect_mid_stream_keeps_partial_text(client):
    events = list(stream_run(client, make_request(), extra_headers={FAULT: "disconnect"}))
    result = events[-1].result
    assert isinstance(events[-1], RunDone)
    streamed = "".join(event.text for event in events if isinstance(event, TextDelta))
    assert result.error.type == "stream_interrupted"
    assert result.partial
    assert streamed and result.text == streamed
    assert result.ttft_ms is not None
    assert result.request_id
    assert "partial output is kept" in result.error.hint


def test_rate_limit_once_is_retried_by_the_sdk(client):
    result = run_once(client, make_request(), extra_headers={FAULT: "rate_limit;times=1"})
    assert result.ok and result.text


def test_rate_limit_without_retries_says_how_long_to_wait(simulator):
    no_retries = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0)
    result = run_once(no_retries, make_request(), extra_headers={FAULT: "rate_limit"})
    assert result.error.type == "rate_limit_error" and result.error.status == 429
    assert result.error.retry_after is not None
    assert f"wait {result.error.retry_after:g} s" in result.error.hint
    assert "concurrency" in result.error.hint


def test_bad_key_points_at_anthropic_api_key(simulator):
    rejected = anthropic.Anthropic(base_url=simulator.base_url, api_key="bad-key", max_retries=0)
    result = run_once(rejected, make_request())
    assert result.error.status == 401 and result.error.type == "authentication_error"
    assert "ANTHROPIC_API_KEY" in result.error.hint
    assert "bad-key" not in result.error.hint and "bad-key" not in result.error.message


def test_unknown_model_points_at_the_model_name(client):
    result = run_once(client, make_request(model="claude-nonexistent-9"))
    assert result.error.status == 404 and result.error.type == "not_found_error"
    assert "model name" in result.error.hint


def test_invalid_request_hint_carries_the_api_message(client):
    result = run_once(client, make_request(max_tokens=1_000_000))
    assert result.error.status == 400 and result.error.type == "invalid_request_error"
    assert result.error.message in result.error.hint


def test_unreachable_endpoint_is_a_connection_error(unreachable_base_url):
    unreachable = anthropic.Anthropic(base_url=unreachable_base_url, api_key="test-key", max_retries=0, timeout=2)
    result = run_once(unreachable, make_request())
    assert result.error.type == "connection_error" and result.error.status is None
    assert "ANTHROPIC_BASE_URL" in result.error.hint
    assert not result.partial and result.latency_ms > 0


def test_sdk_refusal_of_arguments_is_still_a_run_result(client):
    request = make_request()
    del request["max_tokens"]  # the SDK raises TypeError before sending
    result = run_once(client, request)
    assert result.error.type == "client_error"


@pytest.mark.parametrize("status, error_type, words", [
    (500, "api_error", "retry later"),
    (529, "overloaded_error", "retry"),
    (413, "request_too_large", "shorten"),
    (403, "permission_error", "permission"),
    (None, "timeout_error", "timed out"),
])
def test_every_error_has_a_hint(status, error_type, words):
    assert words in error_advice(error_type, status, "msg", None)
