"""Run a prompt and show it: streamed text, thinking, tool calls, then timings, tokens, cost and errors."""
from __future__ import annotations

import json
import time

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from components.page_state import EditorState
from workbench import present
from workbench.pacing import RateLimitWait
from workbench.runner import RunDone, RunResult, TextDelta, ThinkingDelta, ToolUseReady, ToolUseStarted

# Re-render streamed text at most this often: each update resends the whole text to the browser.
STREAM_REDRAW_S = 0.03
# While a run stopped by a click still reads its call, the next page run checks this often for the reply.
REPLY_POLL_S = 0.5


def stream_into(events, slot, state: EditorState) -> RunResult:
    """Draw a run's events into `slot` (an st.empty) as they arrive; return the final result.

    Streamlit stops a page run at its next draw when any widget is used, and starts the next run
    beside it. A click on the Editor while a reply streamed (an expander, a field) used to cut the
    call off there: logged as cancelled with the usage seen so far (1 output token), the reply gone.
    Now the stopped run reads the call to its end without drawing and keeps it as `state.last_run`,
    with its real usage logged, while the next run says the reply is still arriving and shows it when
    it ends (render_reply_in_flight). "Stop reply" there cuts the call off. A move to another page
    stops the page run too: the call is still read to its end, and the Editor shows it on return.
    """
    with slot.container():
        status = st.empty()
        status.caption("Waiting for the first token…")
        drawing = _RunDrawing(status, st.empty(), st.empty(), st.container())
    result: RunResult | None = None
    state.run_in_flight = True  # set first: a click's next page run starts at once, beside this one
    state.stop_requested = False  # a Stop reply clicked after the last reply ended is not for this one
    try:
        for event in events:
            try:
                drawing.draw(event)
            except StopException:  # a click or a page switch: the next page run is already going
                finished = _read_to_end(events, state)
                if finished is not None:
                    state.last_run = finished
                raise
            if isinstance(event, RunDone):
                result = event.result
    finally:
        state.run_in_flight = False
        state.stop_requested = False
    if result is None:  # stream_run always ends with RunDone; this guards a consumer bug only
        raise RuntimeError("the run ended without a result")
    return result


def _read_to_end(events, state: EditorState) -> RunResult | None:
    """The rest of a run's events, undrawn: its result, or None once "Stop reply" cut the call off
    (closing the events closes the HTTP stream; the runner logs the call as cancelled)."""
    for event in events:
        if isinstance(event, RunDone):
            return event.result
        if state.stop_requested:
            break
    events.close()
    return None


class _RunDrawing:
    """A streaming run on the page: its status line, thinking, text and tool calls so far."""

    def __init__(self, status, thinking_slot, text_slot, tools_area) -> None:
        self.status, self.thinking_slot, self.text_slot, self.tools_area = status, thinking_slot, text_slot, tools_area
        self.text = ""
        self.thinking = ""
        self.thinking_text = None
        self.last_redraw = 0.0

    def draw(self, event) -> None:
        if isinstance(event, RateLimitWait):
            self.status.caption(f"Waiting {present.seconds(event.seconds * 1000)} for the {event.label} rate "
                                "limit to refill before sending…")
        elif isinstance(event, TextDelta):
            self.text += event.text
            now = time.perf_counter()
            if now - self.last_redraw >= STREAM_REDRAW_S or len(self.text) == len(event.text):
                self.text_slot.markdown(self.text)
                self.last_redraw = now
            self.status.caption("Streaming…")
        elif isinstance(event, ThinkingDelta):
            if self.thinking_text is None:
                self.thinking_text = self.thinking_slot.expander("Thinking…", expanded=False).empty()
            self.thinking += event.text
            self.thinking_text.markdown(self.thinking)
            self.status.caption("Thinking…")
        elif isinstance(event, ToolUseStarted):
            self.tools_area.caption(f":material/build: calling `{event.name}`…")
        elif isinstance(event, ToolUseReady):
            self.tools_area.code(json.dumps(event.input, indent=2, ensure_ascii=False), language="json")


def render_reply_in_flight(state: EditorState, stop_key: str) -> None:
    """While a run stopped by a click still reads its call: say so, offer to cut it off, and draw the
    page again once its reply is in (a poll every REPLY_POLL_S)."""
    st.caption("The reply is still arriving: it shows here when it ends.")
    st.button("Stop reply", key=stop_key, icon=":material/stop:", on_click=_request_stop, args=(state,))
    _redraw_when_in(state)



def _request_stop(state: EditorState) -> None:
    state.stop_requested = True


@st.fragment(run_every=REPLY_POLL_S)
def _redraw_when_in(state: EditorState) -> None:
    if not state.run_in_flight:
        st.rerun(scope="app")


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
