"""Compare page, Message Batches: run a test-case matrix as one batch (50% off), follow it, see its grid.

Batches live in the call log, so the list below is read from there on every render: closing the
page or restarting the app loses nothing, and a pending batch carries on where it was.
"""
from __future__ import annotations

import json

import anthropic
import httpx2
import streamlit as st

from components import session
from components.compare_matrix import render_matrix_outcome
from components.compare_setup import ModelSetup
from components.page_state import CompareKeys as Keys
from workbench import batches, compare, present
from workbench.models import describe_api_error
from workbench.compare_cases import CasesTableError, parse_cases
from workbench.spec import PromptSpec
from workbench.templating import MissingVariableError, find_variables

POLL_S = 2.0  # how often the list asks the API for the counts of a pending batch
LISTED_BATCHES = 20
MAX_REPEATS = compare.MAX_REPEATS


def _plan(spec: PromptSpec, columns: list[str], rows: list[dict], setups: dict[str, ModelSetup],
          repeats: int) -> tuple[batches.BatchPlan | None, str | None]:
    """The batch the table describes, or why there is none (the table's own problems are shown above it)."""
    try:
        cases = parse_cases(columns, rows, find_variables(spec.request))
    except CasesTableError:
        return None, "Fix the table above to run it as a batch."
    if compare.cases_problems(spec, cases):
        return None, "Fix the table above to run it as a batch."
    overrides = {model: setup.overrides for model, setup in setups.items()}
    try:
        plan = batches.build_batch(spec, list(setups), cases=cases, repeats=repeats, overrides=overrides)
    except MissingVariableError as error:
        return None, str(error)
    problems = batches.plan_problems(plan)
    return plan, " ".join(problems) if problems else None


def render_batch_controls(spec: PromptSpec, columns: list[str], rows: list[dict], setups: dict[str, ModelSetup],
                          ready_problem: str | None) -> None:
    """Requests and projected cost (batch vs live), then "Run as batch (50% off)"."""
    notice = session.compare_state().batch_notice
    if notice:
        st.success(notice)
        session.compare_state().batch_notice = None
    st.markdown("**Or run it as a Message Batch** — half price, results within 24 hours (usually much sooner); "
                "you can close the page meanwhile.")
    repeats = st.number_input("Repeats per cell", min_value=1, max_value=MAX_REPEATS, step=1,
                              value=session.compare_state().batch_repeats, key=Keys.BATCH_REPEATS,
                              on_change=_remember_repeats)
    plan, problem, projection = _planned(spec, columns, rows, setups, int(repeats))
    problem = ready_problem or problem
    if plan is not None:
        cost = present.batch_projection(projection)
        st.caption(f"{plan.request_count:,} requests ({len(plan.cases)} cases × {len(plan.models)} models × "
                   f"{int(repeats)} repeats). {cost[:1].upper()}{cost[1:]}.")
    if problem and plan is not None and not ready_problem:
        st.warning(problem)  # over the API's limits: say what to cut (the table's problems are shown above)
    clicked = st.button("Run as batch (50% off)", key=Keys.RUN_BATCH, disabled=problem is not None or plan is None,
                        help=problem, icon=":material/schedule_send:")
    if clicked and plan is not None:
        _submit(plan)


def _planned(spec: PromptSpec, columns: list[str], rows: list[dict], setups: dict[str, ModelSetup],
             repeats: int) -> tuple[batches.BatchPlan | None, str | None, batches.BatchProjection | None]:
    """The plan, its problem and projection, rebuilt only when the table or settings change.

    Planning and pricing 10,000 requests takes over a second: not something to redo on every
    rerun of the page (each click anywhere on it).
    """
    counting = session.compare_state().count_tokens_on
    key = json.dumps([spec.request, columns, rows, repeats, counting,
                      {model: repr(setup.overrides) for model, setup in setups.items()}], sort_keys=True, default=str)
    cached = session.compare_state().batch_plan
    if cached.get("key") != key:
        plan, problem = _plan(spec, columns, rows, setups, repeats)
        projection = None
        if plan is not None:
            counter, _ = session.token_counter_or_reason()
            projection = batches.project_cost(plan, session.get_prices(), counter if counting else None)
        cached.clear()
        cached.update(key=key, plan=plan, problem=problem, projection=projection)
    return cached["plan"], cached["problem"], cached["projection"]


def _remember_repeats() -> None:
    session.compare_state().batch_repeats = int(st.session_state[Keys.BATCH_REPEATS])


def _submit(plan: batches.BatchPlan) -> None:
    try:
        record = batches.submit(session.get_client(), plan, session.get_usage_log(), source="compare")
    except batches.BatchError as error:
        st.error(str(error))
        return
    except (anthropic.APIError, httpx2.HTTPError) as error:
        st.error(f"The batch was not submitted: {describe_api_error(error)}")
        return
    session.compare_state().batch_shown = record.id
    session.compare_state().batch_notice = (
        f"Submitted batch {record.id} ({record.request_count:,} requests). Follow it under the Batches tab; "
        "you can close the page meanwhile.")
    st.rerun()


# ---------------------------------------------------------------- the Batches list


