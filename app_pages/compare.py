"""Compare: one prompt on 2–4 models side by side — replies, latency statistics, cost, test cases."""
from __future__ import annotations

import streamlit as st

from components import session
from components.compare_batch import render_batch_controls, render_batches
from components.compare_matrix import render_cases_input, render_matrix_controls, render_matrix_outcome, run_matrix
from components.compare_runs import render_concurrency, render_outcome, render_run_controls, run_side_by_side
from components.compare_setup import (
    render_count_toggle,
    render_model_picker,
    render_model_settings,
    render_projection,
    render_prompt_source,
    render_variable_values,
)
from components.export_view import render_export_panel
from components.page_state import CompareKeys
from workbench import compare
from workbench.pricing import PriceFileError


def render_page() -> None:
    """The whole page; returns early (never st.stop) when the prompt or prices can't be used."""
    # st.stop() would end the run with the page's widgets unrendered, and Streamlit then keeps
    # their server-side state while the browser drops it: on the next run the browser shows the
    # widget defaults (no models picked, concurrency 1) and sends them back. A plain return lets
    # the widgets' state go, so they are filled again from the remembered selections.
    session.setup_state()
    st.title("Compare models")
    st.caption("Which model should ship? The same prompt on each, measured: replies, latency, cost per 1,000 calls.")

    try:
        session.get_prices()
    except PriceFileError as price_error:
        st.error(f"The price table could not be loaded, so costs can't be shown: {price_error}")
        return

    _, log_problem = session.usage_log_or_problem()
    catalog = session.get_catalog()
    spec = render_prompt_source()
    if spec is None:
        _render_batches(log_problem)  # batches already submitted are followed whatever the prompt's state
        return
    models = render_model_picker(catalog)
    counting = render_count_toggle()
    setups = render_model_settings(spec, models, catalog)
    values = render_variable_values(spec)
    for model, setup in setups.items():
        with setup.card:  # this column's request (its model and overrides) as code, with the run's values
            render_export_panel(compare.request_for_model(spec.request, model, setup.overrides),
                                compare.case_values(spec, None, values), keys=CompareKeys.export(model),
                                name=f"{spec.name} {model}")
    if counting:
        render_projection(spec, values, setups)

    # Run only what every model accepts: settings a model would reject are flagged above, not after.
    selection_problems = compare.selection_problems(models, catalog)
    flagged = [model for model, setup in setups.items() if setup.problems]
    prompt_problems = compare.prompt_problems(spec.request)
    empty_problem = prompt_problems[0].message if prompt_problems else None
    _, backend_problem = session.backend_or_error()
    if backend_problem:
        ready_problem = f"Nothing can run until the backend is set up: {backend_problem}"
    elif log_problem:
        ready_problem = log_problem  # a call that can't be logged is not sent
    elif empty_problem:
        ready_problem = empty_problem
    elif selection_problems:
        ready_problem = f"Pick {compare.MIN_MODELS} to {compare.MAX_MODELS} models to run."
    elif flagged:
        ready_problem = f"Fix the settings flagged for {', '.join(flagged)} (or remove the model) to run."
    else:
        ready_problem = None

    # Side-by-side runs need every variable filled; test cases bring their own values.
    unfilled = compare.unfilled_variables(spec, values)
    side_problem = ready_problem or (
        f"Fill in {', '.join(unfilled)} under Variables to run side by side (or run them as test cases)."
        if unfilled else None
    )

    concurrency = render_concurrency()
    side_tab, cases_tab, batches_tab = st.tabs(["Side by side", "Test cases", "Batches"])

    with side_tab:
        repeats, run_clicked = render_run_controls(setups, side_problem)
        if side_problem:
            st.caption(side_problem)
        if run_clicked:
            run_side_by_side(spec, values, setups, repeats, concurrency)
        elif session.compare_state().run_outcome is not None:
            render_outcome(session.compare_state().run_outcome)

    with cases_tab:
        columns, rows = render_cases_input(spec)
        cases = render_matrix_controls(columns, rows, spec, setups, ready_problem)
        if cases is not None:
            run_matrix(spec, cases, setups, concurrency)
        elif session.compare_state().matrix_outcome is not None:
            render_matrix_outcome(session.compare_state().matrix_outcome)
        st.divider()
        render_batch_controls(spec, columns, rows, setups, ready_problem)

    with batches_tab:
        _render_batches(log_problem)


def _render_batches(log_problem: str | None) -> None:
    if log_problem:
        st.error(log_problem)  # the batches are kept in the call log
    else:
        render_batches()


render_page()
