"""The Usage page's Plotly charts, drawn from usage_stats aggregates (never from rows of the log)."""
from __future__ import annotations

import plotly.graph_objects as go

from workbench.usage_stats import Overview

_LAYOUT = dict(height=300, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2))


def tokens_over_time(result: Overview) -> go.Figure:
    """Mean tokens per call in each time bucket, stacked by kind."""
    buckets = list(result.by_bucket)
    labels = [bucket.replace("T", " ") + (":00" if result.bucket == "hour" else "") for bucket in buckets]
    figure = go.Figure()
    for name, attribute in (("input", "input_tokens"), ("output", "output_tokens"),
                            ("cache write", "cache_write_tokens"), ("cache read", "cache_read_tokens")):
        per_call = [getattr(totals, attribute) / totals.attempts if totals.attempts else 0
                    for totals in result.by_bucket.values()]
        figure.add_trace(go.Bar(x=labels, y=per_call, name=name))
    # Category axes: a date axis with one or two bars labels them in fractions of a second.
    figure.update_layout(title=f"Tokens per call, by {result.bucket}", barmode="stack", xaxis_type="category",
                         **_LAYOUT)
    return figure


def cost_per_day(result: Overview) -> go.Figure:
    """Known cost per UTC day, one stacked bar per model."""
    days = sorted({day for day, _ in result.by_day_model})
    models = sorted({model for _, model in result.by_day_model})
    figure = go.Figure()
    for model in models:
        costs = [(result.by_day_model.get((day, model)) or None) for day in days]
        figure.add_trace(go.Bar(x=days, y=[totals.cost_usd if totals else None for totals in costs], name=model))
    figure.update_layout(title="Cost per day by model (USD, known prices)", barmode="stack", xaxis_type="category",
                         **_LAYOUT)
    return figure


def latency_distribution(bins: list[dict]) -> go.Figure:
    """How many calls took how long, per model (grouped bins from SQL)."""
    figure = go.Figure()
    for model in sorted({row["model"] for row in bins}):
        rows = [row for row in bins if row["model"] == model]
        figure.add_trace(go.Bar(x=[(row["from_ms"] + row["to_ms"]) / 2 for row in rows],
                                y=[row["calls"] for row in rows], name=model,
                                width=[(row["to_ms"] - row["from_ms"]) * 0.9 for row in rows]))
    figure.update_layout(title="Latency distribution by model", xaxis_title="ms (last bar: that and slower)",
                         barmode="overlay", **_LAYOUT)
    figure.update_traces(opacity=0.7)
    return figure


def errors_by_type(result: Overview) -> go.Figure:
    """Failed calls per error type."""
    kinds = list(result.errors_by_type)
    figure = go.Figure(go.Bar(x=[result.errors_by_type[kind] for kind in kinds], y=kinds, orientation="h"))
    figure.update_layout(title="Errors by type (calls)", **_LAYOUT)
    return figure
