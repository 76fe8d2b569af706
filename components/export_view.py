"""Export code: a prompt as Python, TypeScript or curl, highlighted with a copy button, and a download per language.

Reusable: the Editor, each Compare column and a logged call each render one, with their own
ExportKeys (components/page_state.py).
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from components.page_state import ExportKeys
from components.session import backend_or_error
from workbench.codegen import LANGUAGES, CodegenError, export_base_url, export_snippet, language_label
from workbench.spec import PromptFileError, loads_strict_json, validate_request
from workbench.templating import MissingVariableError, find_variables


def render_export(request: dict, values: Mapping[str, object] | None, *, keys: ExportKeys, name: str = "untitled",
                  headers: Mapping[str, str] | None = None, templated: bool = True) -> None:
    """Options (stream, keep variables) and one tab per language with the code and its download button.

    `templated=False`: `request` is what was sent (a logged call), so {{...}} in it is plain text.
    """
    has_variables = templated and bool(find_variables(request))
    left, right = st.columns(2)
    stream = left.toggle("Stream the reply", value=True, key=keys.stream,
                         help="Print the reply as it arrives, as Workbench does (the request says \"stream\": true).")
    keep_variables = right.toggle("Variables as parameters", value=False, key=keys.keep_variables,
                                  disabled=not has_variables,
                                  help="Keep each {{variable}} as a parameter of a function that fills it in, "
                                       "instead of writing today's value into the text."
                                  if has_variables else "This prompt has no {{variables}}.")
    backend, _ = backend_or_error()
    base_url = export_base_url(backend.kind, backend.base_url) if backend is not None else None
    for language, tab in zip(LANGUAGES, st.tabs([language_label(language) for language in LANGUAGES])):
        with tab:
            try:
                snippet = export_snippet(request, values, language, stream=stream, keep_variables=keep_variables,
                                         base_url=base_url, headers=headers, name=name, templated=templated)
            except MissingVariableError as missing:
                st.info(f"Give every variable a value to export this prompt: {missing}.", icon=":material/edit:")
                continue
            except CodegenError as problem:
                st.warning(f"This prompt can't be written as {language_label(language)}: {problem}.")
                continue
            st.code(snippet.code, language=snippet.highlight, line_numbers=False)
            st.download_button(f"Download {snippet.file_name}", data=snippet.code, file_name=snippet.file_name,
                               mime=snippet.mime_type, key=keys.download(language), icon=":material/download:",
                               on_click="ignore")
    notes = ["The code reads the key from `ANTHROPIC_API_KEY`; it never contains one."]
    if base_url is not None:
        notes.append(f"It calls this workbench's custom endpoint, `{base_url}`.")
    st.caption(" ".join(notes))


def render_call_export(request_json: str, *, keys: ExportKeys, name: str | None = None) -> None:
    """A logged call as code: its request exactly as it was sent, variables already filled in."""
    try:
        request = loads_strict_json(request_json)
    except ValueError as error:
        st.warning(f"This call's logged request is not valid JSON, so it can't be exported ({error}).")
        return
    if isinstance(request, dict):
        request = {key: value for key, value in request.items() if key != "stream"}  # the Stream switch decides
    try:
        validate_request(request, "this call's request")
    except PromptFileError as error:
        st.warning(f"This call's request can't be exported: {error.json_path}: {error.problem}.")
        return
    render_export(request, None, keys=keys, name=name or "logged call", templated=False)


def render_export_panel(request: dict, values: Mapping[str, object] | None, *, keys: ExportKeys,
                        name: str = "untitled", headers: Mapping[str, str] | None = None) -> None:
    """The export view folded into an "Export code" expander, generated only while it is open."""
    # A closed expander's content would still be built and sent on every rerun (each keystroke in
    # the Editor): with on_change="rerun" Streamlit tracks whether it is open, so it can be skipped.
    with st.expander("Export code", icon=":material/code:", key=keys.open, on_change="rerun") as panel:
        if panel.open:
            render_export(request, values, keys=keys, name=name, headers=headers)
