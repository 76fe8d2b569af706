"""Workbench: a prompt workbench for the Claude Messages API. `streamlit run app.py`."""
from __future__ import annotations

import streamlit as st

from components.page_errors import run_page_safely
from components.session import begin_start, finish_start, setup_state
from components.sidebar import render_sidebar

# No icons, for the page or in the navigation: the browser would take a page's :material: icon as
# the favicon and fetch it from a font CDN, and an emoji page icon costs the first run 0.08 s (Streamlit
# loads its emoji catalog to check it). Without them the favicon is Streamlit's own, from this server.
st.set_page_config(page_title="Workbench", layout="wide")
begin_start()  # a cold server draws the page first and loads the SDK, simulator and catalog after
setup_state()

# Every page listed explicitly; the Editor is where people start.
navigation = st.navigation([
    st.Page("app_pages/editor.py", title="Editor", default=True),
    st.Page("app_pages/compare.py", title="Compare"),
    st.Page("app_pages/tools.py", title="Tools"),
    st.Page("app_pages/usage.py", title="Usage"),
])
render_sidebar()
run_page_safely(navigation.run)
finish_start()
