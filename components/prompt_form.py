"""The prompt form: model and settings, system prompt, turns, tools, and the raw request JSON.

Every widget is filled from the current PromptSpec on render and writes back through a pure
edit from `workbench.request_edits`; which settings a model accepts comes from its ModelEntry.
"""
from __future__ import annotations

import dataclasses
import json

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.session import add_notice, current_prompt, editor_state, set_current_prompt
from components.widget_sync import (
    apply_edit, drop_draft, fill, input_errors, keep_draft, on_edit, restore_draft, set_input_error,
)
from workbench import preflight, present
from workbench import request_edits as edits
from workbench.models import Catalog, ModelEntry
from workbench.pricing import PriceTable
from workbench.spec import PromptFileError, loads_strict_json, validate_request

CACHE_OPTIONS = ["off", *edits.CACHE_TTLS]
DEFAULT_OPTION = "default"
JSON_VIEW_HISTORY = 20  # how many shown JSON texts count as "not an edit"
EXAMPLE_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
    "additionalProperties": False,
}


# --- model ----------------------------------------------------------------------------------------

def _per_mtok(prices: PriceTable, model_id: str) -> str:
    """Today's rates; a model priced in bands shows its lowest band as "from $0.10 in / $0.50 out"."""
    headline = prices.headline_rates(model_id)
    if headline is None:
        return "price unknown"
    lead = "from " if headline.banded else ""
    return f"{lead}{present.price_per_mtok(headline.input)} in / {present.price_per_mtok(headline.output)} out per MTok"


def model_label(entry: ModelEntry | None, model_id: str, prices: PriceTable) -> str:
    """One line per model in the picker: name, context window, max output, price."""
    if entry is None:
        return f"{model_id} (not in the catalog)"
    status = "" if entry.lifecycle == "active" else f" ({entry.lifecycle})"
    return (f"{entry.display_name}{status} · {present.tokens_short(entry.max_input_tokens)} context · "
            f"{present.tokens_short(entry.max_tokens)} out · {_per_mtok(prices, entry.id)}")


def _on_model_change(catalog: Catalog) -> None:
    entry = catalog.get(st.session_state[Keys.MODEL])
    if entry is None:
        return
    spec = current_prompt()
    request, changes = edits.adapt_to_model(spec.request, entry)
    set_current_prompt(dataclasses.replace(spec, request=request))
    if edits.output_schema(request) is None:
        set_input_error(Keys.SCHEMA, None)  # no schema any more: nothing left to fix
    if changes:  # one message, not a stack of boxes
        add_notice("info", f"Switched to {entry.display_name or entry.id}; changed to fit it:\n"
                           + "\n".join(f"- {change}" for change in changes))


def _on_max_tokens_change(key: str, entry: ModelEntry | None) -> None:
    typed = int(st.session_state[key])
    options = preflight.model_options(entry)
    sent = options.clamp_max_tokens(typed)
    if sent != typed:
        add_notice("info", f"max_tokens set to {sent:,}: {options.display_name} writes at most {sent:,} tokens.")
    apply_edit(edits.set_max_tokens, sent)


def render_model_picker(catalog: Catalog, prices: PriceTable) -> ModelEntry | None:
    """Model select plus max_tokens; returns the chosen model's catalog entry (None if unknown)."""
    spec = current_prompt()
    model_ids = catalog.ids
    if spec.model not in model_ids:
        model_ids = [spec.model, *model_ids]  # keep a loaded prompt's model visible, flagged
    entry = catalog.get(spec.model)
    model_key, max_key = Keys.MODEL, Keys.MAX_TOKENS
    fill(model_key, spec.model)
    fill(max_key, int(spec.request.get("max_tokens", 1)))
    model_column, max_column = st.columns([3, 1], vertical_alignment="bottom")
    with model_column:
        st.selectbox(
            "Model", model_ids, key=model_key,
            format_func=lambda model_id: model_label(catalog.get(model_id), model_id, prices),
            on_change=on_edit(model_key, _on_model_change, catalog),
        )
    with max_column:
        # No max_value: a number above the model's limit is taken and clamped by the rule book (with a
        # notice), so the box always shows the max_tokens that is sent.
        limits = preflight.model_options(entry, spec.model)
        st.number_input(
            "max_tokens", min_value=limits.max_tokens_min, step=256, key=max_key,
            on_change=on_edit(max_key, _on_max_tokens_change, max_key, entry),
            help=f"At most {present.tokens(limits.max_tokens_max)} for this model." if limits.max_tokens_max else None,
        )
    if entry is not None:
        st.caption(f"{entry.display_name}: {present.tokens(entry.max_input_tokens)}-token context window · "
                   f"up to {present.tokens(entry.max_tokens)} output tokens · {_per_mtok(prices, entry.id)}")
    return entry


