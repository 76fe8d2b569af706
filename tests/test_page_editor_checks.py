"""Checks before sending: what the API would refuse is named on the page and blocks Run, no call spent."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, texts, write_turn
from workbench.usage_log import UsageLog

CLOSED_SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
                 "additionalProperties": False}


def _warnings(app) -> str:
    return " ".join(element.value for element in app.warning)


def _run_blocked(app) -> bool:
    return app.button(key="editor_run").disabled


def test_an_empty_turn_blocks_run_with_a_sentence_and_sends_nothing(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    assert "Turn 1 (user) is empty: write it or remove it." in _warnings(app) and _run_blocked(app)
    write_turn(app, 0, "Now there is text")
    click(app, "editor_add_turn")
    assert "Turn 2 (assistant) is empty" not in _warnings(app)  # an empty final assistant turn is allowed
    click(app, "editor_add_turn")
    assert "Turn 2 (assistant) is empty" in _warnings(app) and _run_blocked(app)
    assert UsageLog(workbench_home / "calls.db").count() == 0


def test_a_prompt_over_the_context_window_is_named_and_blocks_run(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.toggle(key="editor_live_count").set_value(False)  # the offline estimate is enough, and fast
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 100,
                                "messages": [{"role": "user", "content": "word " * 170_000}]}))
    warning = _warnings(app)
    assert "context window" in warning and "200,000" in warning and "shorten it" in warning
    assert _run_blocked(app)


def test_an_invalid_output_schema_is_refused_kept_as_typed_and_blocks_run(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Answer in JSON.")
    app.toggle(key="editor_schema_on").set_value(True)
    app.run()
    open_object = '{"type": "object", "properties": {"a": {"type": "string"}}}'
    app.text_area(key="editor_schema").input(open_object)
    app.run()
    errors = " ".join(element.value for element in app.error)
    assert '"additionalProperties": false' in errors
    assert app.text_area(key="editor_schema").value == open_object  # what was typed stays
    assert "The JSON schema" in _warnings(app) and _run_blocked(app)
    app.text_area(key="editor_schema").input('{"type": "objekt"}')
    app.run()
    assert "Not a valid JSON Schema at $.type" in " ".join(element.value for element in app.error)
    app.text_area(key="editor_schema").input(json.dumps(CLOSED_SCHEMA))
    app.run()
    assert not app.error and not _run_blocked(app)
    assert app.session_state["editor"].prompt.request["output_config"]["format"]["schema"] == CLOSED_SCHEMA


def test_a_credential_in_extra_headers_is_refused_and_not_kept(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    typed = json.dumps({"x-api-key": "typed-secret-value"})
    app.text_input(key="editor_extra_headers_text").input(typed)
    app.run()
    assert "Don't put credentials in headers" in " ".join(element.value for element in app.error)
    assert app.text_input(key="editor_extra_headers_text").value == ""
    assert app.session_state["editor"].extra_headers == {}
    assert all("typed-secret-value" not in repr(app.session_state[key]) for key in app.session_state)


def test_switching_model_says_what_changed_in_one_message(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.selectbox(key="editor_model").set_value("claude-opus-5-5")
    app.run()
    app.selectbox(key="editor_effort").set_value("high")
    app.run()
    app.toggle(key="editor_schema_on").set_value(True)
    app.run()
    app.text_area(key="editor_schema").input('{"type": "object"}')  # not applied: open object
    app.run()
    app.selectbox(key="editor_model").set_value("claude-haiku-4-5")
    app.run()
    infos = [element.value for element in app.info]
    assert len(infos) == 1
    assert infos[0].startswith("Switched to Claude Haiku 4.5")
    assert "Effort" in infos[0]


def test_the_sidebar_key_warning_goes_away_after_a_run_that_works(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Hello")
    app.text_input(key="editor_extra_headers_text").input(json.dumps({"x-simulator-fault": "auth"}))
    app.run()
    click(app, "editor_run")
    assert any("check ANTHROPIC_API_KEY" in element.value for element in app.sidebar.error)
    app.text_input(key="editor_extra_headers_text").input("")
    app.run()
    click(app, "editor_run")
    assert "Simulated reply" in texts(app)
    assert not any("check ANTHROPIC_API_KEY" in element.value for element in app.sidebar.error)


def test_the_apis_own_reason_is_shown_when_count_tokens_refuses_the_request(monkeypatch, simulator):
    # An image type the API does not take: the rule book leaves content-block shapes to the API,
    # whose count_tokens refusal is shown before a run is spent.
    app = open_app(monkeypatch, simulator)
    bad_image = {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 256,
                                "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}, bad_image]}]}))
    refusal = [element.value for element in app.warning if "The API refuses this request" in element.value]
    assert refusal and "media_type" in refusal[0]
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 256,
                                "messages": [{"role": "user", "content": "Hi"}]}))
    assert "The API refuses this request" not in _warnings(app)


def test_a_tool_the_rule_book_refuses_is_named_without_a_count_tokens_call(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 256,
                                "tools": [{"name": "look up", "input_schema": {"type": "object"}}],
                                "messages": [{"role": "user", "content": "Hi"}]}))
    assert "characters the API refuses" in _warnings(app) and _run_blocked(app)
    assert "The API refuses this request" not in _warnings(app)
