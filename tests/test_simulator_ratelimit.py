"""--rate-limit: excess requests get 429 with retry-after, which the SDK honours and then succeeds."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import anthropic
import pytest

from workbench.simulator import start_simulator

REQUEST = dict(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}])


@pytest.fixture
def limited():
    handle = start_simulator(speed=50, rate_limit=1.0)  # 1 request/s simulated = 50/s real
    yield handle
    handle.stop()


def test_excess_request_gets_429_with_retry_after(limited):
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    client.messages.create(**REQUEST)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**REQUEST)
    headers = caught.value.response.headers
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert 0 < float(headers["retry-after"]) <= 0.05
    assert int(headers["retry-after-ms"]) > 0


def test_sdk_retries_honouring_retry_after(limited):
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=8)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda _: client.messages.with_raw_response.create(**REQUEST), range(5)))
    elapsed = time.monotonic() - started
    assert all(raw.parse().type == "message" for raw in results)
    assert sum(raw.retries_taken for raw in results) >= 1
    assert elapsed < 5  # waits were the scaled retry-after, not the SDK's 0.5 s+ backoff
