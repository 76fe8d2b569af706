"""The Editor on prompt caching: a run that should have read the cache and didn't says why."""
from __future__ import annotations

import json
import uuid

from editor_apptest import apply_json, click, open_app, texts

MANUAL = "Section of the long reference manual text. " * 140  # ~1,500 tokens


def cached_body(system_text: str, model: str = "claude-sonnet-4-6") -> str:
    return json.dumps({"model": model, "max_tokens": 200,
                       "system": [{"type": "text", "text": system_text, "cache_control": {"type": "ephemeral"}}],
                       "messages": [{"role": "user", "content": "What does the manual say?"}]})


def test_a_cache_miss_is_explained_with_the_prefix_diff(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.toggle(key="editor_live_count").set_value(False)
    manual = f"Manual {uuid.uuid4().hex}. " + MANUAL
    apply_json(app, cached_body(manual))
    click(app, "editor_run")
    assert "Cache miss" not in texts(app)  # the first run writes the cache: nothing was expected
    click(app, "editor_run")
    assert "Cache miss" not in texts(app)  # the second reads it
    apply_json(app, cached_body(manual.replace("reference", "revised", 1)))
    click(app, "editor_run")
    shown = texts(app)
    assert "Cache miss." in shown and "Expected to read about" in shown
    assert "the system prompt changed" in shown and "API diagnostics" in shown
    diffs = [block.value for block in app.code if block.language == "diff"]
    assert diffs and "revised" in diffs[0]


def test_sampling_parameters_are_offered_only_where_the_model_takes_them(monkeypatch, simulator, workbench_home):
    from workbench.usage_log import UsageLog
    app = open_app(monkeypatch, simulator)
    app.toggle(key="editor_live_count").set_value(False)
    apply_json(app, json.dumps({"model": "claude-opus-4-7", "max_tokens": 50,
                                "messages": [{"role": "user", "content": "Hi"}]}))
    assert app.toggle(key="editor_temperature_on").disabled
    assert "takes no sampling parameters" in texts(app)
    app.selectbox(key="editor_model").set_value("claude-haiku-4-5")
    app.run()
    assert not app.toggle(key="editor_temperature_on").disabled
    assert "refuses temperature and top_p together" in texts(app)
    app.toggle(key="editor_temperature_on").set_value(True)
    app.run()
    app.number_input(key="editor_temperature").set_value(0.3)
    app.run()
    click(app, "editor_run")
    sent = json.loads(UsageLog(workbench_home / "calls.db").recent(1)[0].request_json)
    assert sent["temperature"] == 0.3 and sent["model"] == "claude-haiku-4-5"
