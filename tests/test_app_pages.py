"""The app shell: every page in st.navigation loads, the sidebar says where calls go, state survives."""
from __future__ import annotations

import re

import pytest
from editor_apptest import APP, new_app, open_app, texts, write_turn

# Read from app.py itself, so a page added to st.navigation gets this smoke test without a list to update.
PAGES = re.findall(r'st\.Page\("([^"]+)"', APP.read_text())


def test_navigation_lists_every_page_file():
    assert sorted(PAGES) == sorted(f"app_pages/{path.name}" for path in (APP.parent / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_exception(monkeypatch, simulator, page):
    app = open_app(monkeypatch, simulator)
    app.switch_page(page).run()
    assert not app.exception, app.exception
    sidebar = " ".join(str(element.value) for element in app.sidebar.markdown)
    assert f"Custom endpoint: {simulator.base_url}" in sidebar


def test_sidebar_names_backend_catalog_and_price_table(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    sidebar = " ".join(str(element.value) for element in app.sidebar.markdown)
    assert "API (models.list)" in sidebar
    assert "price table `" in sidebar
    assert "test-key" not in sidebar and "test-key" not in texts(app)


def test_without_a_key_the_simulator_is_used_and_said_so(monkeypatch):
    monkeypatch.setenv("WORKBENCH_BACKEND", "simulator")
    monkeypatch.setenv("WORKBENCH_SIMULATOR_SPEED", "50")
    app = new_app().run()
    assert not app.exception, app.exception
    sidebar = " ".join(str(element.value) for element in app.sidebar.markdown)
    assert "Simulator — no API key set" in sidebar


def test_api_backend_without_key_is_a_sidebar_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("WORKBENCH_BACKEND", "api")
    app = new_app().run()
    assert not app.exception, app.exception
    assert any("ANTHROPIC_API_KEY" in element.value for element in app.sidebar.error)
    # The editor still opens on the offline catalog, so nothing typed is lost.
    assert app.text_area(key="editor_turn_0_text").value == ""
    assert any(option.startswith("Claude Haiku 4.5 ·") for option in app.selectbox(key="editor_model").options)


def test_prompt_survives_page_switches(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Kept across pages")
    app.switch_page("app_pages/usage.py").run()
    app.switch_page("app_pages/editor.py").run()
    assert not app.exception, app.exception
    assert app.text_area(key="editor_turn_0_text").value == "Kept across pages"
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == "Kept across pages"


def test_setup_state_is_idempotent(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "First")
    app.run()
    app.run()
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == "First"


def test_the_key_can_come_from_streamlit_secrets(monkeypatch, simulator):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    app = new_app()
    app.secrets["ANTHROPIC_API_KEY"] = "secret-test-key"
    app.run()
    assert not app.exception, app.exception
    sidebar = " ".join(str(element.value) for element in app.sidebar.markdown)
    assert f"Custom endpoint: {simulator.base_url}" in sidebar and "API (models.list)" in sidebar
