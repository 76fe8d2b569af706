"""Save, open, upload, download and start prompts (*.prompt.json under WORKBENCH_HOME/prompts/)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.session import (
    add_notice, current_prompt, default_model_id, editor_state, replace_prompt, set_current_prompt, variable_values,
)
from components.widget_sync import fill, on_edit
from workbench import prompt_store
from workbench.prompt_store import MAX_UPLOAD_MB, PromptTooLargeError
from workbench.spec import PromptFileError, PromptSpec, dumps_prompt, new_prompt
from workbench.templating import find_variables



def spec_to_save() -> PromptSpec:
    """The current prompt with the values typed for its variables stored as their defaults."""
    spec = current_prompt()
    values = variable_values()
    defaults = {name: values[name] for name in find_variables(spec.request) if values.get(name)}
    for name, default in spec.variables.items():
        defaults.setdefault(name, default)
    return dataclasses.replace(spec, variables=defaults)


def save_current_prompt(*, replace: bool = False) -> Path | None:
    """Write the current prompt to WORKBENCH_HOME/prompts/<name>.prompt.json; notices say what happened.

    A file that holds another prompt (not the one opened or last saved here) is only replaced after
    the user confirms (`replace=True`): two names can map to one file name ("A/B" and "a-b").
    """
    spec = spec_to_save()
    path = prompt_store.path_for(spec.name)
    state = editor_state()
    if path.exists() and not replace and path.name != state.file_name:
        state.overwrite_pending = path.name
        return None
    state.overwrite_pending = None
    try:
        path = prompt_store.save(spec)
    except (PromptFileError, OSError) as error:
        add_notice("error", f"Not saved: {error}")
        return None
    state.file_name = path.name
    add_notice("success", f"Saved as `{path}`.")
    return path


def _on_save() -> None:
    save_current_prompt()


def _on_replace() -> None:
    save_current_prompt(replace=True)


def _on_keep_other() -> None:
    editor_state().overwrite_pending = None


def open_prompt_file(filename: str) -> bool:
    """Load a saved prompt by file name; a bad file is refused with the core's message and the current prompt kept."""
    try:
        spec = prompt_store.open_saved(filename)
    except PromptFileError as error:
        add_notice("error", f"Not opened: {error}. The current prompt is unchanged.")
        return False
    replace_prompt(spec)
    editor_state().file_name = filename
    add_notice("success", f"Opened `{filename}`.")
    return True


def load_uploaded_prompt(data: bytes, filename: str) -> bool:
    """What the uploader calls: parse and validate the bytes; a bad file leaves the prompt as it was."""
    try:
        spec = prompt_store.read_upload(data, filename)
    except (PromptTooLargeError, PromptFileError) as error:
        add_notice("error", f"Not loaded: {error}. The current prompt is unchanged.")
        return False
    replace_prompt(spec)
    add_notice("success", f"Loaded `{filename}`.")
    return True


def _on_upload() -> None:
    uploaded = st.session_state.get(Keys.UPLOAD)
    if uploaded is not None:
        load_uploaded_prompt(uploaded.getvalue(), uploaded.name)


def _on_open() -> None:
    choice = st.session_state.get(Keys.OPEN_CHOICE)
    if choice:
        open_prompt_file(choice)


def _on_name_change() -> None:
    editor_state().overwrite_pending = None
    name = st.session_state[Keys.PROMPT_NAME].strip() or "untitled"
    set_current_prompt(dataclasses.replace(current_prompt(), name=name))


def _on_new() -> None:
    replace_prompt(new_prompt(default_model_id()))
    add_notice("info", "Started a new prompt.")


def render_file_bar() -> None:
    """Name, Save, Download, Open (saved list and upload) and New, in one row."""
    fill(Keys.PROMPT_NAME, current_prompt().name)
    name_column, save_column, download_column, open_column, new_column = st.columns(
        [4, 1, 1.3, 1, 1], vertical_alignment="bottom")
    with name_column:
        st.text_input("Prompt name", key=Keys.PROMPT_NAME, on_change=on_edit(Keys.PROMPT_NAME, _on_name_change))
    with save_column:
        st.button("Save", key=Keys.SAVE, icon=":material/save:", on_click=_on_save,
                  help="Save to WORKBENCH_HOME/prompts/ as <name>.prompt.json", width="stretch")
    with download_column:
        spec = spec_to_save()
        st.download_button("Download", data=dumps_prompt(spec), file_name=prompt_store.file_name(spec.name),
                           mime="application/json", key=Keys.DOWNLOAD, icon=":material/download:",
                           on_click="ignore", width="stretch")
    with open_column:
        with st.popover("Open", icon=":material/folder_open:", width="stretch"):
            paths = prompt_store.list_saved()
            choice_key = Keys.OPEN_CHOICE
            if paths:
                names = [path.name for path in paths]
                if st.session_state.get(choice_key) not in names:
                    st.session_state[choice_key] = names[0]
                st.selectbox("Saved prompts", names, key=choice_key)
                st.button("Open", key=Keys.OPEN, on_click=_on_open, type="primary")
            else:
                st.caption("No saved prompts yet.")
            st.file_uploader("Or upload a .prompt.json file", type=["json"], key=Keys.UPLOAD,
                             on_change=_on_upload, max_upload_size=MAX_UPLOAD_MB)
    with new_column:
        st.button("New", key=Keys.NEW, icon=":material/add:", on_click=_on_new, width="stretch")
    pending = editor_state().overwrite_pending
    if pending:
        with st.container(border=True):
            st.warning(f"`{pending}` already holds another saved prompt. Replace it with this one, or keep it "
                       "and give this prompt another name.")
            with st.container(horizontal=True):
                st.button(f"Replace {pending}", key=Keys.REPLACE_FILE, type="primary",
                          on_click=_on_replace)
                st.button("Keep the saved file", key=Keys.KEEP_FILE, on_click=_on_keep_other)
