"""A reload is a new session: it starts from the autosaved draft, so nothing typed is lost."""
from __future__ import annotations

from editor_apptest import click, open_app, write_turn
from workbench.drafts import draft_path, draft_values_path, load_draft


def _name(app, text: str):
    app.text_input(key="editor_prompt_name").input(text)
    app.run()
    assert not app.exception, app.exception


def test_a_new_session_starts_with_the_prompt_and_values_typed_in_the_last(monkeypatch, simulator):
    first = open_app(monkeypatch, simulator)
    write_turn(first, 0, "Write a haiku about {{topic}}.")
    first.text_area(key="editor_var_topic").input("autumn")
    first.run()
    _name(first, "Haiku")
    assert not first.exception, first.exception

    second = open_app(monkeypatch, simulator)  # same WORKBENCH_HOME, a fresh session
    assert second.text_area(key="editor_turn_0_text").value == "Write a haiku about {{topic}}."
    assert second.text_area(key="editor_var_topic").value == "autumn"
    assert second.text_input(key="editor_prompt_name").value == "Haiku"
    assert second.session_state["editor"].prompt == first.session_state["editor"].prompt
    assert not second.warning  # a good draft restores quietly


def test_unchanged_reruns_do_not_rewrite_the_draft(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    tab = app.session_state["editor"].draft_tab
    assert not draft_path(tab).exists()  # nothing typed yet: nothing to keep
    write_turn(app, 0, "Hello")
    # Drafts are written by os.replace, so a rewrite would give each file a new inode.
    inodes = (draft_path(tab).stat().st_ino, draft_values_path(tab).stat().st_ino)
    for _ in range(3):
        app.run()
    app.toggle(key="editor_live_count").set_value(False).run()  # not part of the prompt
    assert (draft_path(tab).stat().st_ino, draft_values_path(tab).stat().st_ino) == inodes


def test_new_starts_a_fresh_prompt_and_a_fresh_draft(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Old text")
    click(app, "editor_new")
    assert load_draft(app.session_state["editor"].draft_tab).spec.request["messages"][0]["content"] == ""
    again = open_app(monkeypatch, simulator)
    assert again.text_area(key="editor_turn_0_text").value == ""


def test_a_corrupt_draft_is_ignored_with_one_notice(monkeypatch, simulator, workbench_home):
    workbench_home.mkdir(parents=True, exist_ok=True)
    draft_path().write_text('{"format": "workbench.prompt/1", "request": {"model": ')
    app = open_app(monkeypatch, simulator)
    warnings = " ".join(element.value for element in app.warning)
    assert "autosaved draft could not be restored" in warnings and "draft.prompt.json.unreadable" in warnings
    assert app.text_area(key="editor_turn_0_text").value == ""
    app.run()
    assert not any("could not be restored" in element.value for element in app.warning)  # said once
    later = open_app(monkeypatch, simulator)
    assert not any("could not be restored" in element.value for element in later.warning)
