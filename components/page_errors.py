"""An unexpected error in a page: a short message with a reference for the person, the traceback
for the server log only (client.showErrorDetails is "none" for anything that escapes this)."""
from __future__ import annotations

import logging
import secrets
from typing import Callable

import streamlit as st

logger = logging.getLogger("workbench.app")


def run_page_safely(run_page: Callable[[], object]) -> None:
    """Run the page; on a bug, log the traceback under a reference and show the reference."""
    try:
        run_page()
    except Exception:  # noqa: BLE001 - Streamlit's stop/rerun signals are BaseExceptions and pass through
        reference = secrets.token_hex(4)
        logger.error("unexpected error in a page, reference %s", reference, exc_info=True)
        st.error(f"Something went wrong on this page (reference {reference}). What you typed and the call log "
                 "are kept: try again, and if it happens again, report the reference; the details are in "
                 "the server log.")
