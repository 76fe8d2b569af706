"""Faults on the wire (`stream_error`, `reset`, the fault header on GET /v1/models), anthropic-version,
unknown content block types and image data: each as the API does it, driven through the real SDK."""
from __future__ import annotations

import base64
import socket

import anthropic
import httpx2
import pytest

from workbench.runner import run_once
from workbench.usage_log import UsageLog

HELLO = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper and the sea."}]
PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def test_stream_error_sends_200_then_an_error_event_and_the_runner_keeps_the_partial_text(client):
    request = {"model": "claude-haiku-4-5", "max_tokens": 400, "messages": HELLO}
    result = run_once(client, request, log=UsageLog(), extra_headers={"x-simulator-fault": "stream_error"})
    assert result.error is not None and result.error.type == "overloaded_error"
    assert result.partial and result.text  # the deltas before the error are kept
    assert result.ttft_ms is not None
    row = UsageLog().recent(1)[0]
    assert row.error_type == "overloaded_error" and row.request_id == result.request_id
    assert row.output_tokens >= 1  # the partial reply's usage, as the stream reported it


def test_stream_error_reaches_the_sdk_stream_as_an_api_error_after_text(client):
    texts = []
    with pytest.raises(anthropic.APIStatusError) as raised:
        with client.messages.stream(model="claude-haiku-4-5", max_tokens=400, messages=HELLO,
                                    extra_headers={"x-simulator-fault": "stream_error"}) as stream:
            for text in stream.text_stream:
                texts.append(text)
    assert texts and raised.value.type == "overloaded_error"


def test_stream_error_on_a_non_streaming_call_is_a_529(client):
    with pytest.raises(anthropic.InternalServerError) as raised:
        client.with_options(max_retries=0).messages.create(
            model="claude-haiku-4-5", max_tokens=50, messages=HELLO, extra_headers={"x-simulator-fault": "stream_error"})
    assert raised.value.status_code == 529


def test_reset_closes_the_connection_before_any_headers_and_the_sdk_retries(simulator):
    host, port = simulator.base_url.removeprefix("http://").split(":")
    raw = (b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\nanthropic-version: 2023-06-01\r\n"
           b"content-type: application/json\r\nx-simulator-fault: reset\r\ncontent-length: 2\r\n\r\n{}")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(raw)
        try:
            received = connection.recv(1024)
        except ConnectionResetError:
            received = b""
    assert received == b""  # not one byte of a response
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k", max_retries=2)
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=HELLO,
                                     extra_headers={"x-simulator-fault": "reset;times=2"})
    assert message.content
    with pytest.raises(anthropic.APIConnectionError):
        client.with_options(max_retries=1).messages.create(
            model="claude-haiku-4-5", max_tokens=50, messages=HELLO, extra_headers={"x-simulator-fault": "reset"})


def test_the_fault_header_applies_to_the_model_listing(simulator):
    from workbench.models import fetch_catalog
    failing = anthropic.Anthropic(base_url=simulator.base_url, api_key="k", max_retries=0,
                                  default_headers={"x-simulator-fault": "overloaded"})
    catalog = fetch_catalog(failing)
    assert catalog.source == "offline" and "529" in catalog.error
    reset = anthropic.Anthropic(base_url=simulator.base_url, api_key="k", max_retries=0,
                                default_headers={"x-simulator-fault": "reset"})
    assert fetch_catalog(reset).source == "offline"
    with pytest.raises(anthropic.RateLimitError):
        failing.with_options(default_headers={"x-simulator-fault": "rate_limit"}).models.retrieve("claude-haiku-4-5")


@pytest.mark.parametrize("version", ["2023-06-02", "2027-01-01", "2023-6-01", "latest"])
def test_an_unknown_anthropic_version_is_a_400(simulator, version):
    response = httpx2.post(f"{simulator.base_url}/v1/messages", headers={
        "x-api-key": "k", "anthropic-version": version, "content-type": "application/json"},
        json={"model": "claude-haiku-4-5", "max_tokens": 10, "messages": HELLO})
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error",
                                        "message": f'anthropic-version: "{version}" is not a valid version'}


@pytest.mark.parametrize("version", ["2023-01-01", "2023-06-01", "2026-10-21"])
def test_published_anthropic_versions_are_accepted(simulator, version):
    response = httpx2.post(f"{simulator.base_url}/v1/messages/count_tokens", headers={
        "x-api-key": "k", "anthropic-version": version, "content-type": "application/json"},
        json={"model": "claude-haiku-4-5", "messages": HELLO})
    assert response.status_code == 200


def test_an_unknown_content_block_type_is_a_400(client):
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[
            {"role": "user", "content": [{"type": "video", "source": {"type": "url", "url": "https://x"}}]}])
    assert "Input tag 'video'" in raised.value.api_message and "messages.0.content.0" in raised.value.api_message


@pytest.mark.parametrize(("data", "media_type", "words"), [
    ("not base64 at all!", "image/png", "invalid base64"),
    (base64.b64encode(b"just some text, no image").decode(), "image/png", "Could not process image"),
    (PNG_1PX, "image/jpeg", "appears to be a image/png image"),
])
def test_malformed_image_data_is_a_400(client, data, media_type, words):
    block = {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    with pytest.raises(anthropic.BadRequestError, match=words):
        client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                               messages=[{"role": "user", "content": [block, {"type": "text", "text": "What?"}]}])


def test_a_real_image_is_accepted(client):
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_1PX}}
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                     messages=[{"role": "user", "content": [block, {"type": "text", "text": "What?"}]}])
    assert message.content
