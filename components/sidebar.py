"""The sidebar every page shares: which backend, where the model catalog came from, which prices."""
from __future__ import annotations

import streamlit as st

from components.session import backend_or_error, editor_state, get_catalog, get_prices, starting_up
from workbench.pricing import PriceFileError


def render_sidebar() -> None:
    """Backend in words, catalog source, price-table version, and any key problem seen so far."""
    with st.sidebar:
        if starting_up():  # drawn again in a moment, once the backend and the catalog are loaded
            st.markdown("**Backend**  \nconnecting…")
            st.markdown("**Models**  \nloading the catalog…")
            return
        backend, problem = backend_or_error()
        if backend is None:
            st.error(f"**Backend not set up.** {problem}")
        else:
            st.markdown(f"**Backend**  \n{backend.label}")
        key_problem = editor_state().backend_problem
        if key_problem:
            st.error(key_problem)
        catalog = get_catalog()
        if catalog.source == "offline" and catalog.error:
            st.warning(f"**Models**  \n{catalog.source_label}")
        else:
            st.markdown(f"**Models**  \n{catalog.source_label} · {len(catalog.models)} models")
        try:
            prices = get_prices()
        except PriceFileError as error:
            st.error(f"**Prices** could not be loaded: {error}")
        else:
            st.markdown(f"**Prices**  \nprice table `{prices.version}`")
