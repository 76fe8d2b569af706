"""Compare page, test cases: a table of variable values (edited or uploaded) run as rows × models."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import session
from components.compare_runs import dollars_as_text
from components.compare_setup import ModelSetup, as_sentence, model_label
from components.page_state import CompareKeys as Keys, GridKeys
from workbench import compare, present
from workbench.compare_cases import (
    CHECK_COLUMN,
    CHECK_KINDS,
    CHECK_LABELS,
    EXPECTED_COLUMN,
    MAX_CASES_CSV_MB,
    CasesTableError,
    CompareCase,
    case_columns,
    cell_text,
    column_problems,
    grid_csv,
    parse_cases,
    read_cases_csv,
    table_has_values,
)
from workbench.runner import RunDone
from workbench.spec import PromptSpec
from workbench.templating import MissingVariableError, find_variables


def _blank_table(variables: list[str]) -> dict:
    return {"columns": case_columns(variables), "rows": [dict.fromkeys(case_columns(variables), "")]}


def _table_from_state(variables: list[str]) -> dict:
    """The table the data editor starts from: the last edit when coming back to the page."""
    if Keys.CASES_EDITOR not in st.session_state and session.compare_state().cases_edited is not None:
        # The editor's own state is gone (another page was shown): start from the last edit.
        session.compare_state().cases_table = session.compare_state().cases_edited
    table = session.compare_state().cases_table
    if table is None:
        _replace_table(_blank_table(variables))
    elif column_problems(table["columns"], variables):
        edited = session.compare_state().cases_edited or table
        if not table_has_values(edited["rows"]):
            # Nothing typed yet: a blank table simply follows the prompt's variables. A table with
            # values is the user's work and stays, with the mismatch named and a reset offered.
            _replace_table(_blank_table(variables))
    return session.compare_state().cases_table


def _replace_table(table: dict) -> None:
    """Start the editor afresh from `table` (after an upload or a reset)."""
    session.compare_state().cases_table = table
    session.compare_state().cases_edited = table
    st.session_state.pop(Keys.CASES_EDITOR, None)


def render_cases_input(spec: PromptSpec) -> tuple[list[str], list[dict]]:
    """CSV upload and the editable table; returns the table's columns and rows as edited."""
    variables = find_variables(spec.request)
    expected = ", ".join(case_columns(variables))
    st.caption(
        f"One row per case. Columns: **{expected}** — `{CHECK_COLUMN}` is optional "
        f"({', '.join(CHECK_KINDS)}) and `{EXPECTED_COLUMN}` holds the text, pattern or JSON schema it checks."
    )
    upload = st.file_uploader("Upload cases (CSV)", type=["csv"], key=Keys.CASES_UPLOAD,
                              max_upload_size=MAX_CASES_CSV_MB)
    if upload is not None and upload.file_id != session.compare_state().cases_upload_id:
        session.compare_state().cases_upload_id = upload.file_id
        try:
            columns, rows = read_cases_csv(upload.getvalue(), upload.name)
        except CasesTableError as error:
            st.error(str(error))
        else:
            problems = column_problems(columns, variables)
            if problems:
                for problem in problems:
                    st.error(f"{upload.name}: {problem}")
            else:
                # Keep the file's columns and add the optional check columns it leaves out.
                full = columns + [name for name in (CHECK_COLUMN, EXPECTED_COLUMN) if name not in columns]
                _replace_table({"columns": full, "rows": [{name: row.get(name, "") for name in full} for row in rows]})
                st.success(f"Loaded {len(rows)} cases from {upload.name}.")
    table = _table_from_state(variables)
    problems = column_problems(table["columns"], variables)
    if problems:
        for problem in problems:
            st.error(f"The table doesn't fit this prompt: {problem}.")
        if st.button("Start a new table for this prompt's variables", key=Keys.CASES_RESET):
            _replace_table(_blank_table(variables))
            st.rerun()
    frame = pd.DataFrame(table["rows"], columns=table["columns"]).astype("string")
    edited = st.data_editor(
        frame,
        key=Keys.CASES_EDITOR,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            CHECK_COLUMN: st.column_config.SelectboxColumn(
                "check", options=["", *CHECK_KINDS], help="; ".join(f"{k or '(empty)'}: {v}" for k, v in CHECK_LABELS.items())
            ),
            EXPECTED_COLUMN: st.column_config.TextColumn("expected", help="substring, regex, or JSON schema"),
        },
    )
    rows = [{name: cell_text(value) for name, value in record.items()} for record in edited.to_dict("records")]
    session.compare_state().cases_edited = {"columns": list(edited.columns), "rows": rows}
    return list(edited.columns), rows