# --- settings ---------------------------------------------------------------------------------------

def _label_thinking(option: str) -> str:
    return {DEFAULT_OPTION: "Model default (not set)", "enabled": "enabled (fixed budget)",
            "disabled": "disabled"}.get(option, option)


def _on_setting_change(key: str, edit) -> None:
    """Thinking or effort picked: DEFAULT_OPTION removes the setting from the request."""
    choice = st.session_state[key]
    apply_edit(edit, None if choice == DEFAULT_OPTION else choice)


def _on_schema_toggle(toggle_key: str, text_key: str) -> None:
    set_input_error(text_key, None)
    if st.session_state[toggle_key]:
        apply_edit(edits.set_output_schema, EXAMPLE_SCHEMA)
    else:
        apply_edit(edits.set_output_schema, None)


def _on_schema_text(text_key: str) -> None:
    text = st.session_state[text_key]
    try:
        schema = loads_strict_json(text)
    except json.JSONDecodeError as error:
        set_input_error(text_key, f"The schema is not valid JSON: {error.msg} (line {error.lineno}, "
                                  f"column {error.colno}).")
        return
    except ValueError as error:  # NaN / Infinity
        set_input_error(text_key, f"The schema is not valid JSON: {error}.")
        return
    problems = preflight.output_schema_problems(schema)
    if problems:
        set_input_error(text_key, " ".join(problems))
        return
    set_input_error(text_key, None)
    apply_edit(edits.set_output_schema, schema)


