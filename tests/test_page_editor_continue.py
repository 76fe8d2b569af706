"""Continue a conversation, and the hand-driven tool-use loop (tool_use -> tool_result -> reply)."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, texts, write_turn
from workbench.usage_log import UsageLog

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Look up the current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def test_continue_adds_the_reply_and_the_next_turn_then_runs(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Name a colour.")
    click(app, "editor_run")
    app.text_area(key="editor_next_user_text").input("Now name another one.")
    click(app, "editor_continue")
    messages = app.session_state["editor"].prompt.request["messages"]
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    assert "Simulated reply" in messages[1]["content"]
    assert messages[2]["content"] == "Now name another one."
    assert 'You wrote: "Now name another one."' in texts(app)
    assert UsageLog(workbench_home / "calls.db").count(source="editor") == 2
    # The form shows the new turns, filled from the prompt.
    assert app.text_area(key="editor_turn_2_text").value == "Now name another one."


def test_tool_use_reply_gets_a_tool_result_form_and_the_loop_continues(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    request = {
        "model": "claude-sonnet-5-5", "max_tokens": 1024, "tools": [WEATHER_TOOL],
        "messages": [{"role": "user", "content": "What is the weather in Paris? Use get_weather."}],
    }
    apply_json(app, json.dumps(request))
    click(app, "editor_run")
    assert "Tool call" in texts(app) and "get_weather" in texts(app)
    assert "stop_reason `tool_use`" in texts(app)

    app.text_area(key="editor_tool_result_0_content").input('{"temperature_c": 18, "sky": "clear"}')
    app.segmented_control(key="editor_tool_result_0_format").set_value("JSON")
    click(app, "editor_send_tool_results")
    messages = app.session_state["editor"].prompt.request["messages"]
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    tool_use = next(block for block in messages[1]["content"] if block["type"] == "tool_use")
    result = messages[2]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == tool_use["id"]
    assert json.loads(result["content"]) == {"temperature_c": 18, "sky": "clear"}
    assert "The tool result says" in texts(app)
    assert "stop_reason `end_turn`" in texts(app)


def test_a_tool_result_marked_json_must_be_json(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    request = {
        "model": "claude-sonnet-5-5", "max_tokens": 1024, "tools": [WEATHER_TOOL],
        "messages": [{"role": "user", "content": "Weather in Oslo? Use get_weather."}],
    }
    apply_json(app, json.dumps(request))
    click(app, "editor_run")
    app.text_area(key="editor_tool_result_0_content").input("sunny, {not json")
    app.segmented_control(key="editor_tool_result_0_format").set_value("JSON")
    app.checkbox(key="editor_tool_result_0_is_error").check()
    click(app, "editor_send_tool_results")
    assert "is not valid JSON" in texts(app)
    assert len(app.session_state["editor"].prompt.request["messages"]) == 1
