"""workbench.batches: a test-case matrix as one Message Batch, against the simulator over real HTTP."""
from __future__ import annotations

import json

import anthropic
import pytest

from workbench.call_filter import CallFilter
from workbench import batches, compare, preflight
from workbench.compare_cases import CaseCheck, CompareCase
from workbench.pricing import load_price_table
from workbench.simulator import start_simulator
from workbench.simulator.batches import EXPIRE_HEADER
from workbench.spec import PromptSpec
from workbench.tokens import TokenCounter
from workbench.usage_log import UsageLog

MODELS = ["claude-haiku-4-5", "claude-sonnet-4-6"]


def make_spec(max_tokens: int = 64) -> PromptSpec:
    return PromptSpec(
        name="greeter", description="", variables={},
        request={"model": MODELS[0], "max_tokens": max_tokens,
                 "messages": [{"role": "user", "content": "Say hello to {{name}}."}]},
    )


def make_cases() -> list[CompareCase]:
    return [
        CompareCase(0, {"name": "Ada"}, CaseCheck("contains", "Simulated")),
        CompareCase(1, {"name": "Bob"}, CaseCheck("contains", "text that never appears")),
        CompareCase(2, {"name": "Cy"}, None),
    ]


@pytest.fixture
def log(workbench_home):
    return UsageLog()


@pytest.fixture
def prices():
    return load_price_table()


def test_custom_ids_name_the_cell_and_are_unique():
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases(), repeats=2)
    assert plan.request_count == 3 * 2 * 2
    assert len(set(plan.custom_ids)) == plan.request_count
    for custom_id, call in zip(plan.custom_ids, plan.calls):
        assert preflight.custom_id_problem(custom_id) is None
        assert custom_id == f"m{MODELS.index(call.model) + 1}-c{call.case.index + 1}-r{call.repeat + 1}"
    assert plan.calls[0].request["messages"][0]["content"] == "Say hello to Ada."
    assert batches.plan_problems(plan) == []


def test_over_the_limits_is_refused_with_the_number_to_cut():
    [problem] = preflight.batch_limit_problems(100_250, 1_000)
    assert "cut 250 requests" in problem.message
    [size] = preflight.batch_limit_problems(10, 300 * 1024 * 1024)
    assert "cut 44.0 MB" in size.message


def test_a_plan_over_the_request_limit_is_refused_before_sending(client, simulator, log):
    small = batches.build_batch(make_spec(), MODELS, cases=make_cases())
    # 100,004 requests: the same call over and over (building 100k distinct ones takes seconds).
    calls = [small.calls[0]] * 100_004
    plan = batches.BatchPlan(small.spec, MODELS, [], calls, [f"id{index}" for index in range(len(calls))])
    with pytest.raises(batches.BatchError, match="cut 4 requests"):
        batches.submit(client, plan, log)
    assert batches.list_batches(log) == []


def test_projection_is_half_price_and_counts_repeats_once(client, prices):
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases(), repeats=3)
    counter = TokenCounter(client)
    projection = batches.project_cost(plan, prices, counter)
    assert projection.request_count == 18
    assert projection.exact_input and projection.note is None
    assert counter.calls == 6  # cases × models; the repeats are the same request
    assert projection.batch_ceiling_usd == pytest.approx(projection.live_ceiling_usd / 2)
    assert projection.batch_floor_usd == pytest.approx(projection.live_floor_usd / 2)
    assert 0 < projection.batch_floor_usd < projection.batch_ceiling_usd


def test_projection_of_an_unpriced_model_is_unknown(prices):
    plan = batches.build_batch(make_spec(), ["claude-haiku-4-5", "claude-unpriced-9"], cases=make_cases())
    projection = batches.project_cost(plan, prices)
    assert projection.batch_ceiling_usd is None
    assert "claude-unpriced-9" in projection.note


