"""Browser journeys: a real `streamlit run app.py` on the simulator, driven by Debian's chromium
(the `browser` fixture is in tests/conftest.py, shared with the drills)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from streamlit_page import (  # noqa: F401 - start_app is imported from here by journeys
    REPO,
    start_app,
    stop_app,
    use_e2e_timeouts,
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-workbench-home")


@pytest.fixture(scope="session")
def app_url(app_home, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("e2e-logs") / "streamlit.log"
    process, url = start_app(app_home, log_path)
    yield url
    stop_app(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    use_e2e_timeouts(page)
    yield page
    context.close()


@pytest.fixture
def artifacts_dir(request) -> Path:
    """test-output/<test name>/ for screenshots a person can look at after the run."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = REPO / "test-output" / safe_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
