"""Run a prompt and show it: streamed text, thinking, tool calls, then timings, tokens, cost and errors."""
from __future__ import annotations

import json
import time

import streamlit as st

from workbench import present
from workbench.pacing import RateLimitWait
from workbench.runner import RunDone, RunResult, TextDelta, ThinkingDelta, ToolUseReady, ToolUseStarted

# Re-render streamed text at most this often: each update resends the whole text to the browser.
STREAM_REDRAW_S = 0.03


def stream_into(events, slot) -> RunResult:
    """Draw a run's events into `slot` (an st.empty) as they arrive; return the final result."""
    text = ""
    thinking = ""
    last_redraw = 0.0
    with slot.container():
        status = st.empty()
        status.caption("Waiting for the first token…")
        thinking_slot = st.empty()
        text_slot = st.empty()
        tools_area = st.container()
    thinking_text = None
    result: RunResult | None = None
    for event in events:
        if isinstance(event, RateLimitWait):
            status.caption(f"Waiting {present.seconds(event.seconds * 1000)} for the {event.label} rate limit "
                           "to refill before sending…")
        elif isinstance(event, TextDelta):
            text += event.text
            now = time.perf_counter()
            if now - last_redraw >= STREAM_REDRAW_S or len(text) == len(event.text):
                text_slot.markdown(text)
                last_redraw = now
            status.caption("Streaming…")
        elif isinstance(event, ThinkingDelta):
            if thinking_text is None:
                thinking_text = thinking_slot.expander("Thinking…", expanded=False).empty()
            thinking += event.text
            thinking_text.markdown(thinking)
            status.caption("Thinking…")
        elif isinstance(event, ToolUseStarted):
            tools_area.caption(f":material/build: calling `{event.name}`…")
        elif isinstance(event, ToolUseReady):
            tools_area.code(json.dumps(event.input, indent=2, ensure_ascii=False), language="json")
        elif isinstance(event, RunDone):
            result = event.result
    if result is None:  # stream_run always ends with RunDone; this guards a consumer bug only
        raise RuntimeError("the run ended without a result")
    return result


def render_error(result: RunResult) -> None:
    """An API or connection error as what happened plus what to do; the prompt is untouched."""
    error = result.error
    if error is None:
        return
    st.error(f"**The run failed:** {present.error_sentence(error, result.request_id)}")


def render_result(result: RunResult, *, model_max: int | None = None) -> None:
    """A finished run: reply, thinking, tool calls, stop-reason advice and the metrics."""
    render_error(result)
    st.caption(f"Reply from `{result.model}`")
    if result.thinking:
        with st.expander("Thinking", expanded=False):
            st.markdown(result.thinking)
    if result.text:
        if result.incomplete:
            error_type = result.error.type if result.error else "an error"
            st.caption(f":material/warning: Incomplete reply: the stream stopped early ({error_type}); "
                       "below is what arrived before it, and it is logged that way.")
        st.markdown(result.text)
    for call in result.tool_uses:
        st.markdown(f":material/build: **Tool call** `{call['name']}` · id `{call['id']}`")
        st.code(json.dumps(call["input"], indent=2, ensure_ascii=False), language="json")
    advice = present.stop_reason_advice(result.stop_reason, result.request.get("max_tokens"), model_max)
    if advice:
        st.warning(advice)
    if result.ok or result.usage is not None:
        render_metrics(result)
    if result.cache_miss is not None:
        render_cache_miss(result.cache_miss)


def render_cache_miss(explanation) -> None:
    """★ Why the prompt cache was missed: the reasons in words, and the prefix diff behind them."""
    reasons = "".join(f"\n- {reason}" for reason in explanation.reasons)
    st.warning(f"**Cache miss.** {explanation.headline} Why ({explanation.source}):{reasons}",
               icon=":material/cached:")
    if explanation.diff:
        with st.expander("What changed before the cache breakpoint (diff of the prefix)"):
            st.code(explanation.diff, language="diff", wrap_lines=True)


def render_metrics(result: RunResult) -> None:
    """TTFT, latency, speed and cost, then tokens (cache included), stop_reason and request-id."""
    st.markdown(
        "| Time to first token | Total latency | Output speed | Cost |\n|---|---|---|---|\n"
        f"| {present.ms(result.ttft_ms)} | {present.ms(result.latency_ms)} | "
        f"{present.tokens_per_s(result.output_tokens_per_s)} | {present.cost(result.cost)} |"
    )
    if not result.cost.known:
        st.caption(f"Cost unknown: {result.cost.reason}")
    elif result.cost.notes:
        st.caption("Cost: " + "; ".join(result.cost.notes) + ".")
    usage = result.usage
    if usage is not None:
        st.caption(f"**Tokens** {present.usage_line(usage)}")
    details = [f"stop_reason `{result.stop_reason or '–'}`"]
    if result.request_id:
        details.append(f"request-id `{result.request_id}`")
    st.caption(" · ".join(details))
