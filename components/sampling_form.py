"""Temperature, top_p and top_k: offered only for the models that take them (the rule book says which)."""
from __future__ import annotations

import streamlit as st

from components.page_state import EditorKeys as Keys
from components.session import current_prompt
from components.widget_sync import apply_edit, fill, on_edit
from workbench import preflight
from workbench import request_edits as edits
from workbench.models import ModelEntry

# A parameter switched on starts at the value that changes least: the API's defaults.
STARTING_VALUES = {"temperature": 1.0, "top_p": 0.99, "top_k": 40}


def _on_toggle(name: str, toggle_key: str) -> None:
    apply_edit(edits.set_sampling, name, STARTING_VALUES[name] if st.session_state[toggle_key] else None)


def render_sampling(entry: ModelEntry | None) -> None:
    """One switch and value per sampling parameter the model accepts; the others are disabled and say why."""
    request = current_prompt().request
    options = preflight.model_options(entry, str(request.get("model", "")))
    offered = options.sampling_parameters
    if not offered:
        st.caption(f"{options.display_name} takes no sampling parameters (temperature, top_p, top_k): "
                   "the API refuses them on this model.")
    else:
        st.caption("Sampling, sent in the request body (the SDK 2.x has no arguments for them, so they go "
                   "through extra_body).")
    for first, second in options.forbidden_sampling_pairs:
        st.caption(f"{options.display_name} refuses {first} and {second} together: set one of them.")
    columns = st.columns(len(preflight.SAMPLING_RANGES))
    for column, (name, (low, high)) in zip(columns, preflight.SAMPLING_RANGES.items()):
        toggle_key, value_key = Keys.sampling(name, "on"), Keys.sampling(name)
        with column:
            fill(toggle_key, name in request)
            st.toggle(name, key=toggle_key, on_change=on_edit(toggle_key, _on_toggle, name, toggle_key),
                      disabled=name not in offered and name not in request)
            if name not in request:
                continue
            value = request[name]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or value < low or (high is not None and value > high) or (name == "top_k" and value != int(value)):
                st.caption(f"{value!r} cannot be set here: fix it in Request JSON.")  # the rule book names it too
                continue
            fill(value_key, int(value) if name == "top_k" else float(value))
            if name == "top_k":
                st.number_input(name, min_value=int(low), step=1, key=value_key, label_visibility="collapsed",
                                on_change=on_edit(value_key, lambda key=value_key: apply_edit(
                                    edits.set_sampling, "top_k", st.session_state[key])))
            else:
                st.number_input(name, min_value=float(low), max_value=float(high), step=0.05, format="%.2f",
                                key=value_key, label_visibility="collapsed",
                                on_change=on_edit(value_key, lambda key=value_key, param=name: apply_edit(
                                    edits.set_sampling, param, st.session_state[key])))
