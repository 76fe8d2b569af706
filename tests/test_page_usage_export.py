"""A logged call picked on the Usage page exports as code that sends the request as it was logged."""
from __future__ import annotations

import json

from editor_apptest import open_app

from components.page_state import UsageKeys
from workbench.codegen import export_snippet
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso

SENT = {"model": "claude-haiku-4-5", "max_tokens": 50,
        "messages": [{"role": "user", "content": "Hello Ada, {{not a variable}} $(x)"}]}


def test_a_picked_call_exports_its_logged_request(monkeypatch, simulator):
    UsageLog().append(CallRecord(
        created_at=utc_now_iso(), source="editor", prompt_name="greeting", model="claude-haiku-4-5",
        request_hash="h", input_tokens=10, output_tokens=5, cache_write_tokens=0, cache_read_tokens=0,
        ttft_ms=100.0, latency_ms=300.0, stop_reason="end_turn", error_type=None, error_status=None,
        request_id="req_1", cost_usd=0.001, price_version="v", request_json=json.dumps(SENT),
        response_json=json.dumps({"content": [{"type": "text", "text": "Hi"}]})))
    app = open_app(monkeypatch, simulator)
    app.switch_page("app_pages/usage.py").run()
    app.session_state[UsageKeys.CALLS] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, app.exception
    python = [element.value for element in app.code if element.language == "python"]
    expected = export_snippet(SENT, None, "python", stream=True, base_url=simulator.base_url, name="greeting",
                              templated=False)
    assert python == [expected.code.rstrip("\n")]
    assert '"content": "Hello Ada, {{not a variable}} $(x)"' in python[0]
