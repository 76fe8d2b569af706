"""Usage page by widget key: an empty log says what to do; a filled one shows KPIs, charts, filters and calls."""
from __future__ import annotations

import json
import sqlite3

from editor_apptest import click, metric_value, open_app, texts

from workbench.migrations import MIGRATIONS_TABLE
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso

USAGE = "app_pages/usage.py"


def record(model: str, **changes) -> CallRecord:
    values = dict(
        created_at=utc_now_iso(), source="editor", prompt_name="notes", model=model, request_hash="h",
        input_tokens=1000, output_tokens=100, cache_write_tokens=0, cache_read_tokens=500, ttft_ms=200.0,
        latency_ms=1500.0, stop_reason="end_turn", error_type=None, error_status=None, request_id="req_1",
        cost_usd=0.01, price_version="old-table",
        request_json=json.dumps({"model": model, "max_tokens": 50,
                                 "messages": [{"role": "user", "content": "Hello Ada"}]}),
        template_json=json.dumps({"model": model, "max_tokens": 50,
                                  "messages": [{"role": "user", "content": "Hello {{name}}"}]}),
        variables_json=json.dumps({"name": "Ada"}),
        response_json=json.dumps({"content": [{"type": "text", "text": "Hi from the log"}],
                                  "usage": {"input_tokens": 1000, "output_tokens": 100}}),
    )
    values.update(changes)
    return CallRecord(**values)


def usage_page(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.switch_page(USAGE).run()
    assert not app.exception, app.exception
    return app


def test_an_empty_log_says_what_to_do_instead_of_empty_charts(monkeypatch, simulator):
    app = usage_page(monkeypatch, simulator)
    assert "No calls logged yet. Run a prompt in the Editor" in texts(app)
    assert not app.get("plotly_chart") and not app.metric


def test_a_filled_log_shows_kpis_charts_and_a_filter_that_narrows_them(monkeypatch, simulator):
    log = UsageLog()
    for _ in range(3):
        log.append(record("claude-haiku-4-5"))
    log.append(record("claude-opus-4-1", cost_usd=0.5, error_type="overloaded_error", error_status=529,
                      input_tokens=0, output_tokens=0, cache_read_tokens=0, response_json=None))
    app = usage_page(monkeypatch, simulator)
    assert metric_value(app, "Calls") == "4"
    assert metric_value(app, "Error rate") == "25.0%"
    assert metric_value(app, "Input tokens") == "3K"
    assert metric_value(app, "Latency p95") == "1,500 ms"
    assert len(app.get("plotly_chart")) == 4
    assert "computed with price table old-table (4 calls)" in texts(app)
    app.multiselect(key="usage_models").select("claude-haiku-4-5").run()
    assert metric_value(app, "Calls") == "3" and metric_value(app, "Error rate") == "0.0%"
    assert len(app.get("plotly_chart")) == 3  # no errors: a sentence instead of an empty chart
    assert "No errors in these calls." in texts(app)
    app.toggle(key="usage_reprice").set_value(True).run()
    assert not app.exception, app.exception


def test_a_filter_matching_nothing_says_so(monkeypatch, simulator):
    UsageLog().append(record("claude-haiku-4-5"))
    app = usage_page(monkeypatch, simulator)
    app.multiselect(key="usage_outcomes").select("interrupted").run()
    assert "No calls match these filters" in texts(app)


def test_clearing_needs_confirmation_and_can_keep_calls_outside_the_filter(monkeypatch, simulator):
    log = UsageLog()
    log.append(record("claude-haiku-4-5"))
    log.append(record("claude-opus-4-1"))
    app = usage_page(monkeypatch, simulator)
    app.multiselect(key="usage_models").select("claude-opus-4-1").run()
    assert app.button(key="usage_clear").disabled
    app.checkbox(key="usage_clear_confirm").check().run()
    click(app, "usage_clear")
    assert [row["model"] for row in log.query_calls()] == ["claude-haiku-4-5"]


def test_a_newer_log_is_one_error_on_the_page(monkeypatch, simulator, workbench_home):
    UsageLog().close()
    with sqlite3.connect(workbench_home / "calls.db") as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    app = usage_page(monkeypatch, simulator)
    assert len(app.error) == 1 and "newer version of Workbench" in app.error[0].value


def test_a_newer_log_blocks_compare_with_the_same_sentence(monkeypatch, simulator, workbench_home):
    UsageLog().close()
    with sqlite3.connect(workbench_home / "calls.db") as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    app = open_app(monkeypatch, simulator)
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception, app.exception
    assert "newer version of Workbench" in texts(app)
