"""Runs pace themselves by the endpoint's rate-limit headers: they wait instead of collecting 429s (issue 15).

Every test drives the real SDK against the simulator; the 429s are counted on the wire by an
HTTP hook of the test's own, not by the pacer under test.
"""
from __future__ import annotations

import threading

import anthropic
import pytest

from workbench import compare, pacing, runner
from workbench.backend import paced_http_client
from workbench.compare_cases import CompareCase
from workbench.simulator import start_simulator
from workbench.spec import PromptSpec, new_prompt

SPEED = 10


@pytest.fixture
def start_limited():
    handles = []

    def start(speed=SPEED, **limits):
        handles.append(start_simulator(speed=speed, **limits))
        return handles[-1]

    yield start
    for handle in handles:
        handle.stop()


class WireCount:
    """Statuses of every /v1/messages response the client received, the SDK's retries included."""

    def __init__(self):
        self.statuses: list[int] = []

    def client(self, base_url: str) -> anthropic.Anthropic:
        http = paced_http_client()
        hooks = http.event_hooks
        http.event_hooks = {"request": hooks["request"],
                            "response": [*hooks["response"], lambda response: self.statuses.append(response.status_code)]}
        return anthropic.Anthropic(base_url=base_url, api_key="test-key", http_client=http, max_retries=20)

    @property
    def refused(self) -> int:
        return self.statuses.count(429)


def matrix(rows: int, model: str, max_tokens: int = 24, user_text: str = "Give one fact about {{topic}}."):
    spec = new_prompt(model, user_text=user_text, max_tokens=max_tokens)
    spec = PromptSpec(request=spec.request, name="pacing", variables={"topic": "rivers"})
    cases = [CompareCase(index, {"topic": f"topic {index}"}, None) for index in range(rows)]
    return compare.plan_calls(spec, [model], cases=cases)


def run(client, calls, concurrency=16):
    outcome = compare.CompareOutcome(calls, endpoint=str(client.base_url))
    kinds = set()
    for call, event in compare.stream_compare(client, calls, concurrency=concurrency):
        outcome.observe(call, event)
        if isinstance(event, pacing.RateLimitWait):
            kinds.add(event.kind)
    return outcome.finish(), kinds


def test_a_request_limit_is_waited_for_not_hit(start_limited):
    limited = start_limited(rate_limit=2)  # a bucket of 2, refilled 20 per real second
    wire = WireCount()
    outcome, kinds = run(wire.client(limited.base_url), matrix(40, "claude-haiku-4-5"))
    assert all(result.ok for result in outcome.results.values()) and len(outcome.results) == 40
    assert "requests" in kinds and outcome.rate_limit_waits > 0  # the limit bound...
    assert wire.refused <= 2, f"{wire.refused} requests refused: the runs did not pace themselves"  # ...and was respected
    assert outcome.rejected_429 == wire.refused  # the summary reports the 429s met


def test_an_input_token_limit_binds_before_the_request_limit(start_limited):
    # ~600 input tokens a call against 6,000 a simulated minute: 10 calls a minute, far below the
    # (unset, nominal) request limit; refilled at 1,000 tokens (under two calls) per real second.
    limited = start_limited(itpm=6_000)
    wire = WireCount()
    long_question = "Consider this carefully. " * 120 + "Give one fact about {{topic}}."
    outcome, kinds = run(wire.client(limited.base_url), matrix(16, "claude-haiku-4-5", user_text=long_question))
    assert all(result.ok for result in outcome.results.values()) and len(outcome.results) == 16
    assert "input-tokens" in kinds
    assert wire.refused <= 2, f"{wire.refused} requests refused: the runs did not pace themselves"


def test_an_output_token_limit_is_paced_by_max_tokens(start_limited):
    limited = start_limited(otpm=6_000)  # 1,000 output tokens a real second; max_tokens 500 a call
    wire = WireCount()
    outcome, kinds = run(wire.client(limited.base_url), matrix(24, "claude-haiku-4-5", max_tokens=500))
    assert all(result.ok for result in outcome.results.values()) and len(outcome.results) == 24
    assert "output-tokens" in kinds
    assert wire.refused <= 2, f"{wire.refused} requests refused: the runs did not pace themselves"


def test_progress_says_which_limit_is_waited_for(start_limited):
    limited = start_limited(itpm=12_000)
    calls = matrix(2, "claude-haiku-4-5")
    outcome = compare.CompareOutcome(calls)
    outcome.observe(calls[1], pacing.RateLimitWait("input-tokens", 0.4))
    assert outcome.progress_text() == "0 of 2 calls · waiting for the input tokens rate limit to refill"
    assert outcome.rate_limit_note() == "Rate limits: 1 of 2 calls waited for a rate limit before sending."
    outcome.observe(calls[1], runner.TextDelta("Hi"))
    assert outcome.progress_text() == "0 of 2 calls"


def test_an_endpoint_without_rate_limit_headers_is_not_held_back():
    pacer = pacing.Pacer()
    spend = pacing.Spend(input_tokens=10, output_tokens=10)
    first_run = pacer.spend_when_ready(spend)
    with pytest.raises(StopIteration) as went:  # the first request goes at once, to find out
        next(first_run)
    first = went.value.value
    second = threading.Thread(target=lambda: list(pacer.spend_when_ready(spend)))
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive()  # the next one waits for the first answer...
    pacer.settle(first)  # ...which came without any rate-limit headers
    second.join(timeout=5)
    assert not second.is_alive()
    assert list(pacer.spend_when_ready(spend)) == []  # and from then on nothing is held back


def test_editor_runs_pace_too_and_report_nothing_when_unlimited(simulator):
    client = WireCount().client(simulator.base_url)
    request = new_prompt("claude-haiku-4-5", user_text="Say hi.", max_tokens=20).request
    events = list(runner.stream_run(client, request))
    assert not any(isinstance(event, pacing.RateLimitWait) for event in events)
    assert events[-1].result.ok
