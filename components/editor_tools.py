"""The Editor's Tools section: the prompt's tools, adding from the library or the builder, and tool_choice."""
from __future__ import annotations

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.page_state import ToolSlot
from components.prompt_form import cache_control
from components.session import current_prompt, editor_state
from components.tool_builder import render_tool_builder
from components.tools_page import builder_slot, notify
from components.widget_sync import apply_edit, fill, on_edit
from workbench import preflight, request_edits as edits, tool_form
from workbench.models import ModelEntry
from workbench.tool_library import library_entries
from workbench.tool_trials import tool_choice_param
from workbench.tools_schema import errors_in, validate_tool

CHOICE_LABELS = {"auto": "auto: the model decides", "any": "any: must call one of the tools",
                 "none": "none: no tool calls"}


def _choice_value(request: dict) -> str:
    """The tool_choice as the control shows it: auto, any, none, or tool:<name>."""
    choice = request.get("tool_choice")
    if not isinstance(choice, dict):
        return "auto"
    if choice.get("type") == "tool":
        return f"tool:{choice.get('name')}"
    return str(choice.get("type") or "auto")


def _on_choice(key: str) -> None:
    value = st.session_state[key]
    kind, _, name = value.partition(":")
    apply_edit(tool_form.set_tool_choice, tool_choice_param(kind, name or None))


def _attach(tool: dict) -> None:
    apply_edit(lambda request: tool_form.attach_tool(request, tool)[0])


def _editor_builder() -> ToolSlot:
    return editor_state().tool_builder


def _add_from_library() -> None:
    path = st.session_state.get(Keys.TOOL_LIBRARY_PICK)
    entry = next((entry for entry in library_entries() if str(entry.path) == path), None)
    if entry is not None and entry.tool is not None:
        _attach(entry.tool)


def _add_built() -> None:
    _attach(_editor_builder().tool)
    editor_state().tool_builder = ToolSlot()


def render_tools_section(entry: ModelEntry | None) -> None:
    """The prompt's tools (each checked), add from the library or build one, and the tool_choice control."""
    spec = current_prompt()
    request = spec.request
    tools = request.get("tools") or []
    options = preflight.model_options(entry, spec.model)
    label_column, cache_column = st.columns([1, 1], vertical_alignment="center")
    label_column.markdown(f"**Tools** ({len(tools)})")
    if tools:
        cache_key = Keys.TOOLS_CACHE
        fill(cache_key, edits.cache_ttl(request, "tools") or "off")
        with cache_column.container(horizontal=True, horizontal_alignment="right"):
            cache_control(cache_key, "tools", label="Tools cache", collapsed=True)
    for index, tool in enumerate(tools):
        _render_attached(index, tool)
    # Built only while open, like the settings above it: the builder is most of the Editor's widgets.
    with st.expander("Add a tool", key=Keys.ADD_TOOL_OPEN, on_change="rerun") as add_panel:
        if add_panel.open:
            _render_add(options)
    if tools:
        _render_tool_choice(request, tools, options)


def _render_attached(index: int, tool: object) -> None:
    name = tool.get("name", "?") if isinstance(tool, dict) else "?"
    errors = errors_in(validate_tool(tool))
    with st.container(border=True, key=Keys.tool(index)):
        text_column, buttons_column = st.columns([4, 1.2], vertical_alignment="center")
        kind = tool.get("type") if isinstance(tool, dict) and tool.get("type") not in (None, "custom") else None
        text_column.markdown(f":material/build: `{name}`" + (f" · server tool {kind}" if kind else "")
                             + (" · strict" if isinstance(tool, dict) and tool.get("strict") else ""))
        description = str(tool.get("description") or "") if isinstance(tool, dict) else ""
        if description:
            text_column.caption(description[:160] + ("…" if len(description) > 160 else ""))
        if errors:
            text_column.caption(f":material/error: {len(errors)} problem(s): the list above Run says what to fix.")
        with buttons_column.container(horizontal=True, horizontal_alignment="right", gap="small"):
            if st.button("", key=Keys.tool(index, "edit"), icon=":material/open_in_new:", type="tertiary",
                         help="Open it on the Tools page (to edit, try it on models, then attach it again)",
                         disabled=not isinstance(tool, dict)):
                builder_slot().tool = tool
                notify("info", f"Opened `{name}` from the Editor's prompt. Attach it again to put your changes there.")
                st.switch_page("app_pages/tools.py")
            st.button("", key=Keys.tool(index, "remove"), icon=":material/delete:", type="tertiary",
                      help="Remove this tool from the prompt", on_click=apply_edit,
                      args=(tool_form.detach_tool, index))


