"""Tools page: build, validate and infer tool definitions (coming with its own issue)."""
import streamlit as st

st.title("Tools")
st.info("Coming soon: build and validate tool definitions (`*.tool.json`) and try them on a model. "
        "Until then, add tools to a prompt in the Editor's Request JSON.")
