"""Injected faults: retried away by the SDK when transient, and mid-stream disconnects as the SDK sees them."""
from __future__ import annotations

import anthropic
import httpx2
import pytest

REQUEST = dict(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": "Tell me a story"}])


@pytest.mark.parametrize("kind", ["overloaded", "server_error", "rate_limit"])
def test_fault_once_is_retried_away(client, kind):
    raw = client.messages.with_raw_response.create(**REQUEST, extra_headers={"x-simulator-fault": f"{kind};times=1"})
    assert raw.retries_taken == 1
    assert raw.parse().stop_reason == "end_turn"


def test_fault_every_time_exhausts_retries(client):
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(**REQUEST, extra_headers={"x-simulator-fault": "overloaded"})


def test_disconnect_mid_stream_raises_protocol_error_after_some_text(client):
    received = []
    with pytest.raises(httpx2.RemoteProtocolError):
        with client.messages.stream(**REQUEST, extra_headers={"x-simulator-fault": "disconnect"}) as stream:
            for text in stream.text_stream:
                received.append(text)
    assert "".join(received).startswith("[Simulated reply")


def test_disconnect_without_stream_is_a_connection_error_and_retried(client):
    with pytest.raises(anthropic.APIConnectionError) as caught:
        client.with_options(max_retries=0).messages.create(**REQUEST, extra_headers={"x-simulator-fault": "disconnect"})
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    message = client.messages.create(**REQUEST, extra_headers={"x-simulator-fault": "disconnect;times=1"})
    assert message.stop_reason == "end_turn"


def test_random_faults_from_fault_rate():
    from workbench.simulator import start_simulator

    flaky = start_simulator(speed=200, fault_rate=1.0, seed=3)
    try:
        client = anthropic.Anthropic(base_url=flaky.base_url, api_key="test-key", max_retries=0)
        seen = set()
        for number in range(16):
            request = {**REQUEST, "messages": [{"role": "user", "content": f"Say hi, {number}."}]}
            try:
                client.messages.create(**request)
            except anthropic.APIStatusError as error:
                assert error.status_code in (429, 500, 529)
                seen.add(error.status_code)
            except (anthropic.APIConnectionError, httpx2.TransportError):
                seen.add("disconnect")
            else:
                raise AssertionError("a fault rate of 1.0 let a request through")
        assert len(seen) >= 3  # the kinds are mixed, not one
        assert client.models.list().data  # only messages are faulted
    finally:
        flaky.stop()


def test_the_fault_header_applies_to_count_tokens(simulator):
    limited = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0,
                                  default_headers={"x-simulator-fault": "overloaded"})
    with pytest.raises(anthropic.OverloadedError):
        limited.messages.count_tokens(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}])
