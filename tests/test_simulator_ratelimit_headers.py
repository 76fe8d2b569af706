"""The simulator's anthropic-ratelimit-* headers tell the truth about its configured limits (issue 15)."""
from __future__ import annotations

from datetime import datetime

import anthropic
import pytest

from workbench.simulator import start_simulator

SPEED = 10
PROMPT = [{"role": "user", "content": "Name one landmark of Paris."}]


@pytest.fixture
def start_limited():
    """start_limited(**limits) -> a simulator at SPEED with those limits, stopped after the test."""
    handles = []

    def start(**limits):
        handles.append(start_simulator(speed=SPEED, **limits))
        return handles[-1]

    yield start
    for handle in handles:
        handle.stop()


def raw_create(client: anthropic.Anthropic, **overrides):
    body = dict(model="claude-haiku-4-5", max_tokens=40, messages=PROMPT) | overrides
    return client.messages.with_raw_response.create(**body)


def seconds_until(stamp: str, sent: datetime) -> float:
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - sent).total_seconds()


def test_request_headers_report_the_configured_bucket(start_limited):
    limited = start_limited(rate_limit=5)  # a bucket of 5 that refills 5 per simulated second
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    sent = datetime.now().astimezone()
    headers = raw_create(client).headers
    assert headers["anthropic-ratelimit-requests-limit"] == "5"
    assert headers["anthropic-ratelimit-requests-remaining"] == "4"
    # One request spent: full again after 1/5 simulated second, i.e. 0.2 / SPEED real seconds.
    assert 0 < seconds_until(headers["anthropic-ratelimit-requests-reset"], sent) <= 0.2 / SPEED + 0.05


def test_input_token_limit_is_enforced_and_reported(start_limited):
    limited = start_limited(itpm=600)
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    counted = client.messages.count_tokens(model="claude-haiku-4-5", messages=PROMPT).input_tokens
    headers = raw_create(client).headers
    assert headers["anthropic-ratelimit-input-tokens-limit"] == "600"
    remaining = int(headers["anthropic-ratelimit-input-tokens-remaining"])
    assert 600 - counted - 1 <= remaining <= 600 - counted  # refilled at most a token meanwhile
    long_prompt = [{"role": "user", "content": "word " * 2000}]  # more than the bucket holds: needs it full
    with pytest.raises(anthropic.RateLimitError) as caught:
        raw_create(client, messages=long_prompt)
    refused = caught.value
    assert "input tokens per minute" in refused.message
    # Refused: what is left is less than the request needs, and retry-after is the time to refill the
    # rest (600 tokens per simulated minute, SPEED times faster in real time).
    left = int(refused.response.headers["anthropic-ratelimit-input-tokens-remaining"])
    assert left < 600
    assert float(refused.response.headers["retry-after"]) == pytest.approx((600 - left) / (600 / 60 * SPEED), abs=0.02)


def test_output_tokens_are_estimated_from_max_tokens_and_the_unused_part_given_back(start_limited):
    limited = start_limited(otpm=32_000)
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    first = raw_create(client, max_tokens=16_000)
    remaining_at_admission = int(first.headers["anthropic-ratelimit-output-tokens-remaining"])
    assert first.headers["anthropic-ratelimit-output-tokens-limit"] == "32000"
    assert remaining_at_admission == 16_000  # max_tokens spent while it runs
    used = first.parse().usage.output_tokens
    assert used < 1_000
    second = raw_create(client, max_tokens=10)
    # The first reply gave back what it did not use: only its real output (and 10) is spent now.
    remaining = int(second.headers["anthropic-ratelimit-output-tokens-remaining"])
    assert 32_000 - used - 10 <= remaining <= 32_000 - 10


def test_limits_apply_per_model(start_limited):
    limited = start_limited(rate_limit=0.001)  # one request per model, then a 1,000 s wait
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    raw_create(client, model="claude-haiku-4-5")
    other = raw_create(client, model="claude-sonnet-4-6")  # its own bucket: still full
    assert other.headers["anthropic-ratelimit-requests-remaining"] == "0"
    with pytest.raises(anthropic.RateLimitError):
        raw_create(client, model="claude-haiku-4-5")


def test_cache_reads_do_not_count_and_a_refused_request_writes_no_cache(start_limited):
    limited = start_limited(itpm=3_000)
    client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=0)
    document = "The committee met on a grey morning and agreed on the budget. " * 150
    cached_system = [{"type": "text", "text": document, "cache_control": {"type": "ephemeral"}}]
    plain = raw_create(client, model="claude-sonnet-4-6", system=document)
    size = plain.parse().usage.input_tokens
    assert 1_500 < size < 3_000  # above Sonnet 4.6's cache minimum, and more than half the bucket
    with pytest.raises(anthropic.RateLimitError):
        raw_create(client, model="claude-sonnet-4-6", system=cached_system)  # a cache write would not fit
    patient = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", max_retries=10)
    written = raw_create(patient, model="claude-sonnet-4-6", system=cached_system).parse().usage
    # The refused attempt stored nothing: the retry that got through wrote the cache itself.
    assert written.cache_creation_input_tokens > 1_000 and written.cache_read_input_tokens == 0
    # About a third of the bucket is left; a cache read of the whole prefix is admitted at once
    # (no retries allowed), because only its few uncached tokens count against the limit.
    read = raw_create(client, model="claude-sonnet-4-6", system=cached_system).parse().usage
    assert read.cache_read_input_tokens == written.cache_creation_input_tokens
