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
