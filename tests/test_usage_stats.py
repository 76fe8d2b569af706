"""Usage aggregates in SQL match sums computed here independently, row by row, from the same random calls."""
from __future__ import annotations

import json
import math
import random

import pytest

from workbench import usage_stats
from workbench.call_filter import CallFilter
from workbench.pricing import load_price_table
from workbench.usage_log import CallRecord, UsageLog

MODELS = ("haiku", "sonnet", "opus", "mystery")
SOURCES = ("editor", "compare", "cli")


def random_calls(seed: int = 7, count: int = 240) -> list[dict]:
    rng = random.Random(seed)
    calls = []
    for index in range(count):
        failed = rng.random() < 0.15
        model = rng.choice(MODELS)
        calls.append({
            "created_at": f"2026-03-{1 + index * 5 // count:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            "model": model, "source": rng.choice(SOURCES), "prompt_name": rng.choice(["a", "b", None]),
            "input_tokens": 0 if failed else rng.randrange(1, 5000),
            "output_tokens": 0 if failed else rng.randrange(1, 900),
            "cache_write_tokens": 0 if failed else rng.choice([0, 0, 1200]),
            "cache_read_tokens": 0 if failed else rng.choice([0, 0, 2400]),
            "latency_ms": None if failed else round(rng.uniform(80, 6000), 1),
            "ttft_ms": None if failed else round(rng.uniform(20, 900), 1),
            "cost_usd": None if failed or model == "mystery" else round(rng.uniform(0.0001, 0.05), 6),
            "error_type": rng.choice(["rate_limit_error", "overloaded_error"]) if failed else None,
        })
    calls.sort(key=lambda call: call["created_at"])
    return calls


def store(log: UsageLog, call: dict, **extra) -> int:
    return log.append(CallRecord(
        created_at=call["created_at"], source=call["source"], prompt_name=call["prompt_name"], model=call["model"],
        request_hash="h", input_tokens=call["input_tokens"], output_tokens=call["output_tokens"],
        cache_write_tokens=call["cache_write_tokens"], cache_read_tokens=call["cache_read_tokens"],
        ttft_ms=call["ttft_ms"], latency_ms=call["latency_ms"],
        stop_reason=None if call["error_type"] else "end_turn", error_type=call["error_type"],
        error_status=429 if call["error_type"] else None, request_id=None, cost_usd=call["cost_usd"],
        price_version="2026-03", request_json=json.dumps({"model": call["model"]}), response_json=None,
    ), **extra)


@pytest.fixture
def filled():
    log = UsageLog()
    calls = random_calls()
    for call in calls:
        store(log, call)
    return log, calls


def expected_totals(calls: list[dict]) -> dict:
    known = [call["cost_usd"] for call in calls if call["cost_usd"] is not None]
    return {
        "calls": len(calls), "attempts": len(calls),
        "errors": sum(1 for call in calls if call["error_type"]),
        "input_tokens": sum(call["input_tokens"] for call in calls),
        "output_tokens": sum(call["output_tokens"] for call in calls),
        "cache_write_tokens": sum(call["cache_write_tokens"] for call in calls),
        "cache_read_tokens": sum(call["cache_read_tokens"] for call in calls),
        "cost_usd": pytest.approx(sum(known)) if known else None,
        "unpriced_attempts": sum(1 for call in calls if call["cost_usd"] is None and call["input_tokens"]),
    }


def totals_subset(totals: usage_stats.Totals) -> dict:
    return {name: getattr(totals, name) for name in expected_totals([])}


def test_overview_totals_match_hand_sums(filled):
    log, calls = filled
    assert totals_subset(usage_stats.overview(log, CallFilter()).totals) == expected_totals(calls)


@pytest.mark.parametrize("call_filter, keep", [
    (CallFilter(models=("haiku", "opus")), lambda call: call["model"] in ("haiku", "opus")),
    (CallFilter(sources=("cli",)), lambda call: call["source"] == "cli"),
    (CallFilter(prompt_names=("(unnamed)",)), lambda call: call["prompt_name"] is None),
    (CallFilter(prompt_names=("a", "(unnamed)")), lambda call: call["prompt_name"] in ("a", None)),
    (CallFilter(outcomes=("error",)), lambda call: call["error_type"] is not None),
    (CallFilter(since="2026-03-03", until="2026-03-04T12:00:00+00:00"),
     lambda call: "2026-03-03" <= call["created_at"] < "2026-03-04T12"),
])
def test_each_filter_keeps_exactly_the_matching_calls(filled, call_filter, keep):
    log, calls = filled
    kept = [call for call in calls if keep(call)]
    assert kept and len(kept) < len(calls)
    assert totals_subset(usage_stats.overview(log, call_filter).totals) == expected_totals(kept)
    assert len(log.query_calls(call_filter, limit=10_000)) == len(kept)


def test_breakdowns_by_model_day_source_and_prompt_add_up(filled):
    log, calls = filled
    for by, key in (("model", lambda c: c["model"]), ("day", lambda c: c["created_at"][:10]),
                    ("source", lambda c: c["source"]), ("prompt", lambda c: c["prompt_name"] or "(unnamed)")):
        rows = {row[by]: row for row in usage_stats.breakdown(log, CallFilter(), by)}
        assert set(rows) == {key(call) for call in calls}
        for group, row in rows.items():
            expected = expected_totals([call for call in calls if key(call) == group])
            assert {name: row[name] for name in expected} == expected
    days = [row["day"] for row in usage_stats.breakdown(log, CallFilter(), "day")]
    assert days == sorted(days)


