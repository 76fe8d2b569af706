"""Tools: build a tool schema (form, JSON, inference), keep it in a library, and prove models call it well."""
from __future__ import annotations

import streamlit as st

from components import session
from components.page_state import ToolsKeys as Keys
from components.tool_builder import render_tool_builder
from components.tools_page import (
    builder_slot, render_library_bar, render_matrix, render_notices, render_trial_settings, render_try,
)
from workbench.pricing import PriceFileError


def render_page() -> None:
    session.setup_state()
    st.title("Tools")
    st.caption("Build a tool, check it against the API's rules, and prove each model calls it with valid input "
               "before you ship it.")
    try:
        session.get_prices()
    except PriceFileError as price_error:
        st.error(f"The price table could not be loaded, so costs can't be shown: {price_error}")
        return
    catalog = session.get_catalog()
    render_library_bar()
    render_notices()
    build_column, prove_column = st.columns([1, 1.1], gap="large")
    with build_column:
        st.subheader("Build")
        findings = render_tool_builder(builder_slot, Keys.BUILDER)
    errors = [finding for finding in findings if finding.is_error]
    blocked = f"Fix the tool's {len(errors)} error(s) first (listed under Build)." if errors else None
    with prove_column:
        st.subheader("Prove")
        models, choice = render_trial_settings(catalog)
        try_tab, matrix_tab = st.tabs(["Try it", "Matrix"])
        with try_tab:
            render_try(models, choice, catalog, blocked)
        with matrix_tab:
            render_matrix(models, choice, catalog, blocked)


render_page()
