"""Errors a user can cause get a sentence saying what to do, and never lose what they typed."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, texts, write_turn
from workbench.usage_log import UsageLog


def _errors(app) -> str:
    return " ".join(element.value for element in [*app.error, *app.sidebar.error])


def test_a_bad_key_is_named_in_the_sidebar_and_on_run_without_a_traceback(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator, api_key="bad-key")
    # First use: the model listing is refused, and the sidebar says so.
    sidebar = " ".join(element.value for element in app.sidebar.warning)
    assert "401" in sidebar and "Offline catalog file" in sidebar
    write_turn(app, 0, "Keep this text")
    click(app, "editor_run")
    assert "authentication_error" in _errors(app) and "check ANTHROPIC_API_KEY" in _errors(app)
    assert "bad-key" not in texts(app) and "bad-key" not in _errors(app)
    assert app.text_area(key="editor_turn_0_text").value == "Keep this text"
    app.run()
    assert any("check ANTHROPIC_API_KEY" in element.value for element in app.sidebar.error)
    assert UsageLog(workbench_home / "calls.db").recent(1)[0].error_status == 401


def test_a_rate_limit_says_how_long_to_wait(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Hello")
    # The simulator's fault header fails every attempt the SDK makes (first try + 2 retries).
    app.text_input(key="editor_extra_headers_text").input(json.dumps({"x-simulator-fault": "rate_limit;times=3"}))
    app.run()
    click(app, "editor_run")
    errors = _errors(app)
    assert "rate_limit_error (HTTP 429)" in errors and "Rate limited: wait" in errors
    assert app.text_area(key="editor_turn_0_text").value == "Hello"


def test_a_missing_variable_is_named_and_nothing_is_sent(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Dear {{recipient}}, about {{subject}}")
    app.text_area(key="editor_var_subject").input("the meeting")
    app.run()
    warnings = " ".join(element.value for element in app.warning)
    assert "{{recipient}}" in warnings and "{{subject}}" not in warnings
    assert app.button(key="editor_run").disabled  # said before the click, like every other problem
    assert UsageLog(workbench_home / "calls.db").count() == 0


def test_a_whitespace_only_value_counts_as_missing(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Dear {{recipient}}")
    app.text_area(key="editor_var_recipient").input("   ")
    app.run()
    assert "{{recipient}}" in " ".join(element.value for element in app.warning)
    assert app.button(key="editor_run").disabled
    assert UsageLog(workbench_home / "calls.db").count() == 0


def test_bad_request_json_is_refused_and_the_form_keeps_its_state(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Form text")
    apply_json(app, '{"model": "claude-haiku-4-5", "messages": [')
    assert "Not valid JSON" in _errors(app)
    assert app.text_area(key="editor_raw_json").value.endswith('"messages": [')  # what was typed stays
    assert app.text_area(key="editor_turn_0_text").value == "Form text"
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == "Form text"


def test_nan_in_request_json_is_refused_before_it_reaches_the_api(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Form text")
    apply_json(app, '{"model": "claude-haiku-4-5", "max_tokens": 100, "temperature": NaN, '
                    '"messages": [{"role": "user", "content": "hi"}]}')
    assert "NaN is not allowed in JSON" in _errors(app)
    assert "temperature" not in app.session_state["editor"].prompt.request


def test_request_json_that_breaks_the_format_gets_the_core_message(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "messages": []}))
    assert "Request JSON: $.max_tokens: missing" in _errors(app)


def test_an_api_400_shows_the_api_message_once(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    # An image type the API does not take: the rule book leaves it to the API, whose 400 is shown once.
    bad_image = {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 50,
                                "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, bad_image]}]}))
    app.toggle(key="editor_live_count").set_value(False)  # a refused count would only repeat it
    app.run()
    click(app, "editor_run")
    assert "invalid_request_error (HTTP 400)" in _errors(app)
    assert "The API rejected the request" in _errors(app)
    assert _errors(app).count("media_type: Input should be") == 1


def test_an_unknown_field_is_refused_before_sending(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    apply_json(app, json.dumps({"model": "claude-haiku-4-5", "max_tokens": 50, "foo": 1,
                                "messages": [{"role": "user", "content": "hi"}]}))
    assert "'foo' is not a Messages API field" in " ".join(element.value for element in app.warning)
    assert app.button(key="editor_run").disabled
    assert UsageLog(workbench_home / "calls.db").count() == 0
