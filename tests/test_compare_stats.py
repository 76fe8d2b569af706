"""Latency statistics and the measured cost table of Compare, with hand-worked numbers."""
from __future__ import annotations

import pytest

from workbench.compare_stats import (
    cost_row,
    has_cache_breakpoint,
    model_stats,
    percentile,
    spread,
    with_all_cacheable_read,
)
from workbench.pricing import Cost, UsageCounts, load_price_table
from workbench.runner import RunError, RunResult

HAIKU = "claude-haiku-4-5"  # $1 input, $5 output, $1.25 5m write, $0.10 cache read per MTok


def finished_run(model=HAIKU, *, ttft_ms=100.0, latency_ms=1000.0, usage=None, error=None, prices=None):
    """A RunResult as the runner returns it, priced with the bundled table."""
    usage = usage if usage is not None or error else UsageCounts(input_tokens=1000, output_tokens=200)
    cost = prices.cost(usage, model) if prices and usage else Cost(usd=None, reason="no usage")
    return RunResult(
        model=model, request={"model": model}, source="compare", prompt_name="t", text="hi", thinking="",
        tool_uses=[], content=[], stop_reason=None if error else "end_turn", request_id=None, usage=usage,
        cost=cost, ttft_ms=None if error else ttft_ms, latency_ms=latency_ms,
        output_tokens_per_s=None if error or not usage else usage.output_tokens / ((latency_ms - ttft_ms) / 1000),
        error=error, partial=False, started_at="2026-11-24T00:00:00+00:00",
    )


def overloaded():
    return RunError(type="overloaded_error", status=529, message="Overloaded", request_id=None,
                    retry_after=None, hint="retry")


def test_percentiles_interpolate_between_ranks():
    latencies = [500.0, 100.0, 300.0, 200.0, 400.0]
    assert percentile(latencies, 0.50) == 300.0
    assert percentile(latencies, 0.95) == pytest.approx(480.0)  # rank 3.8: 400 + 0.8 × 100
    assert percentile([10.0, 20.0], 0.50) == 15.0
    assert percentile([10.0, 20.0], 0.95) == pytest.approx(19.5)
    assert percentile([], 0.5) is None


def test_spread_ignores_missing_values():
    result = spread([42.0, None])
    assert (result.count, result.p50, result.p95, result.min, result.max) == (1, 42.0, 42.0, 42.0, 42.0)
    assert spread([None]).p50 is None


def test_model_stats_time_only_successful_calls_and_count_errors():
    runs = [
        finished_run(ttft_ms=100, latency_ms=1000, usage=UsageCounts(input_tokens=10, output_tokens=100)),
        finished_run(ttft_ms=300, latency_ms=2000, usage=UsageCounts(input_tokens=10, output_tokens=300)),
        finished_run(latency_ms=5, error=overloaded()),
    ]
    stats = model_stats(HAIKU, runs)
    assert (stats.calls, stats.errors) == (3, 1)
    assert (stats.ttft_ms.p50, stats.ttft_ms.min, stats.ttft_ms.max) == (200.0, 100.0, 300.0)
    assert stats.latency_ms.p95 == pytest.approx(1950.0)  # 1000 + 0.95 × 1000; the 5 ms error is left out
    assert stats.output_tokens_mean == 200.0
    # 100 tokens / 0.9 s and 300 tokens / 1.7 s
    assert stats.output_tokens_per_s_mean == pytest.approx((100 / 0.9 + 300 / 1.7) / 2)


def test_cost_row_means_measured_usage_standard_and_batch():
    prices = load_price_table()
    runs = [
        finished_run(usage=UsageCounts(input_tokens=1000, output_tokens=200), prices=prices),  # 0.001 + 0.001
        finished_run(usage=UsageCounts(input_tokens=1000, output_tokens=400), prices=prices),  # 0.001 + 0.002
        finished_run(error=overloaded()),  # not measured
    ]
    row = cost_row(HAIKU, runs, prices, cache_breakpoint=False)
    assert row.measured_calls == 2
    assert row.per_call_usd == pytest.approx(0.0025)
    assert row.per_1000_usd == pytest.approx(2.5)
    assert row.batch_per_call_usd == pytest.approx(0.00125)
    assert row.cached_per_call_usd is None and row.note is None


def test_cost_row_with_a_breakpoint_prices_every_cached_token_as_a_read():
    prices = load_price_table()
    first = UsageCounts(input_tokens=1000, output_tokens=200, cache_write_5m_tokens=2000)  # 0.001+0.0025+0.001
    second = UsageCounts(input_tokens=1000, output_tokens=400, cache_read_tokens=2000)  # 0.001+0.0002+0.002
    row = cost_row(HAIKU, [finished_run(usage=first, prices=prices), finished_run(usage=second, prices=prices)],
                   prices, cache_breakpoint=True)
    assert row.per_call_usd == pytest.approx((0.0045 + 0.0032) / 2)
    # steady state: the first call reads its 2,000 tokens too -> 0.001 + 0.0002 + 0.001
    assert row.cached_per_call_usd == pytest.approx((0.0022 + 0.0032) / 2)
    assert row.cached_per_1000_usd == pytest.approx(2.7)
    assert with_all_cacheable_read(first) == UsageCounts(input_tokens=1000, output_tokens=200, cache_read_tokens=2000)


def test_cost_row_is_unknown_not_zero_for_an_unpriced_model():
    prices = load_price_table()
    run = finished_run(model="claude-imaginary-9", usage=UsageCounts(input_tokens=10, output_tokens=10),
                       prices=prices)
    row = cost_row("claude-imaginary-9", [run], prices, cache_breakpoint=False)
    assert row.per_call_usd is None and row.per_1000_usd is None
    assert "no price for model" in row.note


def test_no_successful_call_means_nothing_measured():
    row = cost_row(HAIKU, [finished_run(error=overloaded())], load_price_table(), cache_breakpoint=True)
    assert (row.measured_calls, row.per_call_usd, row.note) == (0, None, "no successful call to measure")


def test_cache_breakpoints_are_found_wherever_the_api_accepts_them():
    plain = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert not has_cache_breakpoint(plain)
    ephemeral = {"type": "ephemeral"}
    assert has_cache_breakpoint({**plain, "system": [{"type": "text", "text": "s", "cache_control": ephemeral}]})
    assert has_cache_breakpoint({**plain, "cache_control": ephemeral})
    assert has_cache_breakpoint({**plain, "tools": [{"name": "t", "input_schema": {}, "cache_control": ephemeral}]})
    assert has_cache_breakpoint(
        {**plain, "messages": [{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": ephemeral}]}]}
    )
