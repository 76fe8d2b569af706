"""Nothing typed is lost: text not yet in the prompt survives a visit to another page."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, texts, write_turn


def _away_and_back(app):
    app.switch_page("app_pages/tools.py").run()
    assert not app.exception, app.exception
    app.switch_page("app_pages/editor.py").run()
    assert not app.exception, app.exception
    return app


def test_unapplied_json_a_bad_schema_and_the_next_message_survive_a_page_switch(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Name a colour.")
    click(app, "editor_run")
    app.text_area(key="editor_next_user_text").input("And another one?")
    app.run()
    app.toggle(key="editor_schema_on").set_value(True)
    app.run()
    app.text_area(key="editor_schema").input('{"type": "object", BROKEN')
    app.run()
    typed_json = app.text_area(key="editor_raw_json").value.replace("Name a colour.", "Name a fruit.")
    app.text_area(key="editor_raw_json").input(typed_json)
    app.run()

    _away_and_back(app)
    assert app.text_area(key="editor_raw_json").value == typed_json
    assert "not applied yet" in texts(app)
    assert app.text_area(key="editor_schema").value == '{"type": "object", BROKEN'
    assert "not valid JSON" in " ".join(element.value for element in app.error)
    assert app.text_area(key="editor_next_user_text").value == "And another one?"
    # Run waits: it would not send what the JSON tab shows.
    assert app.button(key="editor_run").disabled
    click(app, "editor_apply_json")
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == "Name a fruit."


def test_a_bad_tool_result_is_explained_inside_the_tool_form(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    tool = {"name": "get_weather", "description": "Weather for a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    apply_json(app, json.dumps({"model": "claude-sonnet-5-5", "max_tokens": 1024, "tools": [tool],
                                "messages": [{"role": "user", "content": "Weather in Oslo? Use get_weather."}]}))
    click(app, "editor_run")
    app.text_area(key="editor_tool_result_0_content").input("{not json")
    app.segmented_control(key="editor_tool_result_0_format").set_value("JSON")
    click(app, "editor_send_tool_results")
    form = app.get("form")[0]
    assert "is not valid JSON" in " ".join(element.value for element in form.error)
    assert app.text_area(key="editor_tool_result_0_content").value == "{not json"
