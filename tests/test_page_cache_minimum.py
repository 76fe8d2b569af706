"""Before Run, the Editor and Compare say when a cache breakpoint covers fewer tokens than the model caches."""
from __future__ import annotations

import json

from editor_apptest import apply_json, open_app, texts


MANUAL = "Section of the long reference manual text. " * 140  # ~1,500 tokens


def cached_body(model: str) -> str:
    return json.dumps({"model": model, "max_tokens": 200,
                       "system": [{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
                       "messages": [{"role": "user", "content": "What does the manual say?"}]})


def test_the_editor_warns_when_a_breakpoint_is_below_the_models_minimum(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    apply_json(app, cached_body("claude-haiku-4-5"))  # Haiku 4.5 caches from 4,096 tokens
    shown = texts(app)
    assert "below Claude Haiku 4.5's 4,096-token minimum" in shown and "nothing will be cached" in shown
    assert not app.button(key="editor_run").disabled  # a warning: the API accepts it, it just caches nothing
    apply_json(app, cached_body("claude-sonnet-4-6"))  # 1,024 there
    assert "nothing will be cached" not in texts(app)


def test_compare_warns_per_model_for_a_breakpoint_below_its_minimum(monkeypatch, simulator):
    from test_page_compare import open_compare, rerun
    from workbench.spec import PromptSpec
    prompt = PromptSpec(name="manual", request=json.loads(cached_body("claude-sonnet-4-6")))
    app = open_compare(monkeypatch, simulator, prompt)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-sonnet-4-6"])
    rerun(app)
    warnings = [element.value for element in app.warning if "nothing will be cached" in element.value]
    assert len(warnings) == 1 and "Claude Haiku 4.5's 4,096-token minimum" in warnings[0]
