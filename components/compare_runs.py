"""Compare page, side by side: run every model concurrently, stream each column, then the statistics."""
from __future__ import annotations

import time

import pandas as pd
import plotly.express as px
import streamlit as st

from components import session
from components.compare_setup import ModelSetup, model_label, remember
from components.page_state import CompareKeys as Keys
from workbench import compare, present
from workbench.pacing import RateLimitWait
from workbench.runner import RunDone, TextDelta, ThinkingDelta
from workbench.spec import PromptSpec
from workbench.templating import MissingVariableError

# Redraw a streaming column at most this often: every delta would flood the browser connection.
STREAM_REDRAW_S = 0.05
REPLY_HEIGHT_PX = 260
CHART_COLOURS = ["#8A8579", "#C15F3C"]  # TTFT muted, total latency in the theme's accent


class _ColumnPane:
    """The placeholders of one model's column while a run streams."""

    def __init__(self, column, title: str):
        with column:
            st.markdown(f"#### {title}")
            self.status = st.empty()
            self.reply = st.empty()
            self.metrics = st.empty()
        self.showing: int | None = None  # the call whose reply this column streams
        self.text = ""
        self.redrawn_at = 0.0

    def stream(self, text: str, *, force: bool = False) -> None:
        self.text += text
        now = time.perf_counter()
        if force or now - self.redrawn_at >= STREAM_REDRAW_S:
            self.reply.container(height=REPLY_HEIGHT_PX, border=True).markdown(self.text or "…")
            self.redrawn_at = now


def render_concurrency() -> int:
    """How many calls may be in flight at once (side by side and test cases alike)."""
    concurrency = st.columns([1, 3])[0].number_input(
        "Concurrent calls", min_value=1, max_value=compare.MAX_CONCURRENCY,
        value=session.compare_state().concurrency_limit,
        key=Keys.CONCURRENCY, on_change=remember, args=(Keys.CONCURRENCY, "concurrency_limit", int),
        help="at most this many calls in flight; 429s are retried honouring retry-after",
    )
    session.compare_state().concurrency_limit = int(concurrency)
    return int(concurrency)


def render_run_controls(setups: dict[str, ModelSetup], ready_problem: str | None) -> tuple[int, bool]:
    """Repeat input and the Run button; returns (repeats, clicked)."""
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    repeats = left.number_input(
        "Repeat each model", min_value=1, max_value=compare.MAX_REPEATS, value=session.compare_state().repeat_count,
        key=Keys.REPEAT, on_change=remember, args=(Keys.REPEAT, "repeat_count", int),
    )
    session.compare_state().repeat_count = int(repeats)
    calls = int(repeats) * len(setups)
    clicked = right.button(
        f"Run {len(setups)} models × {int(repeats)} = {calls} calls",
        key=Keys.RUN,
        type="primary",
        disabled=ready_problem is not None,
        help=ready_problem,
    )
    return int(repeats), clicked


def run_side_by_side(spec: PromptSpec, values: dict[str, str], setups: dict[str, ModelSetup],
                     repeats: int, concurrency: int) -> None:
    """Run all models concurrently, streaming each column; store the outcome and rerun."""
    overrides = {model: setup.overrides for model, setup in setups.items()}
    try:
        calls = compare.plan_calls(spec, list(setups), overrides=overrides, repeats=repeats, values=values)
    except MissingVariableError as error:
        st.error(f"{error}. Fill them in under Variables, or run them as test cases.")
        return
    catalog = session.get_catalog()
    progress = st.progress(0.0, text=f"0 of {len(calls)} calls")
    panes = {model: _ColumnPane(column, model_label(catalog, model))
             for column, model in zip(st.columns(len(setups)), setups)}
    prices = session.get_prices()
    client = session.get_client()
    outcome = compare.CompareOutcome(calls, endpoint=str(client.base_url))
    events = compare.stream_compare(
        client, calls, concurrency=concurrency, log=session.get_usage_log(),
        prices=prices, prompt_name=spec.name,
    )
    for call, event in events:
        if isinstance(event, RateLimitWait):
            waiting_before = outcome.waiting_on
            outcome.observe(call, event)
            if outcome.waiting_on != waiting_before:  # waits arrive often; redraw on change only
                _advance(progress, outcome)
            continue
        pane = panes[call.model]
        if pane.showing is None:
            pane.showing, pane.text = call.index, ""
            pane.status.caption(f"repetition {call.repeat + 1} of {repeats} · streaming")
        if pane.showing != call.index:
            outcome.observe(call, event)
            if isinstance(event, RunDone):
                _advance(progress, outcome)
            continue
        if isinstance(event, TextDelta):
            pane.stream(event.text)
        elif isinstance(event, ThinkingDelta) and not pane.text:
            pane.status.caption(f"repetition {call.repeat + 1} of {repeats} · thinking…")
        elif isinstance(event, compare.Rerun):
            pane.status.caption(f"repetition {call.repeat + 1}: {event.error.type}; running it again")
            pane.showing = None
        elif isinstance(event, RunDone):
            outcome.observe(call, event)
            _advance(progress, outcome)
            pane.stream("", force=True)
            with pane.metrics.container():
                render_result_facts(event.result)
            pane.showing = None
    outcome.finish()
    summary = compare.summarize(outcome, prices, template_request=spec.request)
    session.compare_state().run_outcome = {"outcome": outcome, "summary": summary, "prompt_name": spec.name}
    st.rerun()