def _status_text(record: batches.BatchRecord) -> str:
    counts = record.counts
    parts = [f"{counts.finished:,} of {record.request_count:,} done", f"{counts.succeeded:,} succeeded"]
    parts += [f"{value:,} {name}" for name, value in
              (("errored", counts.errored), ("canceled", counts.canceled), ("expired", counts.expired)) if value]
    return " · ".join(parts)


def _follow(record: batches.BatchRecord) -> tuple[batches.BatchRecord, str | None]:
    """Refresh a pending batch's counts, and collect its results once it has ended."""
    if record.collected:
        return record, None
    client = session.get_client()
    log = session.get_usage_log()
    try:
        if not record.ended:
            record = batches.refresh(client, log, record.id)
        if record.ended:
            report = batches.collect(client, log, record.id, prices=session.get_prices())
            if report.logged and session.compare_state().batch_shown is None:
                session.compare_state().batch_shown = record.id
            record = batches.get_batch(log, record.id) or record
    except anthropic.NotFoundError:
        return record, ("This batch is not known to the current backend (was it submitted to another endpoint, "
                        "or did a simulator without a batch folder restart?).")
    except (anthropic.APIError, httpx2.HTTPError) as error:
        return record, f"Could not update this batch: {describe_api_error(error)}"
    return record, None


def render_batches() -> None:
    """The Batches list: pending and ended batches from the call log, refreshed while any is pending."""
    st.subheader("Batches")
    log = session.get_usage_log()
    records = batches.list_batches(log, limit=LISTED_BATCHES)
    if not records:
        st.caption("No batches yet. Run a test-case table as a batch from the Test cases tab.")
        return
    pending = any(not record.collected for record in records)
    backend_problem = session.backend_or_error()[1]
    if backend_problem:
        st.warning(f"Batches can't be followed until the backend is set up: {backend_problem}")
        pending = False
    st.fragment(run_every=POLL_S if pending else None)(_render_batch_list)(bool(backend_problem))


def _render_batch_list(offline: bool) -> None:
    log = session.get_usage_log()
    records = []
    for record in batches.list_batches(log, limit=LISTED_BATCHES):
        problem = None
        if not offline:
            record, problem = _follow(record)
        records.append(record)
        with st.container(border=True, key=Keys.batch_row(record.id)):
            title, actions = st.columns([4, 1])
            title.markdown(f"**{record.prompt_name or 'prompt'}** · {record.request_count:,} requests · "
                           f"`{record.status}` · submitted {record.created_at[:16].replace('T', ' ')} UTC")
            title.caption(record.id)
            st.progress(record.progress, text=_status_text(record))
            cancel_problem = session.compare_state().batch_cancel_problems.get(record.id)
            for sentence in (problem, cancel_problem):
                if sentence:
                    st.warning(sentence)
            if not record.ended:
                actions.button("Cancel", key=Keys.batch_row(record.id, "cancel"), on_click=_cancel, args=(record.id,),
                               disabled=record.status == "canceling" or offline,
                               help="Requests not yet run end as canceled; those done are kept.")
            elif record.collected:
                if actions.button("Show results", key=Keys.batch_row(record.id, "show")):
                    session.compare_state().batch_shown = record.id
                for unread in record.problems:
                    st.warning(unread)
    shown = session.compare_state().batch_shown
    shown_record = next((record for record in records if record.id == shown), None)
    if shown_record is not None and shown_record.collected:
        _render_batch_outcome(shown_record)


def _cancel(batch_id: str) -> None:
    """The Cancel button's callback (it runs before the rerun that redraws the list)."""
    problems = session.compare_state().batch_cancel_problems
    try:
        batches.cancel(session.get_client(), session.get_usage_log(), batch_id)
    except (anthropic.APIError, httpx2.HTTPError) as error:
        problems[batch_id] = f"Could not cancel this batch: {describe_api_error(error)}"
    else:
        problems.pop(batch_id, None)


def _render_batch_outcome(record: batches.BatchRecord) -> None:
    """The batch's grid, checks, pass rate and cost per passing answer, as a live matrix shows them."""
    cache = session.compare_state().batch_outcomes
    key = (record.id, record.logged)
    if key not in cache:
        prices = session.get_prices()
        outcome, template = batches.outcome_of(session.get_usage_log(), record.id, prices)
        cache.clear()  # one batch's outcome at a time: they can be large
        cache[key] = {"outcome": outcome, "prompt_name": record.prompt_name,
                      "summary": compare.summarize(outcome, prices, template_request=template)}
    stored = cache[key]
    counts = record.counts
    not_answered = counts.errored + counts.canceled + counts.expired
    caption = (f"Batch results of **{record.prompt_name}**: {record.request_count:,} requests at batch prices "
               f"(50% off); {counts.succeeded:,} succeeded"
               + (f", {not_answered:,} did not answer (errored {counts.errored}, canceled {counts.canceled}, "
                  f"expired {counts.expired}): they count as failed" if not_answered else ""))
    with st.container(key=Keys.BATCH_RESULTS):
        render_matrix_outcome(stored, keys=Keys.BATCH_GRID, caption=caption)
