"""Every error status maps to the SDK exception the real API would raise, with the API's body."""
from __future__ import annotations

import anthropic
import pytest

OK = dict(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "hi"}])


@pytest.mark.parametrize("fault, exception, status, error_type", [
    ("auth", anthropic.AuthenticationError, 401, "authentication_error"),
    ("permission", anthropic.PermissionDeniedError, 403, "permission_error"),
    ("too_large", anthropic.ContentTooLargeError, 413, "request_too_large"),
    ("rate_limit", anthropic.RateLimitError, 429, "rate_limit_error"),
    ("server_error", anthropic.InternalServerError, 500, "api_error"),
    ("overloaded", anthropic.OverloadedError, 529, "overloaded_error"),
])
def test_status_maps_to_sdk_exception(client, fault, exception, status, error_type):
    with pytest.raises(exception) as caught:
        client.with_options(max_retries=0).messages.create(**OK, extra_headers={"x-simulator-fault": fault})
    error = caught.value
    assert error.status_code == status and error.type == error_type
    assert error.request_id and error.request_id.startswith("req_sim_")
    assert error.body["type"] == "error" and error.body["request_id"] == error.request_id


def test_bad_request_and_not_found(client):
    with pytest.raises(anthropic.BadRequestError) as caught:
        # claude-haiku-4-5 allows 64,000. Without an explicit timeout the SDK itself refuses a
        # non-streaming call this long, before sending it.
        client.messages.create(**{**OK, "model": "claude-haiku-4-5", "max_tokens": 70_000}, timeout=60)
    assert caught.value.type == "invalid_request_error" and "max_tokens" in caught.value.api_message
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**{**OK, "model": "claude-nope-1"})
    assert caught.value.api_message == "model: claude-nope-1"
    with pytest.raises(anthropic.NotFoundError):  # retired
        client.messages.create(**{**OK, "model": "claude-opus-4"})


def test_missing_and_wrong_key_are_401(simulator):
    no_key = anthropic.Anthropic(base_url=simulator.base_url, api_key="x", max_retries=0,
                                 default_headers={"Authorization": anthropic.Omit()})
    with pytest.raises(anthropic.AuthenticationError):
        no_key.messages.create(**OK)
    wrong = anthropic.Anthropic(base_url=simulator.base_url, api_key="bad-key", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as caught:
        wrong.messages.create(**OK)
    assert "bad-key" not in str(caught.value)
    with pytest.raises(anthropic.AuthenticationError):
        wrong.models.list()


def test_x_api_key_header_is_accepted_too(simulator):
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="x", max_retries=0,
                                 default_headers={"Authorization": anthropic.Omit(), "x-api-key": "test-key"})
    assert client.messages.create(**OK).type == "message"


@pytest.mark.parametrize("changes, words", [
    ({"model": "claude-sonnet-5", "extra_body": {"temperature": 0.2}}, "temperature"),
    ({"model": "claude-sonnet-4-6", "extra_body": {"temperature": 0.2}}, None),  # accepted there
    ({"model": "claude-fable-5-2", "messages": [{"role": "user", "content": "hi"},
                                                {"role": "assistant", "content": "Sure"}]}, "prefill"),
    ({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"},
                                                {"role": "assistant", "content": "Sure"}]}, None),
    ({"messages": []}, "message"),
    ({"messages": [{"role": "system", "content": "hi"}]}, "role"),
    ({"max_tokens": -1}, "max_tokens"),
    ({"extra_body": {"not_a_field": 1}}, "not_a_field"),
])
def test_validation_rules(client, changes, words):
    request = {**OK, **changes}
    if words is None:
        assert client.messages.create(**request).type == "message"
        return
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**request)
    assert words in caught.value.api_message


def test_consecutive_same_role_turns_are_accepted(client):
    message = client.messages.create(**{**OK, "messages": [{"role": "user", "content": "one"},
                                                            {"role": "user", "content": "two"}]})
    assert message.type == "message"