def test_cost_of_a_model_without_prices_is_unknown_not_zero(filled):
    log, calls = filled
    mystery = {row["model"]: row for row in usage_stats.breakdown(log, CallFilter(), "model")}["mystery"]
    assert mystery["cost_usd"] is None
    assert mystery["unpriced_attempts"] == sum(1 for c in calls if c["model"] == "mystery" and c["input_tokens"])
    assert usage_stats.overview(log, CallFilter()).unpriced_models == ["mystery"]


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def test_percentiles_are_exact_nearest_rank_over_completed_calls(filled):
    log, calls = filled
    found = usage_stats.percentiles(log, CallFilter(models=("sonnet",)))
    latencies = [c["latency_ms"] for c in calls if c["model"] == "sonnet" and c["latency_ms"] is not None]
    ttfts = [c["ttft_ms"] for c in calls if c["model"] == "sonnet" and c["ttft_ms"] is not None]
    assert found == {
        "p50_ttft_ms": nearest_rank(ttfts, 0.5), "p95_ttft_ms": nearest_rank(ttfts, 0.95),
        "p50_latency_ms": nearest_rank(latencies, 0.5), "p95_latency_ms": nearest_rank(latencies, 0.95),
    }


def test_errors_by_type_and_time_buckets_add_up(filled):
    log, calls = filled
    result = usage_stats.overview(log, CallFilter(), bucket="hour")
    expected: dict[str, int] = {}
    for call in calls:
        if call["error_type"]:
            expected[call["error_type"]] = expected.get(call["error_type"], 0) + 1
    assert result.errors_by_type == expected
    assert sum(totals.calls for totals in result.by_bucket.values()) == len(calls)
    assert all(len(bucket) == 13 for bucket in result.by_bucket)
    per_day_model: dict = {}
    for call in calls:
        key = (call["created_at"][:10], call["model"])
        per_day_model[key] = per_day_model.get(key, 0) + call["output_tokens"]
    assert {key: totals.output_tokens for key, totals in result.by_day_model.items()} == per_day_model


def test_latency_histogram_counts_every_completed_call_once(filled):
    log, calls = filled
    bins = usage_stats.latency_histogram(log, CallFilter(), 3000.0)
    assert sum(row["calls"] for row in bins) == sum(1 for c in calls if c["latency_ms"] is not None)
    over = sum(1 for c in calls if c["latency_ms"] is not None and c["latency_ms"] >= 2900.0)
    assert sum(row["calls"] for row in bins if row["from_ms"] >= 2899.0) == over  # the last bin holds the rest


def test_retried_attempts_count_as_one_call_with_every_attempts_tokens():
    log = UsageLog()
    base = random_calls(count=1)[0] | {"model": "haiku", "cost_usd": 0.01, "error_type": None,
                                       "input_tokens": 10, "output_tokens": 5}
    limited = base | {"error_type": "rate_limit_error", "input_tokens": 0, "output_tokens": 0, "cost_usd": None,
                      "latency_ms": 5.0}
    first = store(log, limited)
    second = store(log, limited, attempt_of=first)
    third = store(log, base, attempt_of=second)
    totals = usage_stats.overview(log, CallFilter()).totals
    assert (totals.calls, totals.attempts, totals.errors, totals.input_tokens) == (1, 3, 0, 10)
    assert [record.attempt for record in log.attempts(first)] == [1, 2, 3]
    assert [record.final for record in log.attempts(first)] == [False, False, True]
    assert {log.get(call_id).group_id for call_id in (first, second, third)} == {first}
    assert [row["id"] for row in log.query_calls(final_only=True)] == [third]


def test_reprice_puts_the_logged_cost_beside_the_current_tables(filled):
    log, calls = filled
    rows = {row.model: row for row in usage_stats.reprice(log, CallFilter(), load_price_table())}
    for model in ("haiku", "mystery"):
        assert rows[model].attempts == sum(1 for c in calls if c["model"] == model and c["input_tokens"])
    assert rows["mystery"].current_usd is None and rows["mystery"].current_unknown == rows["mystery"].attempts
    assert rows["haiku"].logged_versions == {"2026-03"}


def test_empty_log_adds_up_to_nothing():
    log = UsageLog()
    result = usage_stats.overview(log, CallFilter())
    assert result.is_empty and result.totals.cost_usd is None and result.totals.error_rate is None
    assert usage_stats.percentiles(log, CallFilter()) == dict.fromkeys(
        ["p50_ttft_ms", "p95_ttft_ms", "p50_latency_ms", "p95_latency_ms"])
    assert usage_stats.filter_choices(log) == {"models": [], "prompt_names": []}


def test_filter_choices_list_each_model_and_prompt_once(filled):
    log, calls = filled
    choices = usage_stats.filter_choices(log)
    assert choices["models"] == sorted({c["model"] for c in calls})
    assert choices["prompt_names"] == ["a", "b", "(unnamed)"]


@pytest.mark.parametrize("since, message", [("2026-13-01", "since '2026-13-01' is not a date"),
                                            ("2026-03-01T00:00:00", "since .* has no UTC offset")])
def test_bad_since_is_refused_with_a_sentence(since, message):
    with pytest.raises(ValueError, match=message):
        CallFilter(since=since)


def test_an_offset_is_read_in_utc():
    assert CallFilter(since="2026-03-02T01:00:00+01:00").since == "2026-03-02T00:00:00.000000+00:00"
