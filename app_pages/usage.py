"""Usage: what the call log adds up to, charted, and every call one click from the Editor again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import streamlit as st

from components.page_state import UsageKeys as Keys
from components import usage_calls, usage_charts
from components.session import get_prices, setup_state, usage_log_or_problem
from workbench import present, usage_stats
from workbench.call_filter import OUTCOMES, CallFilter
from workbench.pricing import PriceFileError
from workbench.usage_log import SOURCES

RANGES = {"Last 24 hours": 1, "Last 7 days": 7, "Last 30 days": 30, "All time": None, "Dates…": "dates"}
DEFAULT_RANGE = "Last 24 hours"  # opens in about a second on a 1M-call log (bench/usage_scale.py)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _filter_from_widgets(choices: dict[str, list[str]]) -> tuple[CallFilter, float | None]:
    """The filter the widgets describe, and its span in days (None: open-ended)."""
    columns = st.columns([1.2, 1.6, 1.2, 1.4, 1.2])
    chosen_range = columns[0].selectbox("Time range", list(RANGES), index=list(RANGES).index(DEFAULT_RANGE),
                                        key=Keys.RANGE)
    since = until = None
    span_days: float | None = None
    now = datetime.now(timezone.utc)
    if RANGES[chosen_range] == "dates":
        today = now.date()
        picked = columns[0].date_input("From – to (UTC)", value=(today - timedelta(days=7), today),
                                       key=Keys.DATES)
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            first, last = picked
            since = first.isoformat()
            until = (last + timedelta(days=1)).isoformat()
            span_days = (last - first).days + 1
    elif RANGES[chosen_range] is not None:
        span_days = RANGES[chosen_range]
        since = (now - timedelta(days=span_days)).isoformat(timespec="microseconds")
    models = columns[1].multiselect("Model", choices["models"], key=Keys.MODELS, placeholder="All models")
    sources = columns[2].multiselect("Source", list(SOURCES), key=Keys.SOURCES, placeholder="All sources")
    prompts = columns[3].multiselect("Prompt", choices["prompt_names"], key=Keys.PROMPTS,
                                     placeholder="All prompts")
    outcomes = columns[4].multiselect("Outcome", list(OUTCOMES), key=Keys.OUTCOMES, placeholder="Any outcome")
    call_filter = CallFilter(since=since, until=until, models=tuple(models), sources=tuple(sources),
                             prompt_names=tuple(prompts), outcomes=tuple(outcomes))
    return call_filter, span_days


def _tokens_tile(column, label: str, count: int) -> None:
    column.metric(label, present.count_compact(count), help=f"{present.tokens(count)} tokens")


def _render_kpis(result: usage_stats.Overview, timing: dict, saved: float | None) -> None:
    totals = result.totals
    row = st.columns(5)
    row[0].metric("Calls", f"{totals.calls:,}",
                  help=f"{totals.attempts:,} attempts, with {totals.sdk_retries:,} HTTP retries by the SDK inside "
                       "them: a retried or re-queued call counts once here.")
    cost_help = "Known prices only."
    if totals.unpriced_attempts:
        cost_help = (f"{totals.unpriced_attempts:,} calls used tokens of models without a price "
                     f"({', '.join(result.unpriced_models)}): their cost is unknown and not in this sum.")
    row[1].metric("Total cost", present.usd(totals.cost_usd), help=cost_help)
    row[2].metric("Error rate", _share(totals.error_rate),
                  help=f"{totals.errors:,} calls failed, {totals.interrupted:,} of them interrupted "
                       "(their process ended mid-call).")
    row[3].metric("Cache hit ratio", _share(totals.cache_hit_ratio), help="Share of prompt tokens read from the cache.")
    row[4].metric("Saved by cache reads", present.usd(saved or 0.0),
                  help="What the cache-read tokens would have cost at the uncached input rate, minus what they cost.")
    row = st.columns(5)
    for column, (label, key) in zip(row, (("Latency p50", "p50_latency_ms"), ("Latency p95", "p95_latency_ms"),
                                          ("TTFT p50", "p50_ttft_ms"), ("TTFT p95", "p95_ttft_ms"))):
        column.metric(label, present.ms(timing[key]), help="Over the calls that completed (final attempts).")
    row = st.columns(5)
    _tokens_tile(row[0], "Input tokens", totals.input_tokens)
    _tokens_tile(row[1], "Output tokens", totals.output_tokens)
    _tokens_tile(row[2], "Cache write tokens", totals.cache_write_tokens)
    _tokens_tile(row[3], "Cache read tokens", totals.cache_read_tokens)
    if totals.unpriced_attempts:
        st.caption(f":material/help: Cost unknown for {totals.unpriced_attempts:,} calls: no price for "
                   f"{', '.join(result.unpriced_models)}. Add them to the price table (WORKBENCH_PRICES) to price them.")
    if totals.pending:
        st.caption(f"{totals.pending:,} calls are still running.")


def _render_price_versions(log, call_filter: CallFilter, result: usage_stats.Overview, prices) -> None:
    versions = {version: count for version, count in result.price_versions.items() if version}
    described = ", ".join(f"{version} ({count:,} call{'' if count == 1 else 's'})"
                          for version, count in sorted(versions.items()))
    outdated = [version for version in versions if version != prices.version]
    st.caption(f"Costs as logged, computed with price table {described or 'none'}; the current table is "
               f"{prices.version}.")
    if not outdated:
        return
    if st.toggle("Recompute with current prices", key=Keys.REPRICE,
                 help="Prices every call again with the current price table, beside what was logged."):
        rows = usage_stats.reprice(log, call_filter, prices)
        st.dataframe(
            [{"model": row.model, "calls": row.attempts,
              "logged cost": present.usd(row.logged_usd), "logged with": ", ".join(sorted(map(str, row.logged_versions))),
              f"cost with {prices.version}": present.usd(row.current_usd),
              "unknown now": row.current_unknown} for row in rows],
            hide_index=True, key=Keys.REPRICE_TABLE,
        )


setup_state()
st.title("Usage")
try:
    prices = get_prices()
except PriceFileError as price_error:
    st.error(f"The price table could not be loaded, so costs can't be shown: {price_error}")
    st.stop()
log, log_problem = usage_log_or_problem()
if log is None:
    st.error(log_problem)
    st.stop()
log.mark_interrupted()  # calls whose process died since (e.g. a killed CLI run) show as interrupted
if log.is_empty():
    st.info("No calls logged yet. Run a prompt in the Editor (or `python -m workbench run FILE`) and every call "
            "appears here: tokens, cost, latency and errors, charted, with each request one click from the "
            "Editor again.", icon=":material/monitoring:")
    st.page_link("app_pages/editor.py", label="Open the Editor", icon=":material/edit_note:")
    st.stop()

call_filter, span_days = _filter_from_widgets(usage_stats.filter_choices(log))
result = usage_stats.overview(log, call_filter, bucket=usage_stats.bucket_for(span_days))
if result.is_empty:
    st.info("No calls match these filters. Widen the time range or clear a filter.", icon=":material/filter_alt_off:")
else:
    timing = usage_stats.percentiles(log, call_filter)
    saved, _ = usage_stats.cache_savings(result, prices)
    _render_kpis(result, timing, saved)
    _render_price_versions(log, call_filter, result, prices)
    left, right = st.columns(2)
    left.plotly_chart(usage_charts.tokens_over_time(result), key=Keys.CHART_TOKENS)
    right.plotly_chart(usage_charts.cost_per_day(result), key=Keys.CHART_COST)
    upper = timing["p95_latency_ms"] * 1.5 if timing["p95_latency_ms"] else None
    left.plotly_chart(usage_charts.latency_distribution(usage_stats.latency_histogram(log, call_filter, upper)),
                      key=Keys.CHART_LATENCY)
    if result.errors_by_type:
        right.plotly_chart(usage_charts.errors_by_type(result), key=Keys.CHART_ERRORS)
    else:
        right.success("No errors in these calls.", icon=":material/check_circle:")

usage_calls.render_calls(log, call_filter, result)
usage_calls.render_downloads(log, call_filter)
usage_calls.render_clear(log, call_filter, result)
