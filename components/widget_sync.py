"""Fill widgets from the prompt (non-widget state) and write their edits back through pure core edits."""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable

import streamlit as st

from components.page_state import EditorKeys
from components.session import current_prompt, editor_state, set_current_prompt

_UNSET = object()


# How long after fill() replaced a widget's value the old value, sent back by the browser, counts as
# a stale echo: the browser's requests that left before the new value reached it arrive within a
# moment; a person typing the very same old text again takes longer than this.
ECHO_WINDOW_S = 3.0


def fill(key: str, value: Any) -> None:
    """Put `value` into widget `key` before it renders, only when it differs (keeps reruns quiet)."""
    replaced = editor_state().replaced_values
    shown = st.session_state.get(key, _UNSET)
    echoed = is_stale_echo(key)
    if not echoed:
        replaced.pop(key, None)  # the browser reported something newer: no older copy can follow
    if key in input_errors():
        restore_draft(key)  # the widget shows what was typed, not the prompt's (older) value
        return
    if shown == value:
        return
    st.session_state[key] = value
    if shown is not _UNSET and not echoed:
        replaced[key] = (shown, time.monotonic())


def is_stale_echo(key: str) -> bool:
    """True when widget `key` reports the value fill() replaced in it moments ago: the browser's copy
    from before that run, sent with a rerun it asked for before the new value reached it. Not an edit.

    Without this, an edit made right after another widget changed this one's value (the Tools JSON
    view after the name was typed; every field after New) brought the old value back.
    """
    old = editor_state().replaced_values.get(key)
    return (old is not None and st.session_state.get(key, _UNSET) == old[0]
            and time.monotonic() - old[1] < ECHO_WINDOW_S)


def on_edit(key: str, callback: Callable[..., None], *args: Any) -> Callable[[], None]:
    """The on_change for a filled widget: callback(*args) for an edit; a stale echo changes nothing
    (fill() shows the current value again on this run)."""
    def on_change() -> None:
        if not is_stale_echo(key):
            callback(*args)
    return on_change


def input_errors() -> dict[str, str]:
    """Widget key -> why its text was not applied. While a key has an error, its widget keeps what
    the user typed instead of being refilled from the prompt."""
    return editor_state().input_errors


def set_input_error(key: str, message: str | None) -> None:
    """Record (or with None clear) the problem with what was typed into widget `key`."""
    errors = input_errors()
    if message is None:
        errors.pop(key, None)
        drop_draft(key)
    else:
        errors[key] = message
        keep_draft(key)


def drafts() -> dict[str, str]:
    """Widget key -> typed text not (yet) in the prompt. Widget state is dropped while another page
    is shown; drafts are not, so a page switch loses nothing typed."""
    return editor_state().drafts


def keep_draft(key: str) -> None:
    """Remember what widget `key` holds now (a callback), so a page switch doesn't lose it."""
    if key in st.session_state:
        drafts()[key] = st.session_state[key]


def drop_draft(key: str) -> None:
    """Forget widget `key`'s draft (it was applied, sent or discarded)."""
    drafts().pop(key, None)


def restore_draft(key: str) -> None:
    """Give widget `key` its draft back when its state was dropped (the page was left and reopened)."""
    if key not in st.session_state and key in drafts():
        st.session_state[key] = drafts()[key]


def apply_edit(edit: Callable[..., dict], *args: Any) -> None:
    """Replace the prompt's request with edit(request, *args); used by every form callback."""
    spec = current_prompt()
    set_current_prompt(dataclasses.replace(spec, request=edit(spec.request, *args)))
    # The raw JSON view keeps unapplied typing (see render_request_json); a stale error goes.
    if EditorKeys.RAW_JSON in input_errors():
        set_input_error(EditorKeys.RAW_JSON, None)
