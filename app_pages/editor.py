"""Editor: write a prompt, see its tokens and cost, run it, continue it, save it."""
from __future__ import annotations

import streamlit as st

from components.continue_form import render_continue
from components.editor_tools import render_tools_section
from components.export_view import render_export_panel
from components.page_state import EditorKeys as Keys
from components.preview import render_preview, render_variables
from components.prompt_files import render_file_bar
from components.prompt_form import (
    render_extra_headers, render_model_picker, render_request_json, render_settings, render_system,
    render_turns,
)
from components.run_view import render_reply_in_flight, render_result, stream_into
from components.sampling_form import render_sampling
from components.run_history import latest_editor_run, render_history
from components.session import (
    current_prompt, editor_state, get_catalog, get_client, get_prices, keep_draft_in_url, pop_notices, setup_state,
    starting_up, usage_log_or_problem,
    variable_values,
)
from components.widget_sync import input_errors, set_input_error
from workbench import preflight
from workbench.backend import BackendConfigError
from workbench.models import Catalog, ModelEntry
from workbench.pricing import PriceFileError, PriceTable
from workbench.runner import stream_run
from workbench.spec import PromptSpec
from workbench.templating import filled_values, find_variables

# Inputs in the "Thinking, effort, …" expander that can hold typed text that failed to apply.
SETTINGS_INPUTS = (Keys.SCHEMA, Keys.EXTRA_HEADERS, Keys.EXTRA_HEADERS_REFUSED)
# Inputs whose typed text failed to apply: the prompt still holds the older value, so a run would
# not send what the user sees. Widget key -> why Run waits.
UNAPPLIED_INPUTS = {
    Keys.SCHEMA: "The JSON schema (under Thinking, effort, … output format) has a problem: fix it, "
                     "or turn structured output off.",
    Keys.EXTRA_HEADERS: "The extra HTTP headers are not valid: fix or clear them.",
}


def render_results(spec: PromptSpec, entry: ModelEntry | None, prices: PriceTable, catalog: Catalog,
                   json_pending: bool) -> None:
    """The right column: variables, the count and cost, Run, the reply, history and export."""
    st.markdown("**Variables**")
    render_variables(spec.request)
    with st.container(border=True):
        count = render_preview(spec.request, entry, prices)
    state = editor_state()
    # Everything that would make the API refuse the request, or send something other than what
    # the user sees, is named here and blocks Run: no call is spent to hear it. The rule book decides.
    verdict = preflight.check(spec.request, catalog.get(spec.model), variable_values(),
                              headers=state.extra_headers, input_tokens=count.input_tokens,
                              tokens_exact=count.exact)
    problems = [problem.message for problem in verdict.errors]
    problems += [sentence for key, sentence in UNAPPLIED_INPUTS.items() if key in input_errors()]
    usage_log, log_problem = usage_log_or_problem()
    if log_problem:
        problems.append(log_problem)  # a call that can't be logged is not sent
    if json_pending:
        problems.append("The Request JSON tab has edits that are not applied: Apply or Discard them first.")
    for problem in problems:
        st.warning(problem)
    for warning in verdict.warnings:
        st.caption(f":material/info: {warning.message}")
    in_flight = state.run_in_flight  # the last run's reply is still being read (see stream_into)
    run_clicked = st.button("Run", key=Keys.RUN, type="primary", icon=":material/play_arrow:",
                            disabled=bool(problems) or in_flight, width="stretch",
                            help="Fix the problems above first." if problems else None)
    run_requested = False
    if not in_flight:
        run_requested, state.run_requested = state.run_requested, False
    result_slot = st.empty()
    if in_flight:
        with result_slot.container(border=True):
            render_reply_in_flight(state, Keys.STOP_RUN)

    if (run_clicked or run_requested) and not problems:  # neither while a reply is in flight (above)
        set_input_error(Keys.TOOL_RESULTS_FORM, None)  # belongs to the previous reply
        try:
            client = get_client()
        except BackendConfigError as config_error:
            st.error(f"Not sent: {config_error}")
        else:
            # The verdict's request has every variable filled (a blank one would be a problem above).
            events = stream_run(client, verdict.request, source="editor", prompt_name=spec.name,
                                log=usage_log, prices=prices, template=spec.request,
                                variables=filled_values(variable_values(), find_variables(spec.request)),
                                extra_headers=state.extra_headers or None, previous=state.last_run)
            result = stream_into(events, result_slot, state)
            state.last_run = result
            if result.error is not None and result.error.status == 401:
                state.backend_problem = result.error.hint
                st.sidebar.error(result.error.hint)
            elif result.ok and state.backend_problem:
                # The sidebar was drawn before this run and still shows the old key problem.
                state.backend_problem = None
                st.rerun()

    if not state.last_run_restored:
        # A new session (a reload): show this prompt's last Editor reply again, from the call log.
        state.last_run_restored = True
        if state.last_run is None and usage_log is not None:
            state.last_run = latest_editor_run(usage_log, spec.name)
    last_run = state.last_run
    if last_run is not None and not in_flight:
        with result_slot.container(border=True):
            render_result(last_run, model_max=entry.max_tokens if entry else None)
        render_continue(last_run)
    render_history(usage_log, spec.name)

    # The same request as code (Python, TypeScript, curl), with the values typed above.
    render_export_panel(spec.request, preflight.effective_values(None, variable_values()), keys=Keys.EXPORT,
                        name=spec.name,
                        headers=state.extra_headers)


setup_state()
keep_draft_in_url()
catalog = get_catalog()
try:
    prices = get_prices()
except PriceFileError as price_error:
    st.error(f"The price table could not be loaded, so costs can't be shown: {price_error}")
    st.stop()

render_file_bar()
# Notices sit in a container that is always drawn: when a notice goes away on the next rerun, the
# elements below keep their places, and the tabs (keyed too) keep the tab the user is on.
with st.container():
    for kind, text in pop_notices():
        getattr(st, kind)(text)

form_column, result_column = st.columns([1.1, 1], gap="large")

with form_column:
    form_tab, json_tab = st.tabs(["Prompt", "Request JSON"], key=Keys.TABS, on_change="rerun")
    with form_tab:
        entry = render_model_picker(catalog, prices)
        if any(key in input_errors() for key in SETTINGS_INPUTS):
            st.session_state[Keys.SETTINGS_OPEN] = True  # what was typed there is shown with its problem
        # Built only while open (on_change="rerun" tracks that): collapsed, no rerun builds or sends its widgets.
        with st.expander("Thinking, effort, stop sequences, output format, headers", key=Keys.SETTINGS_OPEN,
                         on_change="rerun") as settings_panel:
            if settings_panel.open:
                render_settings(entry)
                render_sampling(entry)
                render_extra_headers()
        render_system()
        render_tools_section(entry)
        st.markdown("**Conversation**")
        render_turns()
    with json_tab:
        json_pending = render_request_json()

spec = current_prompt()  # after the form: callbacks and edits above are all applied
with result_column:
    if starting_up():
        # The first draw of a cold server: the count, the cost, Run and the history need the backend,
        # the SDK and the call log, loaded once the browser has drawn the form (components/session.py).
        # This column is drawn with them, a moment later.
        st.caption("Connecting to the backend: the token count, cost and Run follow in a moment.")
    else:
        render_results(spec, entry, prices, catalog, json_pending)
