"""Exports (CSV, JSON lines) and clearing take the same filter as the Usage page; bodies come along."""
from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.call_filter import CallFilter
from workbench.usage_log import CSV_COLUMNS, CallRecord, UsageLog


def record(model: str, created_at: str, **changes) -> CallRecord:
    values = dict(
        created_at=created_at, source="editor", prompt_name="p", model=model, request_hash="h",
        input_tokens=5, output_tokens=7, cache_write_tokens=0, cache_read_tokens=0, ttft_ms=1.0,
        latency_ms=2.0, stop_reason="end_turn", error_type=None, error_status=None, request_id="req_1",
        cost_usd=None, price_version="v", request_json=json.dumps({"model": model, "text": "a, \"q\"\nline"}),
        response_json=json.dumps({"content": [{"type": "text", "text": "hello"}]}),
        template_json=json.dumps({"model": model, "text": "{{x}}"}), variables_json=json.dumps({"x": "y"}),
    )
    values.update(changes)
    return CallRecord(**values)


@pytest.fixture
def log() -> UsageLog:
    log = UsageLog()
    log.append(record("haiku", "2026-03-01T09:00:00Z"))
    log.append(record("opus", "2026-03-02T09:00:00Z", cost_usd=0.5))
    log.append(record("haiku", "2026-03-03T09:00:00Z"))
    return log


def test_csv_of_a_filter_has_the_header_and_only_matching_rows_oldest_first(log):
    out = io.StringIO()
    assert log.export_csv(out, call_filter=CallFilter(models=("haiku",))) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == CSV_COLUMNS
    assert [row["created_at"][:10] for row in rows] == ["2026-03-01", "2026-03-03"]
    assert rows[0]["cost_usd"] == ""  # unknown stays blank, never 0
    assert json.loads(rows[0]["request_json"])["text"] == "a, \"q\"\nline"


def test_json_lines_carry_bodies_as_json_and_unknown_cost_as_null(log, tmp_path):
    target = tmp_path / "calls.jsonl"
    assert log.export_jsonl(target, call_filter=CallFilter(since="2026-03-02")) == 2
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["model"] for line in lines] == ["opus", "haiku"]
    assert lines[0]["cost_usd"] == 0.5 and lines[1]["cost_usd"] is None
    assert lines[0]["response"]["content"][0]["text"] == "hello"
    assert lines[0]["variables"] == {"x": "y"} and lines[0]["template"]["text"] == "{{x}}"
    assert lines[0]["final"] is True and lines[0]["status"] == "completed"


def test_clearing_a_filter_removes_those_calls_and_their_bodies_only(log):
    assert log.delete(CallFilter(models=("haiku",))) == 2
    assert [row["model"] for row in log.query_calls()] == ["opus"]
    assert log.select("SELECT COUNT(*) AS n FROM call_bodies")[0]["n"] == 1
    assert log.delete(CallFilter()) == 1
    assert log.count() == 0
