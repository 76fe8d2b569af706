"""Variables and the live preview: input tokens (count_tokens, cached), context-window use, projected cost."""
from __future__ import annotations

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.session import editor_state, set_variable_value, token_counter_or_reason, variable_values
from components.widget_sync import fill, on_edit
from workbench.models import ModelEntry
from workbench.pricing import PriceTable
from workbench import present
from workbench.templating import find_variables
from workbench.tokens import TokenCount, cached_prefix_tokens, count_for_preview


def _on_variable_change(name: str, key: str) -> None:
    set_variable_value(name, st.session_state[key])


def render_variables(request: dict) -> list[str]:
    """An input for every {{name}} in the request; returns the names, in order of appearance."""
    names = find_variables(request)
    if not names:
        st.caption("No variables. Write `{{name}}` in any text to add one.")
        return names
    values = variable_values()
    for name in names:
        key = Keys.variable(name)
        fill(key, values.get(name, ""))
        st.text_area(f"`{{{{{name}}}}}`", key=key, height=68, on_change=on_edit(key, _on_variable_change, name, key),
                     placeholder=f"Value for {{{{{name}}}}}")
    return names


def _preview_count(request: dict, *, live: bool) -> tuple[TokenCount, list[str]]:
    """The core decides whether count_tokens is asked; this only supplies the counter (if any)."""
    counter, problem = token_counter_or_reason()
    return count_for_preview(counter, request, variable_values(), live=live, unavailable_reason=problem)


def _remember_live() -> None:
    editor_state().live_count_on = st.session_state[Keys.LIVE_COUNT]


def render_preview(request: dict, entry: ModelEntry | None, prices: PriceTable) -> TokenCount:
    """Token count, a bar of context-window use and the projected cost of one call at max_tokens."""
    live_on = editor_state().live_count_on
    fill(Keys.LIVE_COUNT, live_on)
    count, missing = _preview_count(request, live=live_on)
    model = request.get("model", "")
    max_tokens = int(request.get("max_tokens", 0) or 0)

    tokens_value = present.tokens(count.input_tokens) if count.exact else f"≈{present.tokens(count.input_tokens)}"
    window = entry.max_input_tokens if entry else None
    token_column, window_column = st.columns(2)
    token_column.metric("Input tokens", tokens_value,
                        help="Exact, from count_tokens for this model." if count.exact else count.label)
    window_column.metric("Context window used", present.percent(count.input_tokens / window) if window else "unknown",
                         help=f"of {present.tokens(window)} tokens" if window else "The catalog gives no context window.")
    if window:
        st.progress(min(1.0, count.input_tokens / window))
    notes = []
    if not count.exact:
        notes.append(f"Estimate: {count.note or 'offline'}.")
    if missing:
        notes.append("Unfilled " + ", ".join("{{" + name + "}}" for name in missing) + " counted as written.")
    if notes:
        st.caption(" ".join(notes))
    if count.refusal:
        st.warning(f"The API refuses this request (count_tokens said: {count.refusal}). A run would be "
                   "refused too: fix what it names.", icon=":material/block:")

    # With a cache breakpoint, a first call writes the prefix at the cache-write premium and a call
    # within the TTL reads it; without one there is no cache hit to show.
    cached = cached_prefix_tokens(request, count.input_tokens)
    columns = {"Standard" + (" (first call, writes the cache)" if cached else ""):
               prices.projected_cost(model, count.input_tokens, max_tokens, cached=cached)}
    if cached:
        columns["Cache hit"] = prices.projected_cost(model, count.input_tokens, max_tokens, cached=cached,
                                                     cache_hit=True)
    columns["Batch"] = prices.projected_cost(model, count.input_tokens, max_tokens, cached=cached, batch=True)
    prefix = "" if count.exact else "≈"
    shown = [f"{prefix}{present.cost(cost)}" if cost.known else present.cost(cost) for cost in columns.values()]
    st.markdown(
        f"**Projected cost of one call** at max_tokens ({present.tokens(max_tokens)} output tokens)\n\n"
        f"| {' | '.join(columns)} |\n|{'---|' * len(columns)}\n| " + " | ".join(shown) + " |"
    )
    if not cached:
        st.caption("No cache breakpoint, so no cache-hit price: mark the system prompt, tools or a turn "
                   "with Cache to see one.")
    unknown = next((cost for cost in columns.values() if not cost.known), None)
    if unknown is not None:
        st.caption(f"Cost unknown: {unknown.reason}")
    st.toggle("Live token count", key=Keys.LIVE_COUNT, on_change=on_edit(Keys.LIVE_COUNT, _remember_live),
              help="Count with the API's count_tokens whenever the prompt changes (cached per request). "
                   "Off: an offline estimate.")
    return count