def render_matrix_controls(columns: list[str], rows: list[dict], spec: PromptSpec,
                           setups: dict[str, ModelSetup], ready_problem: str | None) -> list[CompareCase] | None:
    """Validate the table, then the Run button; returns the cases when clicked, else None."""
    variables = find_variables(spec.request)
    try:
        cases = parse_cases(columns, rows, variables)
        problems = compare.cases_problems(spec, cases)
    except CasesTableError as error:
        cases = None
        # Column mismatches are already named above the table; say only what is new.
        problems = [] if column_problems(columns, variables) else error.problems
    for problem in problems:
        st.warning(as_sentence(problem))
    if problems:
        cases = None
    calls = len(cases or []) * len(setups)
    problem = ready_problem or (None if cases else "Fix the table above to run it.")
    clicked = st.button(
        f"Run {len(cases or [])} cases × {len(setups)} models = {calls} calls",
        key=Keys.RUN_MATRIX,
        type="primary",
        disabled=problem is not None,
        help=problem,
    )
    return cases if clicked else None


def run_matrix(spec: PromptSpec, cases: list[CompareCase], setups: dict[str, ModelSetup], concurrency: int) -> None:
    """Run rows × models with bounded concurrency and a progress bar; store the outcome and rerun."""
    overrides = {model: setup.overrides for model, setup in setups.items()}
    try:
        calls = compare.plan_calls(spec, list(setups), overrides=overrides, cases=cases)
    except MissingVariableError as error:
        st.error(str(error))
        return
    prices = session.get_prices()
    client = session.get_client()
    outcome = compare.CompareOutcome(calls, endpoint=str(client.base_url))
    progress_text = outcome.progress_text()
    progress = st.progress(0.0, text=progress_text)
    reruns = 0
    events = compare.stream_compare(
        client, calls, concurrency=concurrency, log=session.get_usage_log(),
        prices=prices, prompt_name=spec.name,
    )
    for call, event in events:
        outcome.observe(call, event)
        reruns += isinstance(event, compare.Rerun)
        if outcome.progress_text(reruns) != progress_text:  # waits arrive often; redraw on change only
            progress_text = outcome.progress_text(reruns)
            progress.progress(outcome.done / len(calls), text=progress_text)
    outcome.finish()
    summary = compare.summarize(outcome, prices, template_request=spec.request)
    session.compare_state().matrix_outcome = {"outcome": outcome, "summary": summary, "prompt_name": spec.name}
    st.rerun()


def render_matrix_outcome(stored: dict, *, keys: GridKeys = Keys.LIVE_GRID, caption: str | None = None) -> None:
    """Pass rate and cost per passing answer per model, the results grid, and its CSV download.

    A live matrix and a batch's results both render here, each with its own declared widget keys.
    """
    outcome: compare.CompareOutcome = stored["outcome"]
    summary: compare.CompareSummary = stored["summary"]
    st.caption(caption or f"Last matrix of **{stored['prompt_name']}**: {len(outcome.calls)} calls in "
               f"{present.seconds(summary.wall_ms)}")
    if outcome.rate_limit_note():
        st.caption(outcome.rate_limit_note(), help="Runs wait for the rate limits the endpoint reports "
                   "instead of sending and being refused; a 429 is retried by the SDK.")
    scores = compare.score_rows(summary)
    catalog = session.get_catalog()
    for column, score in zip(st.columns(len(scores)), scores):
        rate = present.percent(score["pass_rate"])
        per_pass = score["cost_per_passing_usd"]
        column.metric(
            model_label(catalog, score["model"]), rate, border=True,
            help="pass rate: passing answers / cases (a failed call fails)",
            delta=f"{score['passed']} of {score['cases']} passed", delta_color="off", delta_arrow="off",
        )
        column.caption(
            "no passing answer" if per_pass is None
            else f"**{present.usd(per_pass)}** per passing answer (all {score['cases']} calls' cost / passes)"
        )
    grid = summary.grid
    frame = pd.DataFrame(grid)
    if "latency_ms" in frame and frame["latency_ms"].isna().all():
        frame = frame.drop(columns=["latency_ms"])  # a batch's results have no latency to show
    st.container(key=keys.section).dataframe(
        dollars_as_text(frame),
        hide_index=True,
        key=keys.table,
        column_config={
            "passed": st.column_config.CheckboxColumn("Pass"),
            "output": st.column_config.TextColumn("Output", width="large"),
            "latency_ms": st.column_config.NumberColumn("Latency", format=present.MS_COLUMN_FORMAT),
            "cost_usd": st.column_config.TextColumn("Cost"),
        },
    )
    st.download_button(
        "Download the grid (CSV)",
        data=grid_csv(grid),
        file_name=f"{stored['prompt_name'] or 'compare'}-cases.csv".replace(" ", "_"),
        mime="text/csv",
        key=keys.download,
        icon=":material/download:",
    )
