"""The tool builder: a form and the raw JSON as two views of one tool object, with live findings.

Used by the Tools page and by the Editor's Tools section, each with its own ToolSlot (where the
tool object lives, in that page's state) and BuilderKeys. Every widget is filled from the tool on
render and writes back through a pure edit from `workbench.tool_form`; JSON the form cannot
express is shown read-only and left as it is.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import streamlit as st

from components.page_state import BuilderKeys, ToolSlot
from components.widget_sync import fill, input_errors, is_stale_echo, set_input_error
from workbench import tool_form
from workbench.spec import loads_strict_json
from workbench.tool_inference import InferenceError, function_names, tool_from_example, tool_from_python
from workbench.tools_schema import Finding, validate_tool

SlotGetter = Callable[[], ToolSlot]  # the slot is read when a callback runs, not when it was registered

KIND_LABELS = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean",
               "enum": "enum", "array": "array", "object": "object"}
MAX_DEPTH = 4  # nesting the form shows; deeper parts are edited in the JSON view


def _apply(slot: SlotGetter, keys: BuilderKeys, widget_key: str, edit: Callable[..., dict], *args: Any) -> None:
    """Replace the tool with edit(tool, *args); a ValueError/KeyError is shown next to the widget."""
    try:
        slot().tool = edit(slot().tool, *args)
    except (ValueError, KeyError) as error:
        set_input_error(widget_key, str(error).strip("'\""))
        return
    set_input_error(widget_key, None)
    set_input_error(keys.json, None)  # the JSON view now shows the new tool


def _show_error(key: str) -> None:
    if key in input_errors():
        st.error(input_errors()[key])


# --- the form ---------------------------------------------------------------------------------------

def _on_text(slot: SlotGetter, keys: BuilderKeys, key: str, edit: Callable[..., dict], *args: Any) -> None:
    if is_stale_echo(key):
        return
    _apply(slot, keys, key, edit, *args, st.session_state[key])


def _on_parsed(slot: SlotGetter, keys: BuilderKeys, key: str, parse: Callable[[str], Any], edit: Callable[..., dict], *args: Any) -> None:
    if is_stale_echo(key):
        return
    try:
        value = parse(st.session_state[key])
    except ValueError as error:
        set_input_error(key, str(error))
        return
    _apply(slot, keys, key, edit, *args, value)


def render_tool_fields(slot: SlotGetter, keys: BuilderKeys, *, strict_allowed: bool | None = None,
                       strict_note: str | None = None) -> None:
    """Name, description and strict, then the parameters."""
    tool = slot().tool
    name_key, description_key, strict_key = keys.name, keys.description, keys.strict
    fill(name_key, str(tool.get("name") or ""))
    fill(description_key, str(tool.get("description") or ""))
    fill(strict_key, tool.get("strict") is True)
    st.text_input("Tool name", key=name_key, placeholder="get_weather",
                  on_change=_on_text, args=(slot, keys, name_key, tool_form.set_tool_field, "name"),
                  help="Letters, digits, _ and -; at most 64 characters. The model calls the tool by this name.")
    st.text_area("Description", key=description_key, height=90,
                 placeholder="What the tool does, when to use it (and when not), what it returns.",
                 on_change=_on_text, args=(slot, keys, description_key, tool_form.set_tool_field, "description"))
    st.toggle("Strict (inputs guaranteed to match the schema)", key=strict_key,
              disabled=strict_allowed is False and tool.get("strict") is not True,
              on_change=_on_text, args=(slot, keys, strict_key, tool_form.set_strict),
              help="strict: true. Needs additionalProperties: false on every object (added when you turn it on) "
                   "and a model with structured outputs.")
    if strict_note:
        st.caption(strict_note)
    st.markdown("**Parameters**")
    _render_params(slot, keys, (), 0)
    extra = tool_form.unexpressed_keys(tool)
    if extra:
        st.caption("Also in input_schema (edit in JSON; kept as it is):")
        st.code(json.dumps(extra, indent=2, ensure_ascii=False), language="json")


def _render_params(slot: SlotGetter, keys: BuilderKeys, parent: tool_form.ParamPath, depth: int) -> None:
    tool = slot().tool
    for param in tool_form.params(tool, parent):
        with st.container(border=True, key=keys.param(param.path, "box").replace("/", "-")):
            _render_param(slot, keys, param, depth)
    add_key = keys.param(parent, "add")
    st.button("Add field" if parent else "Add parameter", key=add_key, icon=":material/add:",
              on_click=_apply, args=(slot, keys, add_key, tool_form.add_param, parent))
    _show_error(add_key)


def _render_param(slot: SlotGetter, keys: BuilderKeys, param: tool_form.Param, depth: int) -> None:
    path = param.path
    widget = {field: keys.param(path, field) for field in
            ("name", "kind", "required", "remove", "description", "default", "enum", "items", "format", "json")}
    name_column, kind_column, required_column, remove_column = st.columns([2.6, 2, 1.7, 0.5],
                                                                          vertical_alignment="bottom")
    fill(widget["name"], param.name)
    name_column.text_input("Name", key=widget["name"],
                           on_change=_on_text, args=(slot, keys, widget["name"], tool_form.rename_param, path))
    if param.kind == tool_form.ADVANCED:
        kind_column.text_input("Type", value="advanced (JSON)", disabled=True, key=widget["kind"])
    else:
        fill(widget["kind"], param.kind)
        kind_column.selectbox("Type", tool_form.PARAM_KINDS, key=widget["kind"], format_func=KIND_LABELS.get,
                              on_change=_on_text, args=(slot, keys, widget["kind"], tool_form.set_kind, path))
    fill(widget["required"], param.required)
    required_column.checkbox("Required", key=widget["required"],
                             on_change=_on_text, args=(slot, keys, widget["required"], tool_form.set_required, path))
    remove_column.button("", key=widget["remove"], icon=":material/delete:", help="Remove this parameter",
                         type="tertiary", on_click=_apply, args=(slot, keys, widget["remove"], tool_form.remove_param, path))
    _show_error(widget["name"])
    if param.kind == tool_form.ADVANCED:
        st.caption("This schema uses JSON Schema the form doesn't edit (e.g. oneOf, anyOf, $ref): shown as it "
                   "is, edit it in the JSON view.")
        st.code(json.dumps(param.schema, indent=2, ensure_ascii=False), language="json")
        return
    schema: dict = param.schema  # type: ignore[assignment]
    fill(widget["description"], str(schema.get("description") or ""))
    st.text_input("Description", key=widget["description"], placeholder="What the value means; units, an example.",
                  on_change=_on_text, args=(slot, keys, widget["description"], tool_form.set_constraint, path,
                                            "description"))
    kind = param.kind
    if kind == "enum" or (kind == "array" and tool_form.item_kind(schema) == "enum"):
        target = schema if kind == "enum" else schema.get("items", {})
        fill(widget["enum"], tool_form.enum_values_text(target.get("enum")))
        st.text_area("Allowed values (one per line)", key=widget["enum"], height=80,
                     on_change=_on_parsed, args=(slot, keys, widget["enum"], tool_form.enum_values_from_text,
                                                 tool_form.set_enum_values, path))
    if kind == "array":
        item = tool_form.item_kind(schema)
        if item == tool_form.ADVANCED:
            st.caption("Items use JSON Schema the form doesn't edit: see the JSON view.")
        else:
            fill(widget["items"], item)
            st.selectbox("Items are", tool_form.ITEM_KINDS, key=widget["items"], format_func=KIND_LABELS.get,
                         on_change=_on_text, args=(slot, keys, widget["items"], tool_form.set_item_kind, path))
    _render_constraints(slot, keys, param, schema)
    if kind != "object":
        fill(widget["default"], tool_form.default_text(kind, schema.get("default")))
        st.text_input("Default (optional)", key=widget["default"],
                      on_change=_on_parsed, args=(slot, keys, widget["default"],
                                                  lambda text, kind=kind: tool_form.default_from_text(kind, text),
                                                  tool_form.set_constraint, path, "default"))
        _show_error(widget["default"])
    if param.has_children:
        if depth + 1 >= MAX_DEPTH:
            st.caption("Deeper fields: edit them in the JSON view.")
            return
        st.caption("Fields of each item:" if kind == "array" else "Fields:")
        _render_params(slot, keys, path, depth + 1)


def _render_constraints(slot: SlotGetter, keys: BuilderKeys, param: tool_form.Param, schema: dict) -> None:
    constraints = tool_form.CONSTRAINTS.get(param.kind, ())
    if not constraints:
        return
    columns = st.columns(len(constraints))
    for column, (keyword, label) in zip(columns, constraints):
        key = keys.param(param.path, keyword)
        with column:
            if keyword == "format":
                current = str(schema.get("format") or "")
                options = list(tool_form.STRING_FORMATS) + ([current] if current not in tool_form.STRING_FORMATS else [])
                fill(key, current)
                st.selectbox(label, options, key=key, format_func=lambda option: option or "any",
                             on_change=_on_text, args=(slot, keys, key, tool_form.set_constraint, param.path, "format"))
            elif keyword == "pattern":
                fill(key, str(schema.get("pattern") or ""))
                st.text_input(label, key=key, placeholder="regex",
                              on_change=_on_text, args=(slot, keys, key, tool_form.set_constraint, param.path, "pattern"))
            else:
                value = schema.get(keyword)
                fill(key, "" if value is None else str(value))
                st.text_input(label, key=key,
                              on_change=_on_parsed,
                              args=(slot, keys, key, lambda text, kind=param.kind, keyword=keyword:
                                    tool_form.number_from_text(kind, keyword, text),
                                    tool_form.set_constraint, param.path, keyword))
            _show_error(key)


# --- the JSON view -------------------------------------------------------------------------------------

def tool_json_text(tool: dict) -> str:
    return json.dumps(tool, indent=2, ensure_ascii=False)


def _on_json(slot: SlotGetter, key: str) -> None:
    if is_stale_echo(key):  # the JSON of the tool before the last edit in the form
        return
    text = st.session_state[key]
    try:
        value = loads_strict_json(text)
    except json.JSONDecodeError as error:
        set_input_error(key, f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}). The form "
                             "still shows the last valid tool.")
        return
    except (ValueError, RecursionError) as error:
        set_input_error(key, f"Not valid JSON: {error}. The form still shows the last valid tool.")
        return
    if not isinstance(value, dict):
        set_input_error(key, 'A tool is a JSON object: {"name": ..., "description": ..., "input_schema": {...}}.')
        return
    set_input_error(key, None)
    slot().tool = value


def render_tool_json(slot: SlotGetter, keys: BuilderKeys) -> None:
    """The tool object as JSON, editable; applied when the box loses focus (or Ctrl+Enter)."""
    key = keys.json
    fill(key, tool_json_text(slot().tool))
    st.text_area("Tool JSON", key=key, height=360, label_visibility="collapsed",
                 on_change=_on_json, args=(slot, key),
                 help="The API's own tool object. Edits apply when you click outside the box (or press Ctrl+Enter).")
    _show_error(key)


# --- inference -----------------------------------------------------------------------------------------

def _on_infer(slot: SlotGetter, keys: BuilderKeys) -> None:
    text = st.session_state.get(keys.infer_text) or ""
    try:
        if st.session_state.get(keys.infer_source) == "Python function":
            inferred = tool_from_python(text, st.session_state.get(keys.infer_function) or None)
        else:
            try:
                example = loads_strict_json(text)
            except ValueError as error:
                raise InferenceError(f"The example is not valid JSON: {error}.") from None
            current = slot().tool
            inferred = tool_from_example(example, name=str(current.get("name") or "my_tool"),
                                         description=str(current.get("description") or ""))
    except InferenceError as error:
        set_input_error(keys.infer_text, str(error))
        return
    set_input_error(keys.infer_text, None)
    set_input_error(keys.json, None)
    slot().tool = inferred.tool
    slot().infer_notes = ["Inferred: the form and JSON now show it."] + inferred.notes


def render_infer(slot: SlotGetter, keys: BuilderKeys) -> None:
    """Infer the schema from an example input (JSON) or a Python function (parsed, never run)."""
    st.segmented_control("Infer from", ["Example JSON", "Python function"], key=keys.infer_source,
                         default="Example JSON", required=True)
    python = st.session_state.get(keys.infer_source) == "Python function"
    st.text_area("Python source" if python else "Example input (a JSON object)", key=keys.infer_text, height=180,
                 placeholder=('def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict:\n'
                              '    """Get the weather for a city."""' if python else
                              '{"city": "Paris", "days": 3, "units": "metric"}'))
    if python:
        try:
            names = function_names(st.session_state.get(keys.infer_text) or "")
        except InferenceError:
            names = []
        if names:
            st.selectbox("Function", names, key=keys.infer_function)
        st.caption("The source is parsed, never run or imported.")
    st.button("Infer the schema", key=keys.infer, icon=":material/auto_fix_high:",
              on_click=_on_infer, args=(slot, keys),
              help="Replaces the tool being built with the inferred one.")
    _show_error(keys.infer_text)
    for note in slot().infer_notes:
        st.caption(f":material/info: {note}")


# --- findings -----------------------------------------------------------------------------------------

def render_findings(findings: list[Finding]) -> None:
    """Errors (the API refuses the tool) and warnings (a model will call it badly), each with path and fix."""
    errors = [finding for finding in findings if finding.is_error]
    warnings = [finding for finding in findings if not finding.is_error]
    if not errors:
        st.success("Valid: the API accepts this tool." + (f" {len(warnings)} warning(s) below." if warnings else ""),
                   icon=":material/check_circle:")
    for finding in errors:
        st.error(f"`{finding.path}` {finding.message} **Fix:** {finding.fix}", icon=":material/error:")
    for finding in warnings:
        st.warning(f"`{finding.path}` {finding.message} **Fix:** {finding.fix}", icon=":material/warning:")


def render_tool_builder(slot: SlotGetter, keys: BuilderKeys, *, strict_allowed: bool | None = None,
                        strict_note: str | None = None, show_findings: bool = True) -> list[Finding]:
    """Form, JSON and Infer tabs over one tool object, then its findings; returns the findings ([] when
    `show_findings` is off)."""
    form_tab, json_tab, infer_tab = st.tabs(["Form", "JSON", "Infer"])
    with form_tab:
        render_tool_fields(slot, keys, strict_allowed=strict_allowed, strict_note=strict_note)
    with json_tab:
        render_tool_json(slot, keys)
    with infer_tab:
        render_infer(slot, keys)
    if not show_findings:
        return []  # not checked either: an untouched builder loads no JSON Schema machinery
    findings = validate_tool(slot().tool)
    render_findings(findings)
    return findings
