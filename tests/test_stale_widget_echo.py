"""A browser that asks for a rerun before the app's new value for a widget reached it sends that widget's
old value along. That is a stale echo, not an edit: it must not undo the change that replaced it.

AppTest sends exactly what a browser would: the edited widget's new value and the other widget's old one.
"""
from __future__ import annotations

import json
import time

from components.page_state import EDITOR_STATE_KEY, EditorKeys
from components.widget_sync import ECHO_WINDOW_S
from editor_apptest import open_app, set_editor_prompt, write_turn
from test_page_tools import B, open_tools, rerun, tool_json
from workbench.spec import new_prompt


def test_the_tool_json_views_old_text_does_not_undo_a_name_typed_in_the_form(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    json_before = app.text_area(key=f"{B}_json").value
    app.text_input(key=f"{B}_f_name").input("get_weather")
    rerun(app)
    assert tool_json(app)["name"] == "get_weather"
    # The next edit's rerun carries the JSON view as the browser last had it: the tool before the name.
    app.text_area(key=f"{B}_json").input(json_before)
    app.text_area(key=f"{B}_f_description").input("Get the current weather in a given city.")
    rerun(app)
    tool = tool_json(app)
    assert tool["name"] == "get_weather"
    assert tool["description"] == "Get the current weather in a given city."
    assert app.text_input(key=f"{B}_f_name").value == "get_weather"


def test_json_typed_into_the_tool_view_still_applies(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    app.text_input(key=f"{B}_f_name").input("get_weather")
    rerun(app)
    edited = dict(tool_json(app), name="get_time")
    app.text_area(key=f"{B}_json").input(json.dumps(edited, indent=2))
    rerun(app)
    assert tool_json(app)["name"] == "get_time"
    assert app.text_input(key=f"{B}_f_name").value == "get_time"


def test_a_field_can_be_cleared_right_after_it_was_typed(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    app.text_input(key=f"{B}_f_name").input("get_weather")
    rerun(app)
    app.text_input(key=f"{B}_f_name").input("")
    rerun(app)
    assert tool_json(app)["name"] == ""


def test_after_new_the_old_turn_text_sent_with_the_next_edit_does_not_come_back(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    set_editor_prompt(app, new_prompt("claude-haiku-4-5", "The old prompt's question"))
    rerun(app)
    app.button(key=EditorKeys.NEW).click()
    rerun(app)
    assert app.text_area(key=EditorKeys.turn(0, "text")).value == ""
    # The browser still had the old text in the turn box when the system prompt was committed.
    app.text_area(key=EditorKeys.turn(0, "text")).input("The old prompt's question")
    app.text_area(key=EditorKeys.SYSTEM).input("You are terse.")
    rerun(app)
    request = app.session_state[EDITOR_STATE_KEY].prompt.request
    assert request["system"] == "You are terse."
    assert request["messages"][0]["content"] in ("", [])
    assert app.text_area(key=EditorKeys.turn(0, "text")).value == ""
    # Typing the same words again, later than any echo could arrive, is an edit like any other.
    time.sleep(ECHO_WINDOW_S)
    write_turn(app, 0, "The old prompt's question")
    assert app.session_state[EDITOR_STATE_KEY].prompt.request["messages"][0]["content"] == "The old prompt's question"




def test_every_rerun_that_left_before_the_new_json_arrived_is_an_echo(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    json_before = app.text_area(key=f"{B}_json").value
    app.text_input(key=f"{B}_f_name").input("get_weather")
    rerun(app)
    app.text_area(key=f"{B}_json").input(json_before)
    app.text_area(key=f"{B}_f_description").input("Get the current weather in a given city.")
    rerun(app)
    app.text_area(key=f"{B}_json").input(json_before)  # a second request, sent just as quickly
    app.button(key=f"{B}_p__add").click()
    rerun(app)
    tool = tool_json(app)
    assert (tool["name"], tool["description"]) == ("get_weather", "Get the current weather in a given city.")
    assert list(tool["input_schema"]["properties"]) == ["param_1"]
