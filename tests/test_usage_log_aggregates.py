"""Aggregates in SQL match sums computed by hand; CSV export streams every row."""
from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.usage_log import CSV_COLUMNS, CallRecord, UsageLog

# (created_at, model, input, output, cache_write, cache_read, latency_ms, ttft_ms, cost, error)
CALLS = [
    ("2026-03-01T09:00:00Z", "haiku", 100, 10, 0, 0, 100.0, 10.0, 0.001, None),
    ("2026-03-01T10:00:00Z", "haiku", 200, 20, 50, 0, 300.0, 30.0, 0.002, None),
    ("2026-03-01T23:59:59Z", "opus", 1000, 100, 0, 500, 2000.0, 400.0, None, None),
    ("2026-03-02T00:00:00Z", "haiku", 0, 0, 0, 0, None, None, None, "overloaded_error"),
    ("2026-03-02T08:00:00Z", "opus", 3000, 300, 10, 20, 4000.0, 600.0, 0.5, None),
    ("2026-03-03T08:00:00Z", "haiku", 400, 40, 0, 100, 200.0, 20.0, 0.004, None),
]


@pytest.fixture
def log(tmp_path) -> UsageLog:
    log = UsageLog(tmp_path / "calls.db")
    for created_at, model, inp, out, cw, cr, latency, ttft, cost, error in CALLS:
        log.append(CallRecord(
            created_at=created_at, source="editor", prompt_name=None, model=model, request_hash="h",
            input_tokens=inp, output_tokens=out, cache_write_tokens=cw, cache_read_tokens=cr,
            ttft_ms=ttft, latency_ms=latency, stop_reason=None if error else "end_turn",
            error_type=error, error_status=529 if error else None, request_id=None, cost_usd=cost,
            price_version="v", request_json=json.dumps({"model": model, "text": "a, \"quoted\"\nline"}),
            response_json=None,
        ))
    return log


def test_totals_by_model_match_hand_sums(log):
    totals = {row["model"]: row for row in log.totals_by_model()}
    assert set(totals) == {"haiku", "opus"}
    haiku, opus = totals["haiku"], totals["opus"]
    assert (haiku["calls"], haiku["errors"]) == (4, 1)
    assert (haiku["input_tokens"], haiku["output_tokens"]) == (700, 70)
    assert (haiku["cache_write_tokens"], haiku["cache_read_tokens"]) == (50, 100)
    assert haiku["cost_usd"] == pytest.approx(0.007)
    assert haiku["unknown_cost_calls"] == 1
    assert haiku["mean_latency_ms"] == pytest.approx(200.0)   # the failed call has no latency
    assert haiku["max_latency_ms"] == 300.0
    assert haiku["mean_ttft_ms"] == pytest.approx(20.0)
    assert opus["cost_usd"] == pytest.approx(0.5)              # known costs only
    assert opus["unknown_cost_calls"] == 1
    assert (opus["calls"], opus["errors"], opus["input_tokens"]) == (2, 0, 4000)


def test_latency_percentiles_are_nearest_rank_per_model(log):
    assert log.latency_percentiles() == [
        {"model": "haiku", "p50_latency_ms": 200.0, "p95_latency_ms": 300.0},  # of 100, 200, 300
        {"model": "opus", "p50_latency_ms": 2000.0, "p95_latency_ms": 4000.0},
    ]
    assert log.latency_percentiles(since="2026-03-02") == [
        {"model": "haiku", "p50_latency_ms": 200.0, "p95_latency_ms": 200.0},
        {"model": "opus", "p50_latency_ms": 4000.0, "p95_latency_ms": 4000.0},
    ]


