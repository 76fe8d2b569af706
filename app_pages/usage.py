"""Usage page: charts of the call log (coming with its own issue)."""
import streamlit as st

st.title("Usage")
st.info("Coming soon: tokens, cost and latency over time from the call log. Every Editor run is "
        "already written to the log, so the charts will include today's work.")
