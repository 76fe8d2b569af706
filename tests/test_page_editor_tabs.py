"""Each browser tab keeps its own draft (named in the URL); a fresh tab opens the newest; New in one tab spares the other."""
from __future__ import annotations

from editor_apptest import click, new_app, open_app, write_turn

from workbench.drafts import load_draft


def reload_tab(monkeypatch, simulator, tab: str):
    """A reload of the tab whose URL says ?draft=TAB: a new session with that query parameter."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    app = new_app()
    app.query_params["draft"] = tab
    app.run()
    assert not app.exception, app.exception
    return app


def turn_text(app) -> str:
    return app.text_area(key="editor_turn_0_text").value


def test_two_tabs_keep_their_own_drafts_across_reloads(monkeypatch, simulator):
    first = open_app(monkeypatch, simulator)
    write_turn(first, 0, "First tab's prompt")
    second = open_app(monkeypatch, simulator)  # a fresh tab opens the newest draft...
    assert turn_text(second) == "First tab's prompt"
    write_turn(second, 0, "Second tab's prompt")  # ...as its own copy
    first_tab, second_tab = first.session_state["editor"].draft_tab, second.session_state["editor"].draft_tab
    assert first_tab != second_tab
    assert first.query_params["draft"] == first_tab  # the URL names the tab's draft, for a reload
    write_turn(first, 0, "First tab, edited again")
    assert turn_text(reload_tab(monkeypatch, simulator, second_tab)) == "Second tab's prompt"
    assert turn_text(reload_tab(monkeypatch, simulator, first_tab)) == "First tab, edited again"


def test_new_in_one_tab_leaves_the_other_tabs_work(monkeypatch, simulator):
    first = open_app(monkeypatch, simulator)
    write_turn(first, 0, "Keep me")
    second = open_app(monkeypatch, simulator)
    click(second, "editor_new")
    assert load_draft(first.session_state["editor"].draft_tab).spec.request["messages"][0]["content"] == "Keep me"
    assert turn_text(reload_tab(monkeypatch, simulator, first.session_state["editor"].draft_tab)) == "Keep me"


def test_a_fresh_tab_opens_the_newest_draft_of_any_tab(monkeypatch, simulator):
    first = open_app(monkeypatch, simulator)
    write_turn(first, 0, "Older")
    second = open_app(monkeypatch, simulator)
    write_turn(second, 0, "Newest")
    assert turn_text(open_app(monkeypatch, simulator)) == "Newest"


def test_a_made_up_draft_id_in_the_url_is_not_used_as_a_file_name(monkeypatch, simulator, workbench_home):
    app = reload_tab(monkeypatch, simulator, "../../etc/passwd")
    assert app.session_state["editor"].draft_tab != "../../etc/passwd"
    assert turn_text(app) == ""