def test_percentiles_with_ties_and_many_values(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    latencies = [float(n) for n in range(1, 101)] + [50.0] * 10   # 110 values, ties at 50
    for latency in latencies:
        log.append(CallRecord(
            created_at="2026-03-01T00:00:00Z", source="cli", prompt_name=None, model="m",
            request_hash="h", input_tokens=0, output_tokens=0, cache_write_tokens=0,
            cache_read_tokens=0, ttft_ms=None, latency_ms=latency, stop_reason=None,
            error_type=None, error_status=None, request_id=None, cost_usd=None,
            price_version=None, request_json="{}", response_json=None,
        ))
    ordered = sorted(latencies)
    # Nearest rank: the value at position ceil(p * n), 1-based.
    assert log.latency_percentiles() == [
        {"model": "m", "p50_latency_ms": ordered[55 - 1], "p95_latency_ms": ordered[105 - 1]}
    ]


def test_cost_of_a_group_with_no_known_cost_is_none_not_zero(log):
    day_one = {row["model"]: row for row in log.daily_totals() if row["day"] == "2026-03-01"}
    assert day_one["opus"]["cost_usd"] is None
    assert day_one["opus"]["unknown_cost_calls"] == 1


def test_totals_since_keep_only_later_calls(log):
    totals = {row["model"]: row for row in log.totals_by_model(since="2026-03-02T00:00:00+00:00")}
    assert totals["haiku"]["calls"] == 2
    assert totals["opus"]["calls"] == 1
    # An offset is converted to UTC before comparing: 01:00+01:00 is midnight UTC.
    assert sum(row["calls"] for row in log.totals_by_model(since="2026-03-02T01:00:00+01:00")) == 3


def test_daily_totals_group_by_utc_day_and_model(log):
    rows = [(row["day"], row["model"], row["calls"], row["input_tokens"]) for row in log.daily_totals()]
    assert rows == [
        ("2026-03-01", "haiku", 2, 300),
        ("2026-03-01", "opus", 1, 1000),
        ("2026-03-02", "haiku", 1, 0),
        ("2026-03-02", "opus", 1, 3000),
        ("2026-03-03", "haiku", 1, 400),
    ]
    assert [row["day"] for row in log.daily_totals(since="2026-03-03")] == ["2026-03-03"]


def test_empty_log_aggregates_to_nothing(tmp_path):
    log = UsageLog(tmp_path / "empty.db")
    assert log.totals_by_model() == [] and log.daily_totals() == []


def test_export_csv_to_a_stream_has_header_and_every_row(log):
    out = io.StringIO()
    assert log.export_csv(out) == len(CALLS)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_COLUMNS
    assert CSV_COLUMNS[0] == "id" and CSV_COLUMNS[-2:] == ["request_json", "response_json"]
    assert len(rows) == len(CALLS) + 1
    by_name = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert by_name[2]["cost_usd"] == ""                       # unknown stays blank, never 0
    assert json.loads(by_name[0]["request_json"])["text"] == "a, \"quoted\"\nline"


def test_export_csv_without_bodies(log):
    out = io.StringIO()
    assert log.export_csv(out, include_bodies=False) == len(CALLS)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header == [name for name in CSV_COLUMNS if name not in ("request_json", "response_json")]


def test_export_csv_to_a_path(log, tmp_path):
    target = tmp_path / "calls.csv"
    assert log.export_csv(target) == len(CALLS)
    with open(target, newline="", encoding="utf-8") as stream:
        assert sum(1 for _ in csv.reader(stream)) == len(CALLS) + 1


def test_since_is_exact_when_calls_arrive_out_of_time_order(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    for created_at, model in [("2026-03-05T00:00:00Z", "late"), ("2026-03-01T00:00:00Z", "early"),
                              ("2026-03-06T00:00:00Z", "late")]:
        log.append(CallRecord(
            created_at=created_at, source="cli", prompt_name=None, model=model, request_hash="h",
            input_tokens=1, output_tokens=0, cache_write_tokens=0, cache_read_tokens=0,
            ttft_ms=None, latency_ms=1.0, stop_reason=None, error_type=None, error_status=None,
            request_id=None, cost_usd=None, price_version=None, request_json="{}", response_json=None,
        ))
    assert [(row["model"], row["calls"]) for row in log.totals_by_model(since="2026-03-02")] == [("late", 2)]
    assert [row["model"] for row in log.query_calls(since="2026-03-02")] == ["late", "late"]
    assert log.totals_by_model(since="2026-04-01") == []


@pytest.mark.parametrize("since, message", [("2026-13-01", "since '2026-13-01' is not a date"),
                                            ("2026-03-01T00:00:00", "since .* has no UTC offset")])
def test_bad_since_is_refused_with_a_sentence(log, since, message):
    with pytest.raises(ValueError, match=message):
        log.totals_by_model(since=since)
