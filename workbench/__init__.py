"""Workbench core: prompt specs, running, counting, pricing and logging. Never imports streamlit."""
