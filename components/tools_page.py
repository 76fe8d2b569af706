"""The Tools page's pieces: its state, the tool library bar, and the proofs (try, matrix, close the loop)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components import session
from components.page_state import ToolsKeys as Keys, ToolSlot, ToolsState
from components.widget_sync import input_errors, set_input_error
from workbench import present, tool_trials
from workbench.backend import BackendConfigError
from workbench.csv_out import records_csv_text
from workbench.request_edits import ToolResultInput
from workbench.runner import RunDone, RunResult, run_once
from workbench.tool_form import attach_tool, new_tool
from workbench.tool_library import (
    LibraryEntry, ToolFileError, ToolNotSaved, delete_tool, library_entries, parse_tool_text, save_tool,
    tool_file_name, tool_file_text,
)
from workbench.tools_schema import errors_in, validate_tool

CHOICE_LABELS = {"auto": "auto: the model decides", "any": "any: must call a tool (forced)",
                 "tool": "this tool (forced)", "none": "none: no tool calls"}


@dataclass
class TryRun:
    """One model's answer in "Try it", judged, and the final answer once a tool_result was sent."""

    call: tool_trials.TrialCall
    result: RunResult
    verdict: tool_trials.Verdict
    final: RunResult | None = None


def page_state() -> ToolsState:
    return session.tools_state()


def builder_slot() -> ToolSlot:
    return session.tools_state().builder


def current_tool() -> dict:
    return builder_slot().tool


def notify(kind: str, text: str) -> None:
    page_state().notices.append((kind, text))


def render_notices() -> None:
    state = page_state()
    for kind, text in state.notices:
        getattr(st, kind)(text)
    state.notices = []


# --- the library -----------------------------------------------------------------------------------

def _library_label(entry: LibraryEntry) -> str:
    return entry.name if entry.problem is None else f"{entry.path.name} (has problems)"


def _open_entry(entries: list[LibraryEntry]) -> None:
    picked = st.session_state.get(Keys.LIBRARY_PICK)
    entry = next((entry for entry in entries if str(entry.path) == picked), None)
    if entry is None:
        return
    if entry.tool is None:
        notify("error", f"Can't open {entry.path.name}: {entry.problem}")
        return
    _load(entry.tool, f"Opened `{entry.path.name}`.")


def _load(tool: dict, notice: str) -> None:
    builder_slot().tool = tool
    builder_slot().infer_notes = []
    for key in [key for key in input_errors() if key.startswith(Keys.BUILDER.base)]:
        set_input_error(key, None)
    state = page_state()
    state.tries, state.matrix, state.skipped = [], None, []
    notify("success", notice)


def _save() -> None:
    try:
        path = save_tool(current_tool())
    except ToolNotSaved as problem:
        notify("error", str(problem))
        return
    except OSError as error:
        notify("error", f"Not saved: {error}")
        return
    notify("success", f"Saved to the library as `{path}`.")


def _ask_delete(entries: list[LibraryEntry]) -> None:
    picked = st.session_state.get(Keys.LIBRARY_PICK)
    page_state().delete_pending = picked if any(str(entry.path) == picked for entry in entries) else None


def _delete() -> None:
    state = page_state()
    if state.delete_pending:
        path = Path(state.delete_pending)
        delete_tool(path)
        notify("info", f"Deleted `{path.name}` from the library.")
    state.delete_pending = None


def _keep() -> None:
    page_state().delete_pending = None


def _attach_to_editor() -> None:
    tool = current_tool()
    spec = session.current_prompt()
    request, replaced = attach_tool(spec.request, tool)
    session.set_current_prompt(dataclasses.replace(spec, request=request))
    notify("success", f"{'Replaced' if replaced else 'Attached'} `{tool.get('name')}` in the Editor's prompt "
                      f"({len(request['tools'])} tool(s) there now).")


def _upload() -> None:
    uploaded = st.session_state.get(Keys.UPLOAD)
    if uploaded is None:
        return
    try:
        value = parse_tool_text(uploaded.getvalue(), uploaded.name)
    except ToolFileError as error:
        notify("error", f"Not loaded: {error}")
        return
    if not isinstance(value, dict):
        notify("error", f"Not loaded: {uploaded.name} holds {type(value).__name__}, not one tool object.")
        return
    _load(value, f"Loaded `{uploaded.name}`; its findings are listed under the builder.")


