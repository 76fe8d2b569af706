"""The Editor's Tools section and tool_choice control, through AppTest by widget key."""
from __future__ import annotations

import json

from editor_apptest import click, open_app, set_editor_prompt, texts, write_turn
from workbench.paths import tools_dir
from workbench.spec import PromptSpec, new_prompt
from workbench.tool_library import save_tool

WEATHER = {"name": "get_weather", "description": "Get the current weather for a city, with temperature and sky.",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}},
                            "required": ["city"]}}


def editor_with(monkeypatch, simulator, model: str, tools: list | None = None):
    app = open_app(monkeypatch, simulator)
    request = new_prompt(model, "What's the weather in Paris?").request
    if tools:
        request["tools"] = tools
    set_editor_prompt(app, PromptSpec(request=request))
    app.run()
    assert not app.exception, app.exception
    return app


def request_of(app) -> dict:
    return app.session_state["editor"].prompt.request


def test_add_from_the_library_force_the_tool_and_run(monkeypatch, simulator):
    save_tool(WEATHER)
    app = editor_with(monkeypatch, simulator, "claude-haiku-4-5")
    picker = app.selectbox(key="editor_library_tool")
    assert picker.value == str(tools_dir() / "get_weather.tool.json")
    click(app, "editor_add_library_tool")
    assert request_of(app)["tools"] == [WEATHER]
    choice = app.selectbox(key="editor_tool_choice")
    assert choice.options == ["auto: the model decides", "any: must call one of the tools",
                              "the tool get_weather (forced)", "none: no tool calls"]
    choice.select("tool:get_weather")
    app.run()
    assert request_of(app)["tool_choice"] == {"type": "tool", "name": "get_weather"}
    click(app, "editor_run")
    last = app.session_state["editor"].last_run
    assert last.ok and last.stop_reason == "tool_use" and last.tool_uses[0]["name"] == "get_weather"
    # Answer with a tool_result: the forced choice goes back to auto, so the model gives its final answer.
    app.text_area(key="editor_tool_result_0_content").input("18 C and sunny")
    app.button(key="editor_send_tool_results").click()
    app.run()
    assert "tool_choice" not in request_of(app)
    assert "back to auto" in texts(app)
    final = app.session_state["editor"].last_run
    assert final.ok and final.stop_reason == "end_turn" and "18 C and sunny" in final.text


def test_a_model_that_refuses_forced_tool_use_offers_structured_output(monkeypatch, simulator):
    app = editor_with(monkeypatch, simulator, "claude-opus-5-5", [WEATHER])
    options = app.selectbox(key="editor_tool_choice").options
    assert options == ["auto: the model decides", "none: no tool calls"]
    assert "Claude Opus 5.5 refuses forced tool use" in texts(app)
    click(app, "editor_structured_instead")
    request = request_of(app)
    assert "tool_choice" not in request and "tools" not in request
    schema = request["output_config"]["format"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["city"]
    assert not app.button(key="editor_run").disabled
    click(app, "editor_run")
    last = app.session_state["editor"].last_run
    assert last.ok and json.loads(last.text)["city"]


def test_a_forced_choice_loaded_on_a_refusing_model_is_shown_and_blocks_run(monkeypatch, simulator):
    app = editor_with(monkeypatch, simulator, "claude-opus-5-5", [WEATHER])
    set_editor_prompt(app, PromptSpec(request={**request_of(app), "tool_choice": {"type": "any"}}))
    app.run()
    assert app.selectbox(key="editor_tool_choice").value == "any"
    assert app.button(key="editor_run").disabled
    assert "forced tool use" in " ".join(element.value for element in app.warning)


def test_build_a_tool_in_the_editor_and_remove_it(monkeypatch, simulator):
    app = editor_with(monkeypatch, simulator, "claude-haiku-4-5")
    app.text_input(key="editor_nt_f_name").input("lookup_word")
    app.text_area(key="editor_nt_f_description").input("Look up a word in the dictionary and return its meanings.")
    app.run()
    click(app, "editor_nt_p__add")
    app.text_input(key="editor_nt_p_param_1_name").input("word")
    app.run()
    click(app, "editor_add_built_tool")
    tools = request_of(app)["tools"]
    assert [tool["name"] for tool in tools] == ["lookup_word"]
    assert tools[0]["input_schema"]["properties"]["word"]["type"] == "string"
    assert app.text_input(key="editor_nt_f_name").value == ""  # the builder starts over
    click(app, "editor_tool_0_remove")
    assert "tools" not in request_of(app)


def test_invalid_tool_in_the_builder_cannot_be_added(monkeypatch, simulator):
    app = editor_with(monkeypatch, simulator, "claude-haiku-4-5")
    app.text_input(key="editor_nt_f_name").input("bad name")
    app.run()
    assert app.button(key="editor_add_built_tool").disabled
    assert "`$.name`" in " ".join(element.value for element in app.error)
    write_turn(app, 0, "Still typing works")
