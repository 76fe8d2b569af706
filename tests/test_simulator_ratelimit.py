"""--rate-limit: excess requests get 429 with retry-after, which the SDK honours and then succeeds."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anthropic
import pytest

from workbench.simulator import start_simulator

REQUEST = dict(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}])
SPEED = 50


@pytest.fixture
def start_limited():
    """start_limited(rate_limit) -> a simulator at SPEED with that --rate-limit, stopped after the test."""
    handles = []

    def start(rate_limit: float):
        handles.append(start_simulator(speed=SPEED, rate_limit=rate_limit))
        return handles[-1]

    yield start
    for handle in handles:
        handle.stop()


def test_excess_request_gets_429_with_retry_after(start_limited):
    # One request per 1,000 simulated seconds: the slot frees 20 real seconds later, so the second
    # request is refused however slow the machine (at 1 request/s it could arrive after the refill).
    limited = start_limited(rate_limit=0.001)
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    client.messages.create(**REQUEST)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**REQUEST)
    headers = caught.value.response.headers
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert 0 < float(headers["retry-after"]) <= 1000 / SPEED  # simulated seconds scaled by --speed
    assert int(headers["retry-after-ms"]) == pytest.approx(float(headers["retry-after"]) * 1000)


def test_sdk_retries_honouring_retry_after(start_limited):
    # A slot every 5 simulated seconds (0.1 s real): five requests sent at once must mostly wait.
    limited = start_limited(rate_limit=0.2)
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=8)
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda _: client.messages.with_raw_response.create(**REQUEST), range(5)))
    assert all(raw.parse().type == "message" for raw in results)
    assert sum(raw.retries_taken for raw in results) >= 1