def render_library_bar() -> None:
    """Open, new, save, delete, upload, download, and attach to the Editor's prompt."""
    tool = current_tool()
    entries = library_entries()
    has_errors = bool(errors_in(validate_tool(tool)))
    pick_column, open_column, delete_column = st.columns([3, 1, 1], vertical_alignment="bottom")
    options = [str(entry.path) for entry in entries]
    labels = {str(entry.path): _library_label(entry) for entry in entries}
    pick_column.selectbox("Tool library", options, key=Keys.LIBRARY_PICK, format_func=labels.get,
                          placeholder="No saved tools yet" if not entries else "Pick a saved tool",
                          index=None if not entries else 0)
    open_column.button("Open", key=Keys.OPEN, width="stretch", disabled=not entries,
                       on_click=_open_entry, args=(entries,))
    delete_column.button("Delete", key=Keys.DELETE, width="stretch", disabled=not entries,
                         on_click=_ask_delete, args=(entries,))
    pending = page_state().delete_pending
    if pending:
        with st.container(border=True):
            st.warning(f"Delete `{Path(pending).name}` from the library? This can't be undone.")
            confirm = st.container(horizontal=True)
            confirm.button("Delete it", key=Keys.DELETE_CONFIRM, type="primary", on_click=_delete)
            confirm.button("Keep it", key=Keys.DELETE_CANCEL, on_click=_keep)
    buttons = st.container(horizontal=True)
    buttons.button("New tool", key=Keys.NEW, icon=":material/add:",
                   on_click=_load, args=(new_tool(), "Started a new tool."))
    buttons.button("Save to library", key=Keys.SAVE, icon=":material/save:", on_click=_save,
                   disabled=has_errors, help="Fix the errors first." if has_errors else "WORKBENCH_HOME/tools/")
    buttons.download_button("Download .tool.json", data=tool_file_text(tool), file_name=tool_file_name(tool),
                            mime="application/json", key=Keys.DOWNLOAD, icon=":material/download:")
    buttons.button("Attach to the Editor's prompt", key=Keys.ATTACH, icon=":material/attach_file:",
                   on_click=_attach_to_editor, disabled=has_errors,
                   help="Fix the errors first." if has_errors else "Adds it to the prompt's tools (replacing a "
                                                                     "tool of the same name).")
    st.file_uploader("Upload a .tool.json", type=["json"], key=Keys.UPLOAD, on_change=_upload,
                     max_upload_size=1)


# --- settings shared by try and matrix ----------------------------------------------------------------

def _remember(key: str, attribute: str) -> None:
    setattr(page_state(), attribute, st.session_state[key])


def render_trial_settings(catalog) -> tuple[list[str], dict | None]:
    """Models, tool choice, structured-output fallback and max_tokens; returns (models, tool_choice)."""
    state = page_state()
    tool = current_tool()
    active = [entry.id for entry in catalog.active_models()]
    if state.models is None:
        editor_model = session.current_prompt().model
        state.models = [model for model in dict.fromkeys([editor_model, "claude-haiku-4-5"]) if model in active][:2]
    models_key, choice_key = Keys.MODELS, Keys.TOOL_CHOICE
    st.session_state[models_key] = [model for model in state.models if model in active]
    st.multiselect("Models", active, key=models_key, on_change=_remember, args=(models_key, "models"),
                   max_selections=tool_trials.MAX_MODELS,
                   help="Each model gets the same messages; forced tool use is refused on some models.")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    st.session_state[choice_key] = state.tool_choice
    left.selectbox("tool_choice", list(CHOICE_LABELS), key=choice_key,
                   format_func=lambda kind: CHOICE_LABELS[kind].replace("this tool", str(tool.get("name") or "this tool")),
                   on_change=_remember, args=(choice_key, "tool_choice"))
    fallback_key, max_key = Keys.STRUCTURED_FALLBACK, Keys.MAX_TOKENS
    st.session_state[max_key] = state.max_tokens
    right.number_input("max_tokens", min_value=1, max_value=128_000, step=256, key=max_key,
                       on_change=_remember, args=(max_key, "max_tokens"))
    st.session_state[fallback_key] = state.structured_fallback
    st.checkbox("Where forced tool use is refused, ask for structured output instead", key=fallback_key,
                on_change=_remember, args=(fallback_key, "structured_fallback"),
                help="Models that refuse tool_choice any/tool get output_config.format with this tool's schema.")
    try:
        choice = tool_trials.tool_choice_param(state.tool_choice, str(tool.get("name") or "") or None)
    except ValueError:
        choice = None
    return list(state.models), choice


def _plans(models: list[str], choice: dict | None, catalog) -> list[tool_trials.ModelPlan]:
    tool = current_tool()
    return [tool_trials.plan_for_model(model, [tool], choice, catalog,
                                       use_structured_fallback=page_state().structured_fallback)
            for model in models]


def _client_or_error():
    try:
        return session.get_client()
    except BackendConfigError as error:
        st.error(f"Not sent: {error}")
        return None


