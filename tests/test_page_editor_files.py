"""Save, open, upload and download prompts; a bad file is refused and the current prompt kept."""
from __future__ import annotations

import json

from editor_apptest import click, open_app, texts, write_turn
from workbench.spec import loads_prompt


def test_save_then_open_restores_the_prompt_and_its_variable_values(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Translate {{text}} into French.")
    app.text_area(key="editor_var_text").input("good morning")
    app.text_input(key="editor_prompt_name").input("French lesson")
    app.run()
    click(app, "editor_save")
    saved = workbench_home / "prompts" / "french-lesson.prompt.json"
    assert saved.is_file()
    spec = loads_prompt(saved.read_bytes())
    assert spec.name == "French lesson" and spec.variables == {"text": "good morning"}

    click(app, "editor_new")
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == ""
    app.selectbox(key="editor_open_choice").set_value("french-lesson.prompt.json")
    click(app, "editor_open")
    assert app.text_area(key="editor_turn_0_text").value == "Translate {{text}} into French."
    assert app.text_area(key="editor_var_text").value == "good morning"
    assert app.text_input(key="editor_prompt_name").value == "French lesson"


def test_a_download_button_offers_the_prompt_as_json(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    download = app.download_button(key="editor_download")
    assert download.label == "Download" and download.proto.url.endswith(".json")


def test_uploading_a_valid_prompt_file_loads_it(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    data = {"format": "workbench.prompt/1", "name": "uploaded", "description": "", "variables": {},
            "request": {"model": "claude-haiku-4-5", "max_tokens": 300,
                        "messages": [{"role": "user", "content": "From a file"}]}}
    app.file_uploader(key="editor_upload").set_value(("x.prompt.json", json.dumps(data).encode(), "application/json"))
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["editor"].prompt.model == "claude-haiku-4-5"
    assert app.text_area(key="editor_turn_0_text").value == "From a file"
    assert "Loaded `x.prompt.json`" in texts(app)


def test_a_bad_upload_is_refused_with_the_core_message_and_the_prompt_kept(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "My careful work")
    bad = {"format": "workbench.prompt/1", "request": {"model": "m", "max_tokens": 5,
                                                       "messages": [{"role": "robot", "content": "x"}]}}
    app.file_uploader(key="editor_upload").set_value(("bad.prompt.json", json.dumps(bad).encode(), "application/json"))
    app.run()
    assert not app.exception, app.exception
    errors = " ".join(element.value for element in app.error)
    assert "bad.prompt.json: $.request.messages[0].role" in errors
    assert app.text_area(key="editor_turn_0_text").value == "My careful work"


def test_an_unreadable_saved_file_is_refused_and_the_prompt_kept(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Still here")
    (workbench_home / "prompts").mkdir(parents=True, exist_ok=True)
    (workbench_home / "prompts" / "broken.prompt.json").write_text("{not json", encoding="utf-8")
    app.run()
    app.selectbox(key="editor_open_choice").set_value("broken.prompt.json")
    click(app, "editor_open")
    assert "not valid JSON" in " ".join(element.value for element in app.error)
    assert app.text_area(key="editor_turn_0_text").value == "Still here"


def test_saving_over_another_prompts_file_asks_first(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "The first prompt")
    app.text_input(key="editor_prompt_name").input("Team/Report")
    app.run()
    click(app, "editor_save")
    saved = workbench_home / "prompts" / "team-report.prompt.json"
    click(app, "editor_save")  # re-saving the same prompt needs no question
    assert "already holds another saved prompt" not in texts(app)

    click(app, "editor_new")
    write_turn(app, 0, "A different prompt")
    app.text_input(key="editor_prompt_name").input("team report")  # a different name, the same file
    app.run()
    click(app, "editor_save")
    assert "`team-report.prompt.json` already holds another saved prompt" in texts(app)
    assert loads_prompt(saved.read_bytes()).request["messages"][0]["content"] == "The first prompt"
    click(app, "editor_keep_file")
    assert "already holds" not in texts(app)
    click(app, "editor_save")
    click(app, "editor_replace_file")
    assert loads_prompt(saved.read_bytes()).request["messages"][0]["content"] == "A different prompt"


def test_an_oversized_upload_is_refused_with_its_size(monkeypatch, simulator):
    from workbench.prompt_store import MAX_UPLOAD_MB

    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "My careful work")
    data = {"format": "workbench.prompt/1", "name": "big", "description": "", "variables": {},
            "request": {"model": "claude-haiku-4-5", "max_tokens": 10,
                        "messages": [{"role": "user", "content": "x" * (MAX_UPLOAD_MB * 1024 * 1024 + 1)}]}}
    app.file_uploader(key="editor_upload").set_value(("big.prompt.json", json.dumps(data).encode(), "application/json"))
    app.run()
    errors = " ".join(element.value for element in app.error)
    assert "Not loaded: big.prompt.json is 10.0 MB" in errors and "at most 10 MB" in errors
    assert app.text_area(key="editor_turn_0_text").value == "My careful work"
