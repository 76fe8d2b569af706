"""Workbench: a prompt workbench for the Claude Messages API. `streamlit run app.py`."""
from __future__ import annotations

import streamlit as st

from components.page_errors import run_page_safely
from components.session import begin_start, finish_start, setup_state
from components.sidebar import render_sidebar

# An emoji: the browser draws it as an inline SVG. Without a page icon the browser fetches the
# Editor's :material: icon from a font CDN as the favicon, and an image file makes Streamlit load PIL
# and numpy before the first page is drawn.
st.set_page_config(page_title="Workbench", page_icon="🛠️", layout="wide")
begin_start()  # a cold server draws the page first and loads the SDK, simulator and catalog after
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
finish_start()
