"""After a run: continue the conversation, or answer the model's tool calls with tool_result blocks."""
from __future__ import annotations

import json

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.session import add_notice, current_prompt, editor_state
from components.widget_sync import apply_edit, drop_draft, input_errors, keep_draft, restore_draft, set_input_error
from workbench import request_edits as edits
from workbench.runner import RunResult
from workbench.spec import loads_strict_json
from workbench.tool_form import release_forced_tool_choice


def _on_continue(result: RunResult) -> None:
    text_key = Keys.NEXT_USER_TEXT
    next_text = st.session_state.get(text_key, "")
    apply_edit(edits.append_reply, result.content)
    apply_edit(edits.add_message, "user", next_text)
    st.session_state[text_key] = ""  # allowed: callbacks run before the widget renders again
    drop_draft(text_key)
    state = editor_state()
    state.last_run = None  # the reply now lives in the prompt
    if next_text.strip():
        state.run_requested = True


def _tool_result_content(text: str, as_json: bool) -> tuple[str | None, str | None]:
    """The tool_result content to send, or an error sentence when "JSON" was chosen and it isn't."""
    if not as_json:
        return text, None
    try:
        return json.dumps(loads_strict_json(text), ensure_ascii=False), None
    except json.JSONDecodeError as error:
        return None, f"is not valid JSON ({error.msg}, line {error.lineno} column {error.colno})"
    except ValueError as error:  # NaN / Infinity
        return None, f"is not valid JSON ({error})"


def _on_send_tool_results(result: RunResult) -> None:
    form_key = Keys.TOOL_RESULTS_FORM
    set_input_error(form_key, None)
    answers = []
    for index, call in enumerate(result.tool_uses):
        text = st.session_state.get(Keys.tool_result(index, "content"), "") or ""
        as_json = st.session_state.get(Keys.tool_result(index, "format")) == "JSON"
        content, problem = _tool_result_content(text, as_json)
        if problem:
            set_input_error(form_key, f"The result for `{call['name']}` {problem}. Nothing was sent: fix it, "
                                      "or choose text, and send again.")
            return
        is_error = bool(st.session_state.get(Keys.tool_result(index, "is_error")))
        answers.append(edits.ToolResultInput(tool_use_id=call["id"], content=content, is_error=is_error))
    apply_edit(edits.append_tool_results, result.content, answers)
    if release_forced_tool_choice(current_prompt().request)[1]:
        apply_edit(lambda request: release_forced_tool_choice(request)[0])
        add_notice("info", "tool_choice was forcing a tool, so it is back to auto: with the tool results in, "
                           "the model can now give its final answer instead of calling the tool again.")
    # The next reply's tool calls get a fresh form, not this one's answers.
    for index in range(len(result.tool_uses)):
        for field in ("content", "format", "is_error"):
            st.session_state.pop(Keys.tool_result(index, field), None)
    state = editor_state()
    state.last_run = None
    state.run_requested = True


def render_tool_result_form(result: RunResult) -> None:
    """One section per tool call (result text or JSON, error flag) and a button that sends them all."""
    st.markdown("**The model wants to use tools.** Run them yourself and paste what they returned:")
    with st.form(Keys.TOOL_RESULTS_FORM, border=True):
        for index, call in enumerate(result.tool_uses):
            st.markdown(f"`{call['name']}` · `{json.dumps(call['input'], ensure_ascii=False)[:200]}`")
            st.text_area("Result", key=Keys.tool_result(index, "content"), height=80,
                         placeholder="What the tool returned")
            format_column, error_column = st.columns(2)
            format_column.segmented_control("Format", ["text", "JSON"], default="text", required=True,
                                            key=Keys.tool_result(index, "format"))
            error_column.checkbox("The tool failed (is_error)", key=Keys.tool_result(index, "is_error"))
        # Shown inside the form, next to what needs fixing (not at the top of the page).
        form_error = input_errors().get(Keys.TOOL_RESULTS_FORM)
        if form_error:
            st.error(form_error)
        st.form_submit_button("Send tool results and run", type="primary",
                              key=Keys.SEND_TOOL_RESULTS, on_click=_on_send_tool_results, args=(result,))


def render_continue(result: RunResult) -> None:
    """The next step after a reply: tool results when it stopped on tool_use, else the next user turn."""
    if not result.ok or not result.content:
        return
    if result.stop_reason == "tool_use" and result.tool_uses:
        render_tool_result_form(result)
        return
    text_key = Keys.NEXT_USER_TEXT
    restore_draft(text_key)  # a message typed before visiting another page is still here
    st.text_area("Continue the conversation", key=text_key, height=68, on_change=keep_draft, args=(text_key,),
                 placeholder="Your next message. The reply above is added to the prompt as an assistant turn.")
    st.button("Continue", key=Keys.CONTINUE, on_click=_on_continue, args=(result,),
              help="Add the reply as an assistant turn and your message as the next user turn, then run. "
                   "With an empty message, only the turns are added.")
