"""Compare runs against the simulator: concurrent models, failures kept per call, rate limits survived."""
from __future__ import annotations

import json

import anthropic
import httpx2

from workbench import compare, usage_stats
from workbench.call_filter import CallFilter
from workbench.compare_cases import CaseCheck, CompareCase
from workbench.models import fetch_catalog
from workbench.pricing import load_price_table
from workbench.run_history import prompt_from_record
from workbench.runner import TextDelta
from workbench.simulator import start_simulator
from workbench.spec import PromptSpec, new_prompt
from workbench.usage_log import UsageLog

MODELS = ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-5-5"]


def landmark_prompt(**request_changes) -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=200)
    return PromptSpec(request={**spec.request, **request_changes}, name="landmarks", variables={"city": "Paris"})


def test_models_run_concurrently_and_every_call_is_logged(client):
    log = UsageLog()
    calls = compare.plan_calls(landmark_prompt(), MODELS, repeats=2)
    streamed: dict[int, str] = {}
    outcome = compare.CompareOutcome(calls)
    for call, event in compare.stream_compare(client, calls, concurrency=3, log=log, prompt_name="landmarks"):
        outcome.observe(call, event)
        if isinstance(event, TextDelta):
            streamed[call.index] = streamed.get(call.index, "") + event.text
    outcome.finish()
    assert sorted(outcome.results) == list(range(6))
    assert all(result.ok for result in outcome.results.values())
    # What each column streamed is exactly the final reply of that call.
    assert all(streamed[index] == outcome.results[index].text for index in range(6))
    assert [result.model for result in outcome.results_for("claude-opus-5-5")] == ["claude-opus-5-5"] * 2
    records = [log.get(result.log_id) for result in outcome.results.values()]
    assert {record.source for record in records} == {"compare"}
    assert {record.prompt_name for record in records} == {"landmarks"}
    assert log.count(source="compare") == 6
    # Concurrent: the compare takes less than its calls one after another.
    assert outcome.wall_ms < sum(result.latency_ms for result in outcome.results.values())


def test_a_failing_model_keeps_its_error_and_the_others_finish(client):
    # Opus 5.5 rejects prefill (a final assistant turn); Haiku 4.5 accepts it. Sent anyway here,
    # to check that one column's failure leaves the others alone.
    prefill = landmark_prompt(messages=[{"role": "user", "content": "Name one landmark of Paris."},
                                        {"role": "assistant", "content": "One landmark is"}])
    assert compare.model_problems(prefill.request, "claude-opus-5-5", None, fetch_catalog(client))
    outcome = compare.run_compare(client, compare.plan_calls(prefill, ["claude-haiku-4-5", "claude-opus-5-5"]))
    haiku, opus = outcome.results_for("claude-haiku-4-5")[0], outcome.results_for("claude-opus-5-5")[0]
    assert haiku.ok and haiku.text
    assert not opus.ok and opus.error.status == 400 and opus.error.type == "invalid_request_error"
    summary = compare.summarize(outcome, load_price_table(), template_request=prefill.request)
    assert (summary.stats["claude-opus-5-5"].errors, summary.stats["claude-haiku-4-5"].errors) == (1, 0)
    assert summary.costs["claude-opus-5-5"].note == "no successful call to measure"


def test_matrix_under_a_rate_limit_finishes_with_every_call_logged():
    limited = start_simulator(speed=50, rate_limit=1, seed=1)  # 1 simulated rps = 50 real rps
    refused = []
    http_client = httpx2.Client(
        event_hooks={"response": [lambda response: refused.append(1) if response.status_code == 429 else None]}
    )
    try:
        client = anthropic.Anthropic(base_url=limited.base_url, api_key="test-key", http_client=http_client)
        cases = [CompareCase(index, {"city": f"City {index}"}, CaseCheck("contains", "Simulated")) for index in range(20)]
        calls = compare.plan_calls(landmark_prompt(), MODELS, cases=cases)
        log = UsageLog()
        outcome = compare.run_compare(client, calls, concurrency=16, log=log, prompt_name="landmarks")
    finally:
        limited.stop()
    # The limit bound: calls waited for it before sending (workbench.pacing), or were refused and retried.
    assert outcome.rate_limit_waits or refused, "the limit was never hit: the test proves nothing"
    assert len(outcome.results) == len(calls) == 60
    assert all(result.ok for result in outcome.results.values())
    log_ids = {result.log_id for result in outcome.results.values()}
    assert None not in log_ids and len(log_ids) == 60
    assert log.count(source="compare") >= 60
    summary = compare.summarize(outcome, load_price_table(), template_request=landmark_prompt().request)
    assert [row["pass_rate"] for row in compare.score_rows(summary)] == [1.0, 1.0, 1.0]
    assert len(summary.grid) == 60


def test_calls_still_rate_limited_after_the_sdk_retries_run_again_then_report(simulator):
    always_limited = anthropic.Anthropic(
        base_url=simulator.base_url, api_key="test-key", default_headers={"x-simulator-fault": "rate_limit"}
    )
    log = UsageLog()
    calls = compare.plan_calls(landmark_prompt(), ["claude-haiku-4-5", "claude-opus-5-5"])
    kinds = [type(event).__name__ for _, event in compare.stream_compare(always_limited, calls, log=log)]
    assert kinds.count("Rerun") == 2 * (compare.MAX_RERUN_ROUNDS - 1)
    assert kinds.count("RunDone") == 2  # one per call, the last attempt's failure
    assert log.count(source="compare") == 2 * compare.MAX_RERUN_ROUNDS  # every attempt is in the log
    # ...as attempts of two logical calls, so totals count two calls.
    totals = usage_stats.overview(log, CallFilter()).totals
    assert (totals.calls, totals.attempts, totals.errors) == (2, 2 * compare.MAX_RERUN_ROUNDS, 2)
    finals = log.query_calls(final_only=True)
    assert sorted(row["attempt"] for row in finals) == [compare.MAX_RERUN_ROUNDS] * 2
    assert [row["sdk_retries"] for row in finals] == [compare.COMPARE_MAX_RETRIES] * 2  # the SDK's own retries


def test_each_compare_call_is_logged_with_its_template_and_values_to_restore(client):
    log = UsageLog()
    cases = [CompareCase(0, {"city": "Oslo"}, None)]
    calls = compare.plan_calls(landmark_prompt(), ["claude-haiku-4-5"], cases=cases)
    outcome = compare.run_compare(client, calls, log=log, prompt_name="landmarks")
    record = log.get(outcome.results[0].log_id)
    restored = prompt_from_record(record)
    assert restored.exact and restored.values["city"] == "Oslo"
    assert "{{city}}" in json.dumps(restored.spec.request) and "Oslo" in record.request_json