def test_submit_wait_collect_gives_the_same_grid_as_a_live_run(client, log, prices):
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases())
    record = batches.submit(client, plan, log)
    assert record.status == "in_progress" and record.request_count == 6
    assert [batch.id for batch in batches.pending_batches(log)] == [record.id]

    seen = []
    ended = batches.wait_until_ended(client, log, record.id, poll_s=0.02, on_progress=seen.append)
    assert ended.counts.succeeded == 6 and ended.progress == 1.0
    report = batches.collect(client, log, record.id, prices=prices)
    assert (report.logged, report.problems) == (6, [])
    assert batches.pending_batches(log) == []

    rows = log.query_calls(CallFilter(sources=("batch",)))
    assert len(rows) == 6 and {row["batch_id"] for row in rows} == {record.id}
    for row in rows:
        call = log.get(row["id"])
        usage = json.loads(call.response_json)["usage"]
        assert usage["service_tier"] == "batch"
        live = prices.cost(batches.run_result_of({"type": "succeeded", "message": json.loads(call.response_json)},
                                                 request={}, model=row["model"], prices=None,
                                                 prompt_name=None).usage, row["model"])
        assert row["cost_usd"] == pytest.approx(live.usd / 2)

    outcome, template = batches.outcome_of(log, record.id, prices)
    summary = compare.summarize(outcome, prices, template_request=template)
    assert len(summary.grid) == 6
    by_cell = {(row["case"], row["model"]): row for row in summary.grid}
    assert by_cell[(1, MODELS[0])]["passed"] is True
    assert by_cell[(2, MODELS[0])]["passed"] is False and "missing" in by_cell[(2, MODELS[0])]["check"]
    assert by_cell[(3, MODELS[1])]["passed"] is True
    score = summary.scores[MODELS[0]]
    assert (score.passed, score.cells) == (2, 3)
    assert score.total_cost_usd == pytest.approx(sum(row["cost_usd"] for row in rows if row["model"] == MODELS[0]))


def test_errored_and_expired_requests_show_as_such(client, log, prices):
    spec = make_spec()
    spec.request["thinking"] = {"type": "enabled", "budget_tokens": 10}  # the API refuses a budget under 1024
    bad = batches.build_batch(spec, MODELS, cases=make_cases())
    good = batches.build_batch(make_spec(), MODELS, cases=make_cases() * 1)
    errored = batches.submit(client, bad, log)
    expired = batches.submit(client, good, log, extra_headers={EXPIRE_HEADER: "1"})
    for record in (errored, expired):
        batches.wait_until_ended(client, log, record.id, poll_s=0.02)
        batches.collect(client, log, record.id, prices=prices)

    outcome, template = batches.outcome_of(log, errored.id, prices)
    grid = compare.summarize(outcome, prices, template_request=template).grid
    assert len(grid) == 6 and not any(row["passed"] for row in grid)
    assert all("budget_tokens" in row["error"] for row in grid)
    assert all(row["output"] == "" for row in grid)

    outcome, template = batches.outcome_of(log, expired.id, prices)
    summary = compare.summarize(outcome, prices, template_request=template)
    assert all(row["check"] == "error: batch_expired" and row["error"].startswith("Expired") for row in summary.grid)
    assert all(row["cost_usd"] is None for row in summary.grid)
    calls = log.query_calls(CallFilter(sources=("batch",)))
    assert {row["error_type"] for row in calls} == {"invalid_request_error", "batch_expired"}


def test_canceled_requests_show_as_canceled(log, prices):
    slow = start_simulator(speed=1)
    try:
        client = anthropic.Anthropic(base_url=slow.base_url, api_key="k", max_retries=0)
        plan = batches.build_batch(make_spec(), MODELS, cases=make_cases(), repeats=3)
        record = batches.submit(client, plan, log)
        canceling = batches.cancel(client, log, record.id)
        assert canceling.status == "canceling"
        ended = batches.wait_until_ended(client, log, record.id, poll_s=0.1)
        assert ended.counts.canceled == 18
        batches.collect(client, log, record.id, prices=prices)
    finally:
        slow.stop()
    outcome, template = batches.outcome_of(log, record.id, prices)
    grid = compare.summarize(outcome, prices, template_request=template).grid
    assert len(grid) == 18
    assert {row["check"] for row in grid} == {"error: batch_canceled"}


