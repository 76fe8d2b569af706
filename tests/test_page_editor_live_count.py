"""The Editor's "Live token count" switch is a choice that survives a visit to another page."""
from __future__ import annotations

from editor_apptest import open_app


def test_live_count_stays_off_after_visiting_another_page(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.toggle(key="editor_live_count").set_value(False).run()
    app.switch_page("app_pages/compare.py").run()
    app.switch_page("app_pages/editor.py").run()
    assert not app.exception, app.exception
    assert app.toggle(key="editor_live_count").value is False
    assert app.session_state["editor"].live_count_on is False
