"""Drills share the browser journeys' helpers (tests/e2e/streamlit_page.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