def test_an_unreadable_line_is_reported_with_its_custom_id_and_the_rest_load(client, log, prices):
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases())
    record = batches.submit(client, plan, log)
    batches.wait_until_ended(client, log, record.id, poll_s=0.02)
    lines = list(batches.result_lines(client, record.id))
    broken = lines[2][: len(lines[2]) // 2]
    custom_id = json.loads(lines[2])["custom_id"]
    report = batches.collect(client, log, record.id, prices=prices, lines=[*lines[:2], broken, *lines[3:]])
    assert report.logged == 5
    assert len(report.problems) == 1 and f"custom_id {custom_id}" in report.problems[0]
    assert batches.get_batch(log, record.id).problems == report.problems
    outcome, _ = batches.outcome_of(log, record.id, prices)
    assert len(outcome.results) == 5 and len(outcome.calls) == 6


def test_collecting_again_logs_each_result_once(client, log, prices):
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases())
    record = batches.submit(client, plan, log)
    batches.wait_until_ended(client, log, record.id, poll_s=0.02)
    lines = list(batches.result_lines(client, record.id))
    first = batches.collect(client, log, record.id, prices=prices, lines=lines[:3])  # as if it died midway
    again = batches.collect(client, log, record.id, prices=prices)
    assert (first.logged, again.logged, again.already_logged) == (3, 3, 3)
    assert log.count(source="batch") == 6


def test_a_new_log_and_client_resume_a_pending_batch(simulator, log, prices):
    first_client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k")
    record = batches.submit(first_client, batches.build_batch(make_spec(), MODELS, cases=make_cases()), log)
    log.close()
    # As a restarted app would: a fresh log on the same file, a fresh client.
    reopened = UsageLog()
    [pending] = batches.pending_batches(reopened)
    assert pending.id == record.id
    second_client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k")
    batches.wait_until_ended(second_client, reopened, pending.id, poll_s=0.02)
    assert batches.collect(second_client, reopened, pending.id, prices=prices).logged == 6


def test_a_matrix_with_some_errored_and_some_expired_requests(client, log, prices):
    plan = batches.build_batch(make_spec(), MODELS, cases=make_cases(), repeats=4)
    broken = [call for call in plan.calls if call.model == MODELS[1] and call.case.index == 2]
    for call in broken:
        call.request["thinking"] = {"type": "enabled", "budget_tokens": 10}  # refused by the API
    record = batches.submit(client, plan, log, extra_headers={EXPIRE_HEADER: "0.3"})
    ended = batches.wait_until_ended(client, log, record.id, poll_s=0.02)
    counts = ended.counts
    assert counts.total == 24 and counts.processing == 0
    assert counts.expired > 0 and counts.errored > 0 and counts.succeeded > 0
    assert batches.collect(client, log, record.id, prices=prices).logged == 24

    outcome, template = batches.outcome_of(log, record.id, prices)
    summary = compare.summarize(outcome, prices, template_request=template)
    checks = [row["check"] for row in summary.grid]
    assert checks.count("error: batch_expired") == counts.expired
    assert checks.count("error: invalid_request_error") == counts.errored <= len(broken)
    assert all(row["output"] for row in summary.grid if not row["check"].startswith("error"))
    # Every cell counts in the score: a request that did not answer fails, and costs nothing.
    assert sum(score.cells for score in summary.scores.values()) == 24
    passed = sum(row["passed"] for row in summary.grid)
    assert sum(score.passed for score in summary.scores.values()) == passed
    assert sorted({row["repeat"] for row in summary.grid}) == [1, 2, 3, 4]