def render_settings(entry: ModelEntry | None) -> None:
    """Thinking, effort, stop sequences and structured output, limited to what the model supports."""
    spec = current_prompt()
    request = spec.request
    name = entry.display_name if entry else request.get("model")
    thinking_key, budget_key = Keys.THINKING, Keys.THINKING_BUDGET
    effort_key, stop_key = Keys.EFFORT, Keys.STOP_SEQUENCES
    schema_on_key, schema_key = Keys.SCHEMA_ON, Keys.SCHEMA

    options = preflight.model_options(entry, str(request.get("model", "")))
    current_kind = edits.thinking_type(request)
    thinking_options = [DEFAULT_OPTION, *options.thinking_types]
    if current_kind is not None and current_kind not in thinking_options:
        thinking_options.append(current_kind)  # shown so the problem list can explain it
    thinking_supported = options.thinking_configurable
    fill(thinking_key, current_kind or DEFAULT_OPTION)

    effort_levels = options.effort_levels
    current_effort = edits.effort_level(request)
    effort_options = [DEFAULT_OPTION, *effort_levels]
    if current_effort is not None and current_effort not in effort_options:
        effort_options.append(current_effort)
    fill(effort_key, current_effort or DEFAULT_OPTION)

    left, right = st.columns(2)
    with left:
        st.selectbox(
            "Thinking", thinking_options, key=thinking_key, format_func=_label_thinking,
            on_change=on_edit(thinking_key, _on_setting_change, thinking_key, edits.set_thinking),
            disabled=not thinking_supported and current_kind is None,
            help=None if thinking_supported else f"{name} has no extended thinking.",
        )
        if not thinking_supported:
            st.caption(f"{name} has no extended thinking.")
        if current_kind == "enabled":
            max_tokens = int(request.get("max_tokens", 1))
            budget = (request.get("thinking") or {}).get("budget_tokens")
            fill(budget_key, int(budget) if isinstance(budget, int) else options.thinking_budget_default(max_tokens))
            st.number_input(
                "Thinking budget (tokens)", min_value=options.thinking_budget_min,
                max_value=max(options.thinking_budget_max(max_tokens), st.session_state[budget_key]),
                step=1024, key=budget_key,
                on_change=on_edit(budget_key, lambda: apply_edit(edits.set_thinking, "enabled", st.session_state[budget_key])),
                help=f"At least {options.thinking_budget_min:,} and less than max_tokens.",
            )
    with right:
        st.selectbox(
            "Effort", effort_options, key=effort_key,
            format_func=lambda level: "Model default (not set)" if level == DEFAULT_OPTION else level,
            on_change=on_edit(effort_key, _on_setting_change, effort_key, edits.set_effort),
            disabled=not effort_levels and current_effort is None,
            help="output_config.effort: how much work the model puts into the answer.",
        )
        if not effort_levels:
            st.caption(f"{name} does not support the effort setting.")

    fill(stop_key, "\n".join(request.get("stop_sequences") or []))
    st.text_area(
        "Stop sequences (one per line)", key=stop_key, height=68,
        on_change=on_edit(stop_key, lambda: apply_edit(edits.set_stop_sequences,
                                                       edits.stop_sequences_from_text(st.session_state[stop_key]))),
    )

    schema = edits.output_schema(request)
    supports_schema = options.structured_outputs
    fill(schema_on_key, schema is not None)
    st.toggle(
        "Structured output (JSON schema)", key=schema_on_key,
        disabled=not supports_schema and schema is None,
        on_change=on_edit(schema_on_key, _on_schema_toggle, schema_on_key, schema_key),
        help="output_config.format: the reply is JSON that matches the schema.",
    )
    if not supports_schema:
        st.caption(f"{name} does not support structured output.")
    if schema is not None or schema_key in input_errors():
        fill(schema_key, json.dumps(schema, indent=2))
        st.text_area("JSON schema", key=schema_key, height=160, on_change=on_edit(schema_key, _on_schema_text, schema_key))
        if schema_key in input_errors():
            st.error(input_errors()[schema_key])


def _headers_text(headers: dict | None) -> str:
    return json.dumps(headers) if headers else ""


def _on_headers_text() -> None:
    key, state = Keys.EXTRA_HEADERS, editor_state()
    try:
        headers = edits.parse_extra_headers(st.session_state[key])
    except edits.CredentialHeaderError as problem:
        # A key must not stay on screen or in session state: show the headers in use again.
        set_input_error(key, None)
        st.session_state[key] = _headers_text(state.extra_headers)
        set_input_error(Keys.EXTRA_HEADERS_REFUSED, f"{problem} What you typed was removed.")
        return
    except ValueError as problem:
        set_input_error(key, f"{problem} Run waits until this is fixed or cleared.")
        return
    set_input_error(key, None)
    set_input_error(Keys.EXTRA_HEADERS_REFUSED, None)
    state.extra_headers = headers


def render_extra_headers() -> None:
    """Extra HTTP headers sent with each run (beta flags, or the simulator's fault header)."""
    key = Keys.EXTRA_HEADERS
    fill(key, _headers_text(editor_state().extra_headers))
    st.text_input("Extra HTTP headers (JSON object)", key=key, on_change=on_edit(key, _on_headers_text),
                  placeholder='{"anthropic-beta": "..."}',
                  help="Sent with every run, not saved in the prompt file. Put the API key in "
                       "ANTHROPIC_API_KEY, never here.")
    for problem_key in (key, Keys.EXTRA_HEADERS_REFUSED):
        if problem_key in input_errors():
            st.error(input_errors()[problem_key])


# --- system prompt, tools, turns -----------------------------------------------------------------

