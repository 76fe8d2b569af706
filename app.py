"""Workbench: a prompt workbench for the Claude Messages API. `streamlit run app.py`."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from components.page_errors import run_page_safely
from components.session import setup_state
from components.sidebar import render_sidebar

# A local file: a :material: page icon makes the browser fetch the favicon from a font CDN.
st.set_page_config(page_title="Workbench", page_icon=str(Path(__file__).parent / "assets" / "favicon.png"),
                   layout="wide")
setup_state()

# Every page listed explicitly; the Editor is where people start.
navigation = st.navigation([
    st.Page("app_pages/editor.py", title="Editor", icon=":material/edit_note:", default=True),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/tools.py", title="Tools", icon=":material/build:"),
    st.Page("app_pages/usage.py", title="Usage", icon=":material/monitoring:"),
])
render_sidebar()
run_page_safely(navigation.run)