def _render_add(options: preflight.ModelOptions) -> None:
    entries = [entry for entry in library_entries() if entry.tool is not None and entry.problem is None]
    pick_key = Keys.TOOL_LIBRARY_PICK
    pick_column, add_column = st.columns([3, 1], vertical_alignment="bottom")
    pick_column.selectbox("From the tool library", [str(entry.path) for entry in entries], key=pick_key,
                          format_func=lambda path: next(entry.name for entry in entries if str(entry.path) == path),
                          placeholder="No saved tools yet: build one below or on the Tools page",
                          index=0 if entries else None)
    add_column.button("Add", key=Keys.ADD_LIBRARY_TOOL, disabled=not entries, width="stretch",
                      on_click=_add_from_library)
    st.markdown("Or build one:")
    strict_note = None if options.structured_outputs or not options.known else \
        f"{options.display_name} has no structured outputs, so it refuses strict tools."
    # Findings appear once something is typed: an untouched builder is not a problem of the prompt.
    started = _editor_builder().tool != tool_form.new_tool()
    findings = render_tool_builder(_editor_builder, Keys.TOOL_BUILDER, strict_allowed=options.structured_outputs
                                   or not options.known, strict_note=strict_note, show_findings=started)
    has_errors = not started or bool(errors_in(findings))
    st.button("Add this tool to the prompt", key=Keys.ADD_BUILT_TOOL, type="primary",
              icon=":material/add:", disabled=has_errors, on_click=_add_built,
              help="Fix the errors first." if has_errors and started else None)


def _render_tool_choice(request: dict, tools: list, options: preflight.ModelOptions) -> None:
    key = Keys.TOOL_CHOICE
    names = [tool["name"] for tool in tools if isinstance(tool, dict) and isinstance(tool.get("name"), str)
             and tool.get("type") in (None, "custom")]
    allowed = options.allowed_tool_choices
    choices = [kind for kind in ("auto", "any") if kind in allowed]
    if "tool" in allowed:
        choices += [f"tool:{name}" for name in names]
    choices += ["none"] if "none" in allowed else []
    current = _choice_value(request)
    if current not in choices:
        choices.append(current)  # shown, so the problem list above Run can explain it
    fill(key, current)
    st.selectbox("tool_choice", choices, key=key, on_change=on_edit(key, _on_choice, key),
                 format_func=lambda value: CHOICE_LABELS.get(value, f"the tool {value[5:]} (forced)"
                                                             if value.startswith("tool:") else value),
                 help="How the model may use the tools. Forcing a tool is the classic way to get structured "
                      "output from models that accept it.")
    if options.forced_tool_choice or not options.known:
        return
    st.caption(f":material/block: {options.display_name} refuses forced tool use (tool_choice any or a named "
               "tool), so those choices are not offered.")
    if not options.structured_outputs or not names:
        return
    pick_key, button_key = Keys.STRUCTURED_TOOL, Keys.STRUCTURED_INSTEAD
    pick_column, button_column = st.columns([2, 3], vertical_alignment="bottom")
    pick_column.selectbox("Structured output from", names, key=pick_key)
    button_column.button("Ask for its input as structured output instead", key=button_key,
                         icon=":material/data_object:",
                         on_click=lambda: apply_edit(tool_form.structured_output_instead, st.session_state[pick_key]),
                         help="Replaces the tool with output_config.format set to its input_schema (objects "
                              "closed with additionalProperties: false): the reply is JSON matching it.")
