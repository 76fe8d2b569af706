"""Error statuses and bodies on the wire: the API's JSON shape everywhere, request_id equal to the header."""
from __future__ import annotations

import json

import anthropic
import httpx2
import pytest
from anthropic.types import ErrorResponse

from sdk_strict import assert_strict
from workbench.simulator import start_simulator

OK = dict(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}])
HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}


def assert_error_body(response: httpx2.Response, status: int, error_type: str) -> dict:
    """The API's error body: strict against the SDK's ErrorResponse, request_id equal to the header."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["request_id"] == response.headers["request-id"]
    assert body["error"]["type"] == error_type and body["error"]["message"]
    if error_type == "request_too_large":
        # Documented by the API (413 request_too_large) but absent from the SDK's ErrorResponse union.
        assert set(body) == {"type", "error", "request_id"} and set(body["error"]) == {"type", "message"}
    else:
        assert_strict(ErrorResponse, response.text)
    return body


@pytest.mark.parametrize("fault, status, error_type", [
    ("auth", 401, "authentication_error"), ("permission", 403, "permission_error"),
    ("too_large", 413, "request_too_large"), ("rate_limit", 429, "rate_limit_error"),
    ("server_error", 500, "api_error"), ("overloaded", 529, "overloaded_error"),
])
def test_every_error_status_has_the_api_body(client, fault, status, error_type):
    for stream in (False, True):
        with pytest.raises(anthropic.APIStatusError) as caught:
            client.with_options(max_retries=0).messages.create(
                **OK, stream=stream, extra_headers={"x-simulator-fault": fault})
        assert_error_body(caught.value.response, status, error_type)
        assert caught.value.request_id == caught.value.response.headers["request-id"]


@pytest.mark.parametrize("speed, expected_s", [(1, 1.0), (200, 0.005)])
def test_retry_after_is_scaled_by_speed(speed, expected_s):
    handle = start_simulator(speed=speed)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        with pytest.raises(anthropic.OverloadedError) as caught:
            client.messages.create(**OK, extra_headers={"x-simulator-fault": "overloaded"})
        headers = caught.value.response.headers
        assert float(headers["retry-after"]) == pytest.approx(expected_s)
        assert int(headers["retry-after-ms"]) == round(expected_s * 1000)
    finally:
        handle.stop()


def test_rate_limit_429_body_and_headers():
    handle = start_simulator(speed=20, rate_limit=0.01)  # a slot frees every 5 s of real time
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        client.messages.create(**{**OK, "max_tokens": 1})
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.create(**OK)
        response = caught.value.response
        assert_error_body(response, 429, "rate_limit_error")
        assert 0 < float(response.headers["retry-after"]) <= 5
        assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    finally:
        handle.stop()


def test_very_large_body_is_413_through_the_sdk(client):
    huge = "x" * (33 * 1024 * 1024)  # over the 32 MB request limit
    with pytest.raises(anthropic.ContentTooLargeError) as caught:
        client.with_options(max_retries=0).messages.create(**{**OK, "messages": [{"role": "user", "content": huge}]})
    assert_error_body(caught.value.response, 413, "request_too_large")
    assert client.messages.create(**OK).type == "message"  # the simulator carries on


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b'{"max_tokens": NaN}', b"[" * 50_000 + b"]" * 50_000])
@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
def test_malformed_json_is_400_invalid_request(simulator, body, path):
    response = httpx2.post(simulator.base_url + path, content=body,
                           headers={**HEADERS, "content-type": "application/json"})
    body = assert_error_body(response, 400, "invalid_request_error")
    assert "JSON" in body["error"]["message"]


@pytest.mark.parametrize("method, path", [("GET", "/v1/messages"), ("DELETE", "/v1/models"), ("PUT", "/v1/messages"),
                                          ("OPTIONS", "/v1/messages"), ("PROPFIND", "/v1/models"),
                                          ("POST", "/v1/nope"), ("GET", "/")])
def test_wrong_method_or_unknown_path_is_a_json_404(simulator, method, path):
    response = httpx2.request(method, simulator.base_url + path, headers=HEADERS)
    assert_error_body(response, 404, "not_found_error")


def test_head_is_a_404_without_a_body(simulator):
    response = httpx2.head(simulator.base_url + "/v1/models", headers=HEADERS)
    assert response.status_code == 404 and response.headers["request-id"].startswith("req_sim_")
    assert response.content == b""


def test_unknown_path_through_the_sdk_is_not_found(client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.get("/v1/not-a-route", cast_to=object)
    assert caught.value.body["error"]["type"] == "not_found_error"


def test_anthropic_version_is_required_as_the_api_does(simulator, client):
    assert client.default_headers["anthropic-version"]  # the SDK always sends one
    sent = client.messages.with_raw_response.create(**OK)
    assert sent.http_request.headers["anthropic-version"] == client.default_headers["anthropic-version"]
    without = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0,
                                  default_headers={"anthropic-version": anthropic.Omit()})
    with pytest.raises(anthropic.BadRequestError) as caught:
        without.messages.create(**OK)
    assert caught.value.body["error"]["message"] == "anthropic-version: header is required"
    assert_error_body(caught.value.response, 400, "invalid_request_error")
    response = httpx2.post(simulator.base_url + "/v1/messages", json=OK,
                           headers={**HEADERS, "anthropic-version": "latest"})
    assert "not a valid version" in assert_error_body(response, 400, "invalid_request_error")["error"]["message"]
    for version in ("2023-06-01", "2026-10-21"):
        response = httpx2.post(simulator.base_url + "/v1/messages", json=OK,
                               headers={**HEADERS, "anthropic-version": version})
        assert response.status_code == 200


def test_validation_errors_have_the_api_body(simulator):
    response = httpx2.post(simulator.base_url + "/v1/messages", headers=HEADERS,
                           content=json.dumps({**OK, "tools": [{"name": "t", "input_schema": {
                               "type": "object", "properties": 5}}]}))
    assert "input_schema" in assert_error_body(response, 400, "invalid_request_error")["error"]["message"]
    for block in ({"type": "image", "source": "abc"},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AAAA"}},
                  {"type": "document", "source": {"type": "base64", "data": 5}}):
        response = httpx2.post(simulator.base_url + "/v1/messages", headers=HEADERS,
                               content=json.dumps({**OK, "messages": [{"role": "user", "content": [block]}]}))
        assert ".source" in assert_error_body(response, 400, "invalid_request_error")["error"]["message"]
    response = httpx2.post(simulator.base_url + "/v1/messages", headers=HEADERS,
                           content=json.dumps({**OK, "model": "claude-nope-9"}))
    assert_error_body(response, 404, "not_found_error")
    response = httpx2.get(simulator.base_url + "/v1/models", headers={"anthropic-version": "2023-06-01"})
    assert_error_body(response, 401, "authentication_error")