def _skipped_notes(plans: list[tool_trials.ModelPlan]) -> list[tuple[str, str]]:
    notes = []
    for plan in plans:
        if plan.problems:
            notes.append((plan.model, "not sent: " + " ".join(plan.problems)))
        elif plan.note:
            notes.append((plan.model, plan.note))
    return notes


def render_skipped(skipped: list[tuple[str, str]]) -> None:
    for model, why in skipped:
        (st.info if why.startswith(model) else st.warning)(f"**{model}**: {why}")


# --- try it -------------------------------------------------------------------------------------------

def render_try(models: list[str], choice: dict | None, catalog, blocked: str | None) -> None:
    """A user message to the selected models; each call's tool_use input judged against the schema."""
    state = page_state()
    message_key = Keys.MESSAGE
    st.session_state[message_key] = state.message
    st.text_area("User message", key=message_key, height=80, on_change=_remember, args=(message_key, "message"))
    problem = blocked or (None if state.message.strip() else "Write a user message first.") or \
        (None if models else "Pick at least one model.")
    if st.button("Try it", key=Keys.TRY, type="primary", icon=":material/play_arrow:", disabled=bool(problem),
                 help=problem):
        _run_try(models, choice, catalog)
    render_skipped(state.skipped if state.tries else [])
    for index, run in enumerate(state.tries):
        with st.container(border=True, key=Keys.try_run(index)):
            _render_try_run(index, run)


def _run_try(models: list[str], choice: dict | None, catalog) -> None:
    state = page_state()
    tool = current_tool()
    plans = _plans(models, choice, catalog)
    calls = tool_trials.plan_trials([tool], [state.message], plans, tool_choice=choice, max_tokens=state.max_tokens)
    state.skipped = _skipped_notes(plans)
    state.tries = []
    if not calls:
        state.tries = []
        render_skipped(state.skipped)
        return
    client = _client_or_error()
    if client is None:
        return
    outcome = tool_trials.MatrixOutcome(calls, [tool], choice)
    with st.spinner(f"Asking {len(calls)} model(s)…"):
        for call, event in tool_trials.stream_trials(client, calls, concurrency=len(calls),
                                                     log=session.get_usage_log(), prices=session.get_prices()):
            outcome.observe(call, event)
    state.tries = [TryRun(call, outcome.results[call.index], outcome.verdicts[call.index]) for call in calls]


def _facts(result: RunResult) -> str:
    return (f"stop_reason **{result.stop_reason or '—'}** · {present.usage_line(result.usage)} · "
            f"cost **{present.cost(result.cost, with_reason=True)}** · {present.ms(result.latency_ms)}")


def _render_try_run(index: int, run: TryRun) -> None:
    result, verdict = run.result, run.verdict
    how = " · asked through structured output (output_config.format)" if run.call.structured else ""
    st.markdown(f"**{run.call.model}** · {verdict.label}{how}")
    if result.error is not None:
        st.error(present.error_sentence(result.error, result.request_id))
        return
    if result.text and not run.call.structured:
        st.markdown(result.text)
    if not verdict.called:
        st.info("No tool call: the model answered in text. With tool_choice auto that can be right; "
                "force the tool to test its input.")
    for call in verdict.calls:
        st.code(json.dumps({"type": "tool_use", "name": call.name, "input": call.input} if not run.call.structured
                           else call.input, indent=2, ensure_ascii=False), language="json")
        if call.valid:
            st.success("Input is valid against the schema.", icon=":material/check_circle:")
        elif not call.known_tool:
            st.error(f"The model called `{call.name}`, which is not one of the tools.")
        for finding in call.violations:
            st.error(f"`{finding.path}` {finding.message} {finding.fix}", icon=":material/error:")
    st.caption(_facts(result))
    if result.stop_reason == "tool_use" and result.tool_uses:
        _render_loop(index, run)
    elif run.call.structured:
        st.caption("Structured output is the answer itself: there is no tool call to answer.")


def _render_loop(index: int, run: TryRun) -> None:
    """Close the loop: a mocked tool_result per call, then the model's final answer."""
    st.markdown("**Close the loop:** what would the tool return?")
    answers_keys = []
    for position, call in enumerate(run.result.tool_uses):
        key = Keys.try_run(index, f"result_{position}")
        st.text_area(f"tool_result for `{call['name']}` ({call['id']})", key=key, height=70,
                     placeholder='{"temperature_c": 18, "conditions": "sunny"}')
        error_key = Keys.try_run(index, f"result_{position}_is_error")
        st.checkbox("The tool failed (is_error)", key=error_key)
        answers_keys.append((call["id"], key, error_key))
    send_key = Keys.try_run(index, "send")
    if st.button("Send tool_result and get the final answer", key=send_key, icon=":material/send:"):
        answers = [ToolResultInput(call_id, st.session_state.get(key) or "", bool(st.session_state.get(error_key)))
                   for call_id, key, error_key in answers_keys]
        if not all(answer.content.strip() for answer in answers):
            set_input_error(send_key, "Write what the tool returned for every call first.")
        else:
            set_input_error(send_key, None)
            _run_final(run, answers)
    if send_key in input_errors():
        st.error(input_errors()[send_key])
    if run.final is not None:
        st.markdown("**Final answer**")
        if run.final.error is not None:
            st.error(present.error_sentence(run.final.error, run.final.request_id))
        else:
            st.markdown(run.final.text or "(no text)")
        st.caption(_facts(run.final))


