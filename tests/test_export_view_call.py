"""Exporting a logged call: its request as sent (any {{...}} left in it is text), through the reusable panel."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from workbench.codegen import export_snippet

SENT = {"max_tokens": 50, "model": "claude-haiku-4-5", "stream": True,
        "messages": [{"content": "A value that says {{literally}} and $(x)", "role": "user"}]}


def _script(request_json: str) -> None:
    from components.export_view import render_call_export
    from components.page_state import ExportKeys

    render_call_export(request_json, keys=ExportKeys("usage_call_7"), name="greeting")


def test_a_logged_request_exports_as_sent_with_braces_kept_as_text():
    app = AppTest.from_function(_script, args=(json.dumps(SENT),), default_timeout=30).run()
    assert not app.exception, app.exception
    python = next(element.value for element in app.code if element.language == "python")
    request = {key: value for key, value in SENT.items() if key != "stream"}
    expected = export_snippet(request, None, "python", stream=True, name="greeting", templated=False)
    assert python == expected.code.rstrip("\n")
    assert '"content": "A value that says {{literally}} and $(x)"' in python
    assert app.toggle(key="usage_call_7_export_keep_variables").disabled
    app.toggle(key="usage_call_7_export_stream").set_value(False).run()
    python = next(element.value for element in app.code if element.language == "python")
    assert "client.messages.create(" in python


def test_an_unreadable_logged_request_is_said_not_raised():
    app = AppTest.from_function(_script, args=('{"model": "x"}',), default_timeout=30).run()
    assert not app.exception
    assert not app.code
    assert "can't be exported: $.max_tokens: missing" in app.warning[0].value
