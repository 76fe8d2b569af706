"""The Usage page's call table (paged, newest first), one call's request and response, downloads and clearing."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import streamlit as st

from components.export_view import render_call_export
from components.page_state import UsageKeys as Keys
from components.session import open_call_in_editor
from workbench import present, usage_stats
from workbench.call_filter import CallFilter
from workbench.spec import PromptFileError
from workbench.usage_log import UsageLog

PAGE_SIZE = 50


def _table_rows(rows: list[dict]) -> list[dict]:
    return [{
        "id": row["id"],
        "time (UTC)": row["created_at"][:19].replace("T", " "),
        "model": row["model"],
        "prompt": row["prompt_name"] or "",
        "source": row["source"],
        "input": row["input_tokens"], "output": row["output_tokens"],
        "cache w/r": f"{row['cache_write_tokens']:,} / {row['cache_read_tokens']:,}",
        "cost": present.usd(row["cost_usd"]),
        "price table": row["price_version"] or "",
        "TTFT ms": None if row["ttft_ms"] is None else round(row["ttft_ms"]),
        "latency ms": None if row["latency_ms"] is None else round(row["latency_ms"]),
        "stop_reason": row["stop_reason"] or "",
        "error": usage_stats.outcome_label(row) if row["status"] != "completed" else (row["error_type"] or ""),
        "attempts": row["attempt"],
        "request-id": row["request_id"] or "",
    } for row in rows]


def render_calls(log: UsageLog, call_filter: CallFilter, result: usage_stats.Overview) -> None:
    """Newest calls first, a page at a time; picking a row shows its request, response and attempts."""
    st.subheader("Calls")
    pages = max(1, -(-result.totals.calls // PAGE_SIZE))
    page_key = Keys.PAGE
    if st.session_state.get(page_key, 1) > pages:
        st.session_state[page_key] = 1
    page = st.number_input(f"Page (of {pages:,}, {PAGE_SIZE} calls each, newest first)", min_value=1,
                           max_value=pages, step=1, key=page_key)
    rows = log.query_calls(call_filter, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE, final_only=True)
    event = st.dataframe(_table_rows(rows), hide_index=True, key=Keys.CALLS,
                         on_select="rerun", selection_mode="single-row")
    picked = event.selection.rows if event is not None else []
    if not picked or picked[0] >= len(rows):
        st.caption("Pick a row to see its request and response, and to open it in the Editor.")
        return
    _render_call(log, rows[picked[0]]["id"])


def _render_call(log: UsageLog, call_id: int) -> None:
    record = log.get(call_id)
    if record is None:
        st.warning("That call is no longer in the log.")
        return
    with st.container(border=True):
        st.markdown(f"**Call {record.id}** · {record.model} · {record.created_at[:19].replace('T', ' ')} UTC · "
                    f"{usage_stats.outcome_label(record.__dict__)}")
        if st.button("Open in Editor", key=Keys.OPEN, icon=":material/edit_note:", type="primary",
                     help="Makes this call's exact request (and its variable values) the Editor's prompt."):
            try:
                open_call_in_editor(record)
            except PromptFileError as error:
                st.error(f"This request can't be opened as a prompt: {error.problem} ({error.json_path}).")
            else:
                st.switch_page("app_pages/editor.py")
        attempts = log.attempts(record.group_id) if record.group_id is not None else [record]
        if len(attempts) > 1 or record.sdk_retries:
            st.caption("Attempts: " + "; ".join(
                f"#{item.attempt} {usage_stats.outcome_label(item.__dict__)}"
                + (f" after {item.sdk_retries} SDK retries" if item.sdk_retries else "") for item in attempts))
        request_tab, response_tab, code_tab = st.tabs(["Request", "Response", "Code"])
        with request_tab:
            st.json(json.loads(record.request_json), expanded=2)
            if record.variables_json:
                st.caption("Variables: " + ", ".join(f"{{{{{name}}}}} = {value!r}"
                                                     for name, value in json.loads(record.variables_json).items()))
        with response_tab:
            if record.response_json:
                st.json(json.loads(record.response_json), expanded=2)
            else:
                st.caption("No response was logged (the call failed before a reply, or never finished).")
        with code_tab:
            render_call_export(record.request_json, keys=Keys.EXPORT, name=record.prompt_name)


def render_downloads(log: UsageLog, call_filter: CallFilter) -> None:
    """The filtered calls as CSV or JSON lines; the file is written when the button is clicked."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")

    def as_csv() -> str:
        buffer = io.StringIO()
        log.export_csv(buffer, call_filter=call_filter)
        return buffer.getvalue()

    def as_jsonl() -> str:
        buffer = io.StringIO()
        log.export_jsonl(buffer, call_filter=call_filter)
        return buffer.getvalue()

    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Download CSV", as_csv, file_name=f"workbench-calls-{stamp}.csv", mime="text/csv",
                         key=Keys.CSV, icon=":material/download:", on_click="ignore")
    right.download_button("Download JSON lines", as_jsonl, file_name=f"workbench-calls-{stamp}.jsonl",
                          mime="application/jsonl", key=Keys.JSONL, icon=":material/download:",
                          on_click="ignore")


def render_clear(log: UsageLog, call_filter: CallFilter, result: usage_stats.Overview) -> None:
    """Delete calls after a confirmation: the filtered ones, or the whole log."""
    with st.expander("Clear the log"):
        scopes = [f"Only the calls matching the filters ({result.totals.attempts:,} rows)",
                  "The whole log, every call"]
        scope = st.radio("What to delete", scopes, key=Keys.CLEAR_SCOPE,
                         index=0 if not call_filter.is_everything else 1)
        confirmed = st.checkbox("Yes, delete these calls for good (download them first to keep a copy)",
                                key=Keys.CLEAR_CONFIRM)
        if st.button("Delete", key=Keys.CLEAR, disabled=not confirmed, icon=":material/delete:"):
            target = call_filter if scope == scopes[0] else CallFilter()
            removed = log.delete(target)
            st.session_state.pop(Keys.CLEAR_CONFIRM, None)
            st.toast(f"Deleted {removed:,} calls from the log.")
            st.rerun()
