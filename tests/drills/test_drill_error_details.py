"""An unexpected error in a page shows a short message with a reference; the traceback goes to
the server log only."""
from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]


def _page_with_a_bug():
    from components.page_errors import run_page_safely

    def page():
        raise KeyError("secret-internal-detail")

    run_page_safely(page)


def test_a_page_error_shows_a_reference_and_logs_the_traceback_under_it(caplog):
    caplog.set_level(logging.ERROR, logger="workbench.app")
    app = AppTest.from_function(_page_with_a_bug).run()
    assert not app.exception
    [shown] = [element.value for element in app.error]
    reference = re.search(r"reference ([0-9a-f]{8})", shown).group(1)
    assert "secret-internal-detail" not in shown and "Traceback" not in shown and "KeyError" not in shown
    [record] = [record for record in caplog.records if reference in record.getMessage()]
    assert record.exc_info and record.exc_info[0] is KeyError


def test_streamlit_shows_no_error_details_for_anything_that_escapes():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
