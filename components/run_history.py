"""The Editor's History: this prompt's logged runs, each one click from restoring, and any two side by side."""
from __future__ import annotations

import json

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.run_view import render_result
from components.session import open_call_in_editor
from workbench import present, run_history, usage_stats
from workbench.call_filter import UNNAMED_PROMPT
from workbench.spec import PromptFileError
from workbench.usage_log import UsageLog

HISTORY_LIMIT = 20


def latest_editor_run(log: UsageLog, prompt_name: str | None):
    """The newest Editor run of this prompt as a RunResult (the reply a reload brings back), or None."""
    runs = [run for run in usage_stats.recent_runs(log, prompt_name or UNNAMED_PROMPT, limit=5)
            if run["source"] == "editor"]
    if not runs:
        return None
    record = log.get(runs[0]["id"])
    return run_history.result_from_record(record) if record is not None else None


def _label(run: dict) -> str:
    tokens = f"{run['input_tokens']:,} in / {run['output_tokens']:,} out"
    return (f"#{run['id']} · {run['created_at'][:19].replace('T', ' ')} · {run['model']} · {tokens} · "
            f"{present.usd(run['cost_usd'])} · {run['first_line'][:50] or usage_stats.outcome_label(run)}")


def render_history(log: UsageLog | None, prompt_name: str | None) -> None:
    """This prompt's runs, newest first, with Restore, and two of them compared."""
    with st.expander("History of this prompt", icon=":material/history:"):
        if log is None:
            st.caption("The call log can't be read, so there is no history.")
            return
        runs = usage_stats.recent_runs(log, prompt_name or UNNAMED_PROMPT, limit=HISTORY_LIMIT)
        if not runs:
            st.caption("No runs of this prompt yet: each Run is listed here, newest first.")
            return
        st.dataframe([{
            "id": run["id"], "time (UTC)": run["created_at"][:19].replace("T", " "), "model": run["model"],
            "tokens": f"{run['input_tokens']:,} / {run['output_tokens']:,}", "cost": present.usd(run["cost_usd"]),
            "reply": run["first_line"][:80] or usage_stats.outcome_label(run),
        } for run in runs], hide_index=True, key=Keys.HISTORY_TABLE)
        labels = {run["id"]: _label(run) for run in runs}
        chosen = st.selectbox("Run", list(labels), format_func=labels.get, key=Keys.HISTORY_PICK)
        if st.button("Restore this run", key=Keys.HISTORY_RESTORE, icon=":material/restore:",
                     help="Its request and variable values become the prompt, and its reply is shown."):
            record = log.get(chosen)
            try:
                open_call_in_editor(record)
            except PromptFileError as error:
                st.error(f"This run can't be restored as a prompt: {error.problem} ({error.json_path}).")
            else:
                st.rerun()
        pair = st.multiselect("Compare two runs", list(labels), format_func=labels.get, max_selections=2,
                              key=Keys.HISTORY_COMPARE)
        if len(pair) == 2:
            _render_pair(log, pair)


def _render_pair(log: UsageLog, pair: list[int]) -> None:
    records = [log.get(call_id) for call_id in pair]
    if any(record is None for record in records):
        st.warning("One of these runs is no longer in the log.")
        return
    requests = [json.loads(record.request_json) for record in records]
    changed = sorted(key for key in set(requests[0]) | set(requests[1]) if requests[0].get(key) != requests[1].get(key))
    st.caption("Request differs in: " + (", ".join(f"`{key}`" for key in changed) if changed else "nothing (same request)"))
    for column, record in zip(st.columns(2), records):
        with column.container(border=True):
            st.markdown(f"**#{record.id}** · {record.created_at[:19].replace('T', ' ')} UTC")
            render_result(run_history.result_from_record(record))