def _advance(progress, outcome: compare.CompareOutcome) -> None:
    progress.progress(outcome.done / len(outcome.calls), text=outcome.progress_text())


def render_result_facts(result) -> None:
    """TTFT, latency, tokens/s, usage, stop_reason and cost of one run; or its error."""
    if result.error is not None:
        st.error(present.error_sentence(result.error, result.request_id))
        if result.partial:
            st.caption("Partial reply kept above.")
    st.markdown(f"TTFT **{present.ms(result.ttft_ms)}** · total **{present.ms(result.latency_ms)}** · "
                f"**{present.tokens_per_s(result.output_tokens_per_s)}**")
    usage = result.usage
    if usage is not None:
        cached = usage.cache_read_tokens + usage.cache_write_5m_tokens + usage.cache_write_1h_tokens
        cache_note = f" (+{present.tokens(cached)} cache)" if cached else ""
        st.caption(
            f"in {present.tokens(usage.input_tokens)}{cache_note} · out {present.tokens(usage.output_tokens)} tokens · "
            f"stop_reason `{result.stop_reason}` · cost {present.cost(result.cost)}"
        )
    advice = present.stop_reason_advice(result.stop_reason, result.request.get("max_tokens"))
    if advice:
        st.warning(advice)


def render_outcome(stored: dict) -> None:
    """The last side-by-side run: each model's first reply, statistics, latency chart, cost table, all runs."""
    outcome: compare.CompareOutcome = stored["outcome"]
    summary: compare.CompareSummary = stored["summary"]
    catalog = session.get_catalog()
    st.caption(f"Last run of **{stored['prompt_name']}**: {len(outcome.calls)} calls in "
               f"{present.seconds(summary.wall_ms)}")
    if outcome.rate_limit_note():
        st.caption(outcome.rate_limit_note(), help="Runs wait for the rate limits the endpoint reports "
                   "instead of sending and being refused; a 429 is retried by the SDK.")
    for column, model in zip(st.columns(len(outcome.models)), outcome.models):
        results = outcome.results_for(model)
        with column:
            st.markdown(f"#### {model_label(catalog, model)}")
            if not results:
                st.caption("no result")
                continue
            first = results[0]
            with st.container(height=REPLY_HEIGHT_PX, border=True):
                st.markdown(first.text or "*(no text)*")
            render_result_facts(first)
    # Keyed containers: the browser journeys find the tables by these keys.
    with st.container(key=Keys.LATENCY_SECTION):
        _render_latency(outcome, summary)
    with st.container(key=Keys.COST_SECTION):
        _render_cost_table(summary)
    _render_runs_browser(outcome, catalog)


