"""The Editor form: turns, model capabilities, max_tokens bounds, and the JSON view kept in sync."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, open_editor_panels, texts, write_turn


def _request(app) -> dict:
    return app.session_state["editor"].prompt.request


def test_turns_can_be_added_reordered_and_removed(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "first")
    click(app, "editor_add_turn")
    write_turn(app, 1, "second")
    assert [m["role"] for m in _request(app)["messages"]] == ["user", "assistant"]
    click(app, "editor_turn_1_up")
    assert [m["content"] for m in _request(app)["messages"]] == ["second", "first"]
    assert app.text_area(key="editor_turn_0_text").value == "second"
    assert app.selectbox(key="editor_turn_0_role").value == "assistant"
    click(app, "editor_turn_0_remove")
    assert _request(app)["messages"] == [{"role": "user", "content": "first"}]
    assert app.text_area(key="editor_turn_0_text").value == "first"


def test_form_edits_show_in_the_request_json_and_json_edits_in_the_form(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "from the form")
    assert json.loads(app.text_area(key="editor_raw_json").value)["messages"][0]["content"] == "from the form"
    edited = dict(_request(app), system="from the JSON", max_tokens=333)
    apply_json(app, json.dumps(edited))
    assert app.text_area(key="editor_system").value == "from the JSON"
    assert app.number_input(key="editor_max_tokens").value == 333


def test_model_picker_shows_context_window_max_output_and_price(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    picker = app.selectbox(key="editor_model")
    labels = [option for option in picker.options]
    haiku = next(label for label in labels if label.startswith("Claude Haiku 4.5"))
    assert "200K context" in haiku and "64K out" in haiku and "$1 in / $5 out per MTok" in haiku


def test_max_tokens_is_bounded_by_the_model_and_lowered_on_switch(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.number_input(key="editor_max_tokens").set_value(100_000)
    app.run()
    assert app.number_input(key="editor_max_tokens").help == "At most 128,000 for this model."
    app.selectbox(key="editor_model").set_value("claude-haiku-4-5")
    app.run()
    assert _request(app)["max_tokens"] == 64_000
    assert "max_tokens lowered to 64,000" in texts(app)


def test_only_supported_settings_are_offered(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.selectbox(key="editor_model").set_value("claude-sonnet-5")
    app.run()
    assert "enabled" not in app.selectbox(key="editor_thinking").options  # manual thinking is a 400 there
    app.selectbox(key="editor_model").set_value("claude-fable-5")
    app.run()
    offered = app.selectbox(key="editor_thinking").options
    assert "disabled" not in offered and "enabled" not in offered  # Fable 5 always thinks, adaptively
    app.selectbox(key="editor_model").set_value("claude-haiku-4-5")
    app.run()
    assert app.selectbox(key="editor_effort").disabled


def test_switching_model_drops_settings_the_new_model_rejects(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.selectbox(key="editor_model").set_value("claude-opus-5-5")
    app.run()
    app.selectbox(key="editor_thinking").set_value("enabled")
    app.run()
    app.selectbox(key="editor_effort").set_value("high")
    app.run()
    assert _request(app)["thinking"]["type"] == "enabled"
    assert _request(app)["output_config"] == {"effort": "high"}
    app.selectbox(key="editor_model").set_value("claude-haiku-4-5")
    app.run()
    assert _request(app)["thinking"]["type"] == "enabled" and "output_config" not in _request(app)
    assert "removed" in texts(app)


def test_structured_output_schema_and_stop_sequences(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.toggle(key="editor_schema_on").set_value(True)
    app.run()
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"],
              "additionalProperties": False}
    app.text_area(key="editor_schema").input(json.dumps(schema))
    app.text_area(key="editor_stop_sequences").input("END\n\nSTOP")
    app.run()
    assert _request(app)["output_config"]["format"] == {"type": "json_schema", "schema": schema}
    assert _request(app)["stop_sequences"] == ["END", "STOP"]
    app.text_area(key="editor_schema").input("{broken")
    app.run()
    assert "not valid JSON" in texts(app)
    assert _request(app)["output_config"]["format"]["schema"] == schema
    write_turn(app, 0, "Give me a number")
    app.text_area(key="editor_schema").input(json.dumps(schema))
    app.run()
    click(app, "editor_run")
    reply = json.loads(next(m.value for m in app.markdown if m.value.startswith("{")))
    assert isinstance(reply["n"], int)


def test_problems_the_model_would_reject_are_listed_and_block_the_run(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    request = dict(_request(app), model="claude-opus-5-5",
                   messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Sure"}])
    apply_json(app, json.dumps(request))
    assert "does not support prefill" in texts(app)
    assert app.button(key="editor_run").disabled


def test_unapplied_json_edits_survive_form_edits_and_can_be_discarded(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.text_area(key="editor_raw_json").input('{"half typed": ')
    app.run()
    write_turn(app, 0, "form edit")
    assert app.text_area(key="editor_raw_json").value == '{"half typed": '
    assert "not applied yet" in texts(app)
    click(app, "editor_discard_json")
    assert json.loads(app.text_area(key="editor_raw_json").value)["messages"][0]["content"] == "form edit"


def test_a_stale_copy_of_the_json_view_never_overwrites_the_prompt(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    stale = app.text_area(key="editor_raw_json").value
    write_turn(app, 0, "newer text")
    # A browser that never received the refreshed view sends its old copy back with a click.
    app.text_area(key="editor_raw_json").input(stale)
    app.run()
    assert _request(app)["messages"][0]["content"] == "newer text"
    assert json.loads(app.text_area(key="editor_raw_json").value)["messages"][0]["content"] == "newer text"


def test_collapsed_settings_and_tool_builder_are_built_only_when_opened(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator, panels_open=False)
    keys = {widget.key for widget in (*app.selectbox, *app.text_area, *app.text_input, *app.toggle)}
    assert "editor_thinking" not in keys and "editor_schema_on" not in keys and "editor_nt_f_name" not in keys
    assert "editor_turn_0_text" in keys  # the form a user types into first is there
    open_editor_panels(app)
    app.run()
    keys = {widget.key for widget in (*app.selectbox, *app.text_area, *app.text_input, *app.toggle)}
    assert {"editor_thinking", "editor_schema_on", "editor_nt_f_name"} <= keys
    # What they hold lives in the prompt, not in the widgets: closing and reopening keeps it.
    app.text_area(key="editor_stop_sequences").input("END")
    app.run()
    app.session_state["editor_settings_open"] = False
    app.run()
    assert _request(app)["stop_sequences"] == ["END"]
    app.session_state["editor_settings_open"] = True
    app.run()
    assert app.text_area(key="editor_stop_sequences").value == "END"