def _run_final(run: TryRun, answers: list[ToolResultInput]) -> None:
    client = _client_or_error()
    if client is None:
        return
    request = tool_trials.follow_up_request(run.call.request, run.result, answers)
    with st.spinner("Getting the final answer…"):
        run.final = run_once(client, request, source=tool_trials.TOOLS_SOURCE, log=session.get_usage_log(),
                             prices=session.get_prices())


# --- the matrix ---------------------------------------------------------------------------------------

def render_matrix(models: list[str], choice: dict | None, catalog, blocked: str | None) -> None:
    """N sample messages × the models: tool called or not, input valid or not, valid-call rate per model."""
    state = page_state()
    samples_key, concurrency_key = Keys.SAMPLES, Keys.CONCURRENCY
    st.session_state[samples_key] = state.samples
    st.text_area("Sample user messages (one per line)", key=samples_key, height=140,
                 on_change=_remember, args=(samples_key, "samples"),
                 placeholder="What's the weather in Paris?\nWill it rain in Oslo tomorrow?\nTell me a joke")
    messages = tool_trials.sample_messages(state.samples)
    st.session_state[concurrency_key] = state.concurrency
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    left.number_input("Concurrent calls", min_value=1, max_value=32, key=concurrency_key,
                      on_change=_remember, args=(concurrency_key, "concurrency"))
    problem = blocked or (None if messages else "Write at least one sample message.") or \
        (None if models else "Pick at least one model.") or \
        (None if len(messages) <= tool_trials.MAX_MESSAGES else
         f"At most {tool_trials.MAX_MESSAGES} sample messages per matrix.")
    if right.button(f"Run the matrix: {len(messages)} messages × {len(models)} models", key=Keys.RUN_MATRIX,
                    type="primary", icon=":material/grid_on:", disabled=bool(problem), help=problem):
        _run_matrix(messages, models, choice, catalog)
    if state.matrix is not None:
        render_skipped(state.skipped)
        _render_matrix_outcome(state.matrix)


def _run_matrix(messages: list[str], models: list[str], choice: dict | None, catalog) -> None:
    state = page_state()
    tool = current_tool()
    plans = _plans(models, choice, catalog)
    state.skipped = _skipped_notes(plans)
    calls = tool_trials.plan_trials([tool], messages, plans, tool_choice=choice, max_tokens=state.max_tokens)
    outcome = tool_trials.MatrixOutcome(calls, [tool], choice)
    state.matrix = outcome
    if not calls:
        return
    client = _client_or_error()
    if client is None:
        return
    progress = st.progress(0.0, text=f"0 of {len(calls)} calls")
    grid = st.empty()
    for call, event in tool_trials.stream_trials(client, calls, concurrency=state.concurrency,
                                                 log=session.get_usage_log(), prices=session.get_prices()):
        if outcome.observe(call, event):
            progress.progress(outcome.done / len(calls), text=f"{outcome.done} of {len(calls)} calls")
            grid.dataframe(tool_trials.matrix_rows(outcome), hide_index=True)
    progress.empty()
    grid.empty()


def _render_matrix_outcome(outcome: tool_trials.MatrixOutcome) -> None:
    rates = tool_trials.model_rates(outcome)
    if not outcome.calls:
        return
    st.caption(f"Last matrix: {outcome.done} of {len(outcome.calls)} calls finished.")
    for column, rate in zip(st.columns(max(1, len(rates))), rates):
        shown = present.percent(rate.valid_rate)
        column.metric(rate.model, shown, border=True, help="valid-call rate: calls with a schema-valid tool input / "
                                                           "finished calls (errors count as not valid)",
                      delta=f"{rate.valid} valid · {rate.called} called · {rate.errors} errors of {rate.cells}",
                      delta_color="off", delta_arrow="off")
    rows = tool_trials.matrix_rows(outcome)
    st.container(key=Keys.MATRIX_GRID).dataframe(rows, hide_index=True, key=Keys.GRID)
    st.download_button("Download the matrix (CSV)", data=records_csv_text(rows), file_name="tool-matrix.csv",
                       mime="text/csv", key=Keys.DOWNLOAD_MATRIX, icon=":material/download:")