def cache_control(key: str, target, label: str = "Cache", disabled: bool = False, collapsed: bool = False) -> None:
    st.segmented_control(
        label, CACHE_OPTIONS, key=key, required=True, disabled=disabled,
        label_visibility="collapsed" if collapsed else "visible",
        format_func=lambda option: "No cache" if option == "off" else option,
        on_change=on_edit(key, lambda: apply_edit(edits.set_cache_ttl, target,
                                                  None if st.session_state[key] in (None, "off") else st.session_state[key])),
        help="Prompt caching: put a cache breakpoint (5 minutes or 1 hour) after this part.",
    )


def render_system() -> None:
    """The system prompt and its cache breakpoint."""
    request = current_prompt().request
    text_key, cache_key = Keys.SYSTEM, Keys.SYSTEM_CACHE
    fill(text_key, edits.system_text(request))
    fill(cache_key, edits.cache_ttl(request, "system") or "off")
    label_column, cache_column = st.columns([1, 1], vertical_alignment="center")
    label_column.markdown("**System prompt**")
    with cache_column.container(horizontal=True, horizontal_alignment="right"):
        cache_control(cache_key, "system", label="System prompt cache", collapsed=True,
                       disabled=not request.get("system"))
    st.text_area(
        "System prompt", key=text_key, height=100, label_visibility="collapsed",
        placeholder="Optional: who the model is and how it should answer. {{variables}} work here too.",
        on_change=on_edit(text_key, lambda: apply_edit(edits.set_system_text, st.session_state[text_key])),
    )
    extra = edits.extra_system_blocks(request)
    if extra:
        st.caption(f"+ {extra} more system block(s): edit them in Request JSON.")


def _summarise_block(block: dict) -> str:
    kind = block.get("type", "?")
    if kind == "tool_use":
        tool_input = json.dumps(block.get("input", {}), ensure_ascii=False)[:120]
        return f":material/build: tool_use `{block.get('name')}` `{tool_input}`"
    if kind == "tool_result":
        content = block.get("content", "")
        if not isinstance(content, str):
            content = json.dumps(content, ensure_ascii=False)
        error = " (error)" if block.get("is_error") else ""
        return f":material/keyboard_return: tool_result{error} for `{block.get('tool_use_id')}`: {content[:120]}"
    if kind in ("thinking", "redacted_thinking"):
        return ":material/psychology: thinking block (kept as sent, so tool use can continue)"
    if kind == "text":
        return f":material/notes: more text: {block.get('text', '')[:120]}"
    return f":material/widgets: {kind} block"


def _turn_controls(index: int, count: int, role_key: str, cache_key: str) -> None:
    role_column, cache_column, buttons_column = st.columns([1.5, 2.4, 1.1], vertical_alignment="center")
    with role_column:
        st.selectbox(
            f"Turn {index + 1} role", list(edits.ROLES), key=role_key, label_visibility="collapsed",
            on_change=on_edit(role_key, lambda: apply_edit(edits.set_message_role, index, st.session_state[role_key])),
        )
    with cache_column:
        cache_control(cache_key, index, label=f"Turn {index + 1} cache", collapsed=True)
    with buttons_column.container(horizontal=True, horizontal_alignment="right", gap="small"):
        st.button("", key=Keys.turn(index, "up"), icon=":material/arrow_upward:", help="Move up",
                  disabled=index == 0, type="tertiary", on_click=apply_edit, args=(edits.move_message, index, -1))
        st.button("", key=Keys.turn(index, "down"), icon=":material/arrow_downward:", help="Move down",
                  disabled=index == count - 1, type="tertiary",
                  on_click=apply_edit, args=(edits.move_message, index, 1))
        st.button("", key=Keys.turn(index, "remove"), icon=":material/delete:", help="Remove this turn",
                  type="tertiary", on_click=apply_edit, args=(edits.remove_message, index))


