"""The Editor asks the rule book: what it shows before Run is what is sent, and nothing else decides."""
from __future__ import annotations

import json

from editor_apptest import apply_json, click, open_app, texts, write_turn
from workbench.models import offline_catalog
from workbench.pricing import load_price_table
from workbench.usage_log import UsageLog

def _warnings(app) -> str:
    return " ".join(element.value for element in app.warning)


def _run_blocked(app) -> bool:
    return app.button(key="editor_run").disabled


def _cost_table(app) -> str:
    return next(element.value for element in app.markdown if "Projected cost of one call" in element.value)


def test_a_blank_variable_disables_run_before_the_click(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Say hello to {{name}}.")
    assert "Give {{name}} a value" in _warnings(app) and _run_blocked(app)
    app.text_area(key="editor_var_name").input("   ")
    app.run()
    assert "Give {{name}} a value" in _warnings(app) and _run_blocked(app)
    app.text_area(key="editor_var_name").input("Ada")
    app.run()
    assert not _run_blocked(app)
    click(app, "editor_run")
    assert 'You wrote: "Say hello to Ada."' in texts(app)
    assert UsageLog(workbench_home / "calls.db").count() == 1


def test_max_tokens_above_the_model_limit_is_clamped_and_shown_as_sent(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Hi")
    model = app.session_state["editor"].prompt.request["model"]
    limit = offline_catalog().get(model).max_tokens
    app.number_input(key="editor_max_tokens").set_value(limit + 72_000)
    app.run()
    assert app.session_state["editor"].prompt.request["max_tokens"] == limit
    assert app.number_input(key="editor_max_tokens").value == limit
    assert f"max_tokens set to {limit:,}" in texts(app)
    assert f"({limit:,} output tokens)" in _cost_table(app)
    assert not _run_blocked(app)


def test_applying_request_json_updates_the_max_tokens_box(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    request = dict(app.session_state["editor"].prompt.request, max_tokens=100,
                   messages=[{"role": "user", "content": "Hi"}])
    apply_json(app, json.dumps(request))
    assert app.number_input(key="editor_max_tokens").value == 100


def test_no_cache_hit_price_without_a_breakpoint(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Summarise the plot of Hamlet in two sentences.")
    table = _cost_table(app)
    assert "| Standard | Batch |" in table and "Cache hit" not in table
    assert "No cache breakpoint" in texts(app)


def test_with_a_breakpoint_standard_includes_the_cache_write_premium(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    long_system = "You are a careful assistant. " * 400
    request = {"model": "claude-haiku-4-5", "max_tokens": 100,
               "system": [{"type": "text", "text": long_system, "cache_control": {"type": "ephemeral"}}],
               "messages": [{"role": "user", "content": "Hi"}]}
    apply_json(app, json.dumps(request))
    table = _cost_table(app)
    assert "Standard (first call, writes the cache)" in table and "Cache hit" in table
    standard, cache_hit, batch = (float(cell.strip().lstrip("≈$").replace(",", ""))
                                  for cell in table.splitlines()[-1].strip("| ").split(" | "))
    prices = load_price_table()
    tokens = int(next(metric.value for metric in app.metric if metric.label == "Input tokens").replace(",", ""))
    plain = prices.projected_cost("claude-haiku-4-5", tokens, 100).usd
    assert standard > plain > cache_hit  # the first call pays the write premium; a hit reads cheaply
    assert batch < standard