def _render_latency(outcome: compare.CompareOutcome, summary: compare.CompareSummary) -> None:
    st.subheader("Latency")
    stats = pd.DataFrame(compare.stats_rows(summary))
    st.dataframe(
        stats,
        hide_index=True,
        key=Keys.STATS_TABLE,
        column_config={
            "model": "Model",
            "calls": st.column_config.NumberColumn("Calls"),
            "errors": st.column_config.NumberColumn("Errors"),
            "ttft_p50_ms": st.column_config.NumberColumn("TTFT p50", format=present.MS_COLUMN_FORMAT),
            "ttft_p95_ms": st.column_config.NumberColumn("TTFT p95", format=present.MS_COLUMN_FORMAT),
            "ttft_min_ms": st.column_config.NumberColumn("TTFT min", format=present.MS_COLUMN_FORMAT),
            "ttft_max_ms": st.column_config.NumberColumn("TTFT max", format=present.MS_COLUMN_FORMAT),
            "latency_p50_ms": st.column_config.NumberColumn("Total p50", format=present.MS_COLUMN_FORMAT),
            "latency_p95_ms": st.column_config.NumberColumn("Total p95", format=present.MS_COLUMN_FORMAT),
            "latency_min_ms": st.column_config.NumberColumn("Total min", format=present.MS_COLUMN_FORMAT),
            "latency_max_ms": st.column_config.NumberColumn("Total max", format=present.MS_COLUMN_FORMAT),
            "output_tokens_mean": st.column_config.NumberColumn("Output tokens (mean)", format="%.1f"),
            "tokens_per_s_mean": st.column_config.NumberColumn("Tokens/s (mean)", format="%.0f"),
        },
    )
    runs = pd.DataFrame([row for row in compare.run_rows(outcome) if row["ok"]])
    if runs.empty:
        st.info("No successful call to chart.")
        return
    long = runs.melt(id_vars=["model", "repeat"], value_vars=["ttft_ms", "latency_ms"], var_name="measure",
                     value_name="ms")
    long["measure"] = long["measure"].map({"ttft_ms": "time to first token", "latency_ms": "total latency"})
    figure = px.box(long, x="model", y="ms", color="measure", points="all", hover_data=["repeat"],
                    labels={"ms": "milliseconds", "model": "", "measure": ""},
                    color_discrete_sequence=CHART_COLOURS)
    figure.update_layout(height=380, margin={"t": 30, "b": 10}, legend={"orientation": "h", "y": 1.1})
    st.plotly_chart(figure, key=Keys.LATENCY_CHART, width="stretch")


def _render_cost_table(summary: compare.CompareSummary) -> None:
    costs = summary.costs
    version = next(iter(costs.values())).price_version if costs else ""
    st.subheader("Cost")
    st.caption(f"Measured mean over successful calls, from each call's own usage · price table {version}")
    frame = pd.DataFrame(compare.cost_rows(summary))
    if not any(row.cache_breakpoint for row in costs.values()):
        # Without a cache breakpoint there is no cache-hit figure; the note under the table says why.
        frame = frame.drop(columns=["cache_hits_per_1000_usd"])
    if not frame.empty and not frame["note"].astype(bool).any():
        frame = frame.drop(columns=["note"])  # every note applies to all rows: said once below
    frame = dollars_as_text(frame)
    st.dataframe(
        frame,
        hide_index=True,
        key=Keys.COST_TABLE,
        column_config={
            "model": "Model",
            "measured_calls": st.column_config.NumberColumn("Calls measured"),
            "per_call_usd": st.column_config.TextColumn("Per call"),
            "per_1000_usd": st.column_config.TextColumn("Per 1,000 calls"),
            "cache_hits_per_1000_usd": st.column_config.TextColumn("Per 1,000 with cache hits"),
            "batch_per_1000_usd": st.column_config.TextColumn("Per 1,000 via batch (−50%)"),
            "note": "Note",
        },
    )
    for note in compare.shared_cost_notes(summary):
        st.caption(note)


def dollars_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Dollar columns as text, so an unknown cost reads "unknown" (a blank cell could pass for $0)."""
    frame = frame.copy()
    for column in [name for name in frame.columns if str(name).endswith("_usd")]:
        frame[column] = [present.usd(None if pd.isna(value) else float(value)) for value in frame[column]]
    return frame


def _render_runs_browser(outcome: compare.CompareOutcome, catalog) -> None:
    rows = compare.run_rows(outcome)
    st.subheader("Every run")
    st.dataframe(
        dollars_as_text(pd.DataFrame(rows).drop(columns=["case", "output"])),
        hide_index=True,
        key=Keys.RUNS_TABLE,
        column_config={
            "ttft_ms": st.column_config.NumberColumn("TTFT", format=present.MS_COLUMN_FORMAT),
            "latency_ms": st.column_config.NumberColumn("Latency", format=present.MS_COLUMN_FORMAT),
            "tokens_per_s": st.column_config.NumberColumn("Tokens/s", format="%.0f"),
            "cost_usd": st.column_config.TextColumn("Cost"),
        },
    )
    left, right = st.columns([1, 1])
    model = left.selectbox("Read the output of", outcome.models, key=Keys.BROWSE_MODEL,
                           format_func=lambda model_id: model_label(catalog, model_id))
    repeats = [row["repeat"] for row in rows if row["model"] == model]
    if not repeats:
        return
    repeat = right.selectbox("Repetition", repeats, key=Keys.BROWSE_REPEAT)
    chosen = next((row for row in rows if row["model"] == model and row["repeat"] == repeat), None)
    if chosen is None:
        return
    with st.container(height=REPLY_HEIGHT_PX, border=True):
        st.markdown(chosen["output"] or "*(no text)*")
    if chosen["error"]:
        st.error(chosen["error"])
