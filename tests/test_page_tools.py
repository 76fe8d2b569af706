"""The Tools page through AppTest, by widget key, against the session simulator."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from components.page_state import ToolsKeys
from editor_apptest import APP, TIMEOUT_S, set_editor_prompt, texts
from workbench.paths import tools_dir
from workbench.spec import new_prompt
from workbench.tool_library import tool_file_text
from workbench.usage_log import UsageLog

B = ToolsKeys.BUILDER.base  # the Tools page builder's keys: f"{B}_f_name", f"{B}_p_<path>_<part>", ...


def open_tools(monkeypatch, simulator) -> AppTest:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    set_editor_prompt(app, new_prompt("claude-haiku-4-5", "Hi"))
    app.switch_page("app_pages/tools.py")
    return rerun(app)


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def tool_json(app: AppTest) -> dict:
    return json.loads(app.text_area(key=f"{B}_json").value)


def build_weather(app: AppTest) -> AppTest:
    app.text_input(key=f"{B}_f_name").input("get_weather")
    app.text_area(key=f"{B}_f_description").input("Get the current weather for a city, with temperature and sky.")
    rerun(app)
    app.button(key=f"{B}_p__add").click()
    rerun(app)
    app.text_input(key=f"{B}_p_param_1_name").input("city")
    rerun(app)
    app.text_input(key=f"{B}_p_city_description").input("City name, e.g. Paris")
    rerun(app)
    return app


def test_the_form_builds_the_tool_and_the_json_shows_it(monkeypatch, simulator):
    app = build_weather(open_tools(monkeypatch, simulator))
    tool = tool_json(app)
    assert tool["name"] == "get_weather"
    assert tool["input_schema"]["properties"] == {"city": {"type": "string", "description": "City name, e.g. Paris"}}
    assert tool["input_schema"]["required"] == ["city"]
    assert "Valid: the API accepts this tool." in texts(app)
    # A second parameter, an integer with a minimum, not required.
    app.button(key=f"{B}_p__add").click()
    rerun(app)
    app.selectbox(key=f"{B}_p_param_2_kind").select("integer")
    rerun(app)
    app.text_input(key=f"{B}_p_param_2_minimum").input("1")
    app.checkbox(key=f"{B}_p_param_2_required").uncheck()
    rerun(app)
    schema = tool_json(app)["input_schema"]
    assert schema["properties"]["param_2"]["minimum"] == 1 and schema["required"] == ["city"]


def test_json_edits_show_in_the_form_and_unexpressible_parts_stay(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    tool = {"name": "draw", "description": "Draw a shape on the canvas at a point the user names.",
            "input_schema": {"type": "object", "$defs": {"pt": {"type": "object"}},
                             "properties": {"shape": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/pt"}],
                                                      "description": "What to draw."},
                                            "size": {"type": "integer", "description": "Size in px."}},
                             "required": ["shape"]}}
    app.text_area(key=f"{B}_json").input(json.dumps(tool))
    rerun(app)
    assert app.text_input(key=f"{B}_p_size_name").value == "size"
    assert app.selectbox(key=f"{B}_p_size_kind").value == "integer"
    assert any('"oneOf"' in block.value for block in app.code)  # shown read-only
    app.text_input(key=f"{B}_p_size_maximum").input("64")
    rerun(app)
    after = tool_json(app)
    assert after["input_schema"]["properties"]["shape"] == tool["input_schema"]["properties"]["shape"]
    assert after["input_schema"]["$defs"] == tool["input_schema"]["$defs"]
    assert after["input_schema"]["properties"]["size"]["maximum"] == 64


def test_findings_have_paths_and_fixes_and_bad_json_keeps_the_tool(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    app.text_area(key=f"{B}_json").input(json.dumps({"name": "get weather", "input_schema": {
        "type": "object", "properties": {"a": {"type": "str"}}, "required": ["b"]}}))
    rerun(app)
    errors = " ".join(element.value for element in app.error)
    assert "`$.name`" in errors and 'Try "get_weather"' in errors
    assert "`$.input_schema.properties.a.type`" in errors and 'Use "string"' in errors
    assert "`$.input_schema.required[0]`" in errors
    assert app.button(key="tools_try").disabled
    app.text_area(key=f"{B}_json").input('{"name": ')
    rerun(app)
    assert "Not valid JSON" in texts(app)
    assert app.text_input(key=f"{B}_f_name").value == "get weather"  # the last valid tool is kept


def test_infer_from_python_never_runs_it(monkeypatch, simulator, tmp_path):
    app = open_tools(monkeypatch, simulator)
    marker = tmp_path / "ran"
    app.segmented_control(key=f"{B}_infer_source").set_value("Python function")
    rerun(app)
    app.text_area(key=f"{B}_infer_text").input(
        f"def forecast(city: str, days: int = 3):\n    '''Forecast for a city.'''\n"
        f"    open({str(marker)!r}, 'w').write('ran')\n")
    rerun(app)
    app.button(key=f"{B}_infer").click()
    rerun(app)
    tool = tool_json(app)
    assert tool["name"] == "forecast" and tool["input_schema"]["required"] == ["city"]
    assert not marker.exists()


def test_library_save_open_and_attach_to_the_editor(monkeypatch, simulator):
    app = build_weather(open_tools(monkeypatch, simulator))
    app.button(key="tools_save").click()
    rerun(app)
    saved = tools_dir() / "get_weather.tool.json"
    assert json.loads(saved.read_text())["name"] == "get_weather"
    app.button(key="tools_new").click()
    rerun(app)
    assert tool_json(app)["name"] == ""
    app.selectbox(key="tools_library_pick").select(str(saved))
    app.button(key="tools_open").click()
    rerun(app)
    assert tool_json(app)["name"] == "get_weather"
    app.button(key="tools_attach").click()
    rerun(app)
    assert [tool["name"] for tool in app.session_state["editor"].prompt.request["tools"]] == ["get_weather"]
    # Delete asks first; Keep leaves the file, Delete it removes it.
    app.button(key="tools_delete").click()
    rerun(app)
    assert "Delete `get_weather.tool.json` from the library?" in texts(app)
    app.button(key="tools_delete_cancel").click()
    rerun(app)
    assert saved.exists() and "from the library?" not in texts(app)
    app.button(key="tools_delete").click()
    rerun(app)
    app.button(key="tools_delete_confirm").click()
    rerun(app)
    assert not saved.exists() and "Deleted `get_weather.tool.json`" in texts(app)


def test_try_forced_on_two_models_validates_inputs_and_closes_the_loop(monkeypatch, simulator):
    app = build_weather(open_tools(monkeypatch, simulator))
    app.multiselect(key="tools_models").set_value(["claude-haiku-4-5", "claude-opus-5-5"])
    app.selectbox(key="tools_tool_choice").select("tool")
    rerun(app)
    app.button(key="tools_try").click()
    rerun(app)
    shown = texts(app)
    assert "**claude-haiku-4-5** · valid" in shown
    # Opus 5.5 refuses forced tool use: asked through structured output instead, and said so.
    assert "**claude-opus-5-5** · valid · asked through structured output" in shown
    assert shown.count("Input is valid against the schema.") == 2
    app.text_area(key="tools_try_0_result_0").input('{"temperature_c": 18}')
    rerun(app)
    app.button(key="tools_try_0_send").click()
    rerun(app)
    assert "Final answer" in texts(app) and "temperature_c" in texts(app)
    assert UsageLog().count(source="tools") == 3


def test_matrix_shows_cells_and_valid_call_rate(monkeypatch, simulator):
    app = build_weather(open_tools(monkeypatch, simulator))
    app.multiselect(key="tools_models").set_value(["claude-haiku-4-5", "claude-sonnet-5"])
    app.text_area(key="tools_samples").input("Weather in Paris?\nTell me a joke\nIs get_weather ok for Oslo?")
    rerun(app)
    app.button(key="tools_run_matrix").click()
    rerun(app)
    rates = {metric.label: metric.value for metric in app.metric}
    assert set(rates) == {"claude-haiku-4-5", "claude-sonnet-5"}
    grid = app.dataframe[0].value
    assert list(grid.columns) == ["message", "claude-haiku-4-5", "claude-sonnet-5"]
    assert len(grid) == 3 and grid.iloc[1]["claude-haiku-4-5"] == "no tool call"
    assert all(value.endswith("%") for value in rates.values())
    assert UsageLog().count(source="tools") == 6


def test_a_broken_library_file_is_listed_and_opening_it_says_why(monkeypatch, simulator):
    app = open_tools(monkeypatch, simulator)
    broken = tools_dir() / "broken.tool.json"
    broken.write_text("{nope")
    rerun(app)
    picker = app.selectbox(key="tools_library_pick")
    assert picker.options == ["broken.tool.json (has problems)"]
    picker.select(str(broken))
    app.button(key="tools_open").click()
    rerun(app)
    assert "Can't open broken.tool.json" in texts(app) and "not valid JSON" in texts(app)