def render_turns() -> None:
    """Every user/assistant turn: role, text, cache breakpoint, move and remove; plus "add turn"."""
    messages = current_prompt().request.get("messages") or []
    for index, message in enumerate(messages):
        role_key, text_key, cache_key = Keys.turn(index, "role"), Keys.turn(index, "text"), Keys.turn(index, "cache")
        fill(role_key, message.get("role", "user"))
        fill(text_key, edits.message_text(message))
        fill(cache_key, edits.cache_ttl(current_prompt().request, index) or "off")
        with st.container(border=True, key=Keys.turn(index)):
            _turn_controls(index, len(messages), role_key, cache_key)
            for block in edits.other_blocks(message):
                st.caption(_summarise_block(block))
            st.text_area(
                f"Turn {index + 1} text", key=text_key, label_visibility="collapsed", height=120,
                placeholder=("Write the user's message. Use {{name}} for a variable."
                             if message.get("role") == "user" else "Write the assistant's reply (an example turn)."),
                on_change=on_edit(text_key, lambda i=index, k=text_key: apply_edit(edits.set_message_text, i, st.session_state[k])),
            )
    st.button("Add turn", key=Keys.ADD_TURN, icon=":material/add:", on_click=apply_edit,
              args=(edits.add_message,))


# --- raw request JSON ---------------------------------------------------------------------------------

def request_json_text(request: dict) -> str:
    """The request as the JSON view shows it."""
    return json.dumps(request, indent=2, ensure_ascii=False)


def apply_request_json(text: str, key: str = Keys.RAW_JSON) -> bool:
    """Parse and validate typed request JSON; on success it becomes the prompt's request."""
    try:
        parsed = loads_strict_json(text)
    except json.JSONDecodeError as error:
        set_input_error(key, f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}). "
                             "The form still holds the last valid request.")
        return False
    except ValueError as error:  # NaN / Infinity
        set_input_error(key, f"Not valid JSON: {error}. The form still holds the last valid request.")
        return False
    try:
        validate_request(parsed, "Request JSON", "$")
    except PromptFileError as error:
        set_input_error(key, f"{error}. The form still holds the last valid request.")
        return False
    set_input_error(key, None)
    drop_draft(key)
    _remember_shown(text)  # applied: the view may now show it in canonical form
    spec = current_prompt()
    set_current_prompt(dataclasses.replace(spec, request=parsed))
    if edits.output_schema(parsed) is None:  # the JSON dropped structured output: no schema left to fix
        set_input_error(Keys.SCHEMA, None)
    return True


def _remember_shown(text: str) -> None:
    """Texts this view showed (or applied); a widget value among them is not an unapplied edit."""
    shown = editor_state().raw_json_shown
    if text not in shown:
        shown.append(text)
        del shown[:-JSON_VIEW_HISTORY]


def _discard_json(key: str) -> None:
    set_input_error(key, None)
    drop_draft(key)
    st.session_state[key] = request_json_text(current_prompt().request)


def render_request_json() -> bool:
    """The exact request body, editable; applied with a button, bad JSON refused and the form kept.

    Returns True while the view holds edits that are not applied (so Run would not send them).
    """
    key = Keys.RAW_JSON
    restore_draft(key)  # typing survives a visit to another page
    current = request_json_text(current_prompt().request)
    typed = st.session_state.get(key)
    # A value this view showed before is a stale copy (e.g. a rerun cut short before the browser
    # got the new text): refresh it. Anything else was typed and is kept until applied or discarded.
    unapplied = typed is not None and typed != current and typed not in editor_state().raw_json_shown
    if not unapplied:
        st.session_state[key] = current
    _remember_shown(current)
    st.caption("The exact Messages API body (before {{variables}} are filled in). Edit it, then Apply.")
    st.text_area("Request JSON", key=key, height=420, label_visibility="collapsed", on_change=keep_draft, args=(key,))
    apply_column, discard_column = st.columns([1, 1])
    apply_column.button("Apply JSON", key=Keys.APPLY_JSON, type="primary", width="stretch",
                        on_click=lambda: apply_request_json(st.session_state[key], key))
    discard_column.button("Discard JSON edits", key=Keys.DISCARD_JSON, width="stretch",
                          disabled=not unapplied and key not in input_errors(), on_click=_discard_json, args=(key,))
    if key in input_errors():
        st.error(input_errors()[key])
    elif unapplied:
        st.warning("The JSON has edits that are not applied yet: Apply to use them, or Discard.")
    else:
        drop_draft(key)  # nothing pending: a stale draft must not come back later
    return unapplied or key in input_errors()
