"""Call log basics: round trip, filters, validation, unknown cost, WAL, default location."""
from __future__ import annotations

import json
import sqlite3

import pytest

from workbench.call_filter import CallFilter
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso


def make_record(**changes) -> CallRecord:
    """A complete, valid record; tests change only what they are about."""
    values = dict(
        created_at="2026-03-01T10:00:00.000000+00:00", source="editor", prompt_name="greeting",
        model="claude-haiku-4-5", request_hash="sha256:abc", input_tokens=12, output_tokens=34,
        cache_write_tokens=0, cache_read_tokens=0, ttft_ms=120.5, latency_ms=800.0,
        stop_reason="end_turn", error_type=None, error_status=None, request_id="req_1",
        cost_usd=0.0012, price_version="2026-11-24+0000abcd",
        request_json=json.dumps({"model": "claude-haiku-4-5", "max_tokens": 64,
                                 "messages": [{"role": "user", "content": "Hi"}]}),
        response_json=json.dumps({"type": "message", "content": [{"type": "text", "text": "Hello"}]}),
    )
    values.update(changes)
    return CallRecord(**values)


@pytest.fixture
def log(tmp_path) -> UsageLog:
    return UsageLog(tmp_path / "calls.db")


def test_append_then_get_returns_the_same_record_with_its_id(log):
    record = make_record(cache_write_tokens=5, cache_read_tokens=7, error_type="overloaded_error",
                         error_status=529)
    call_id = log.append(record)
    stored = log.get(call_id)
    record.id = call_id
    record.group_id = call_id  # a first attempt is its own logical call
    assert stored == record


def test_get_unknown_id_is_none(log):
    assert log.get(12345) is None


def test_unknown_cost_is_stored_as_null_not_zero(log):
    call_id = log.append(make_record(cost_usd=None, price_version=None))
    assert log.get(call_id).cost_usd is None
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("SELECT cost_usd IS NULL FROM calls WHERE id = ?", (call_id,)).fetchone() == (1,)


def test_zero_cost_stays_a_known_zero(log):
    assert log.get(log.append(make_record(cost_usd=0.0))).cost_usd == 0.0


def test_recent_is_newest_first_and_filters_by_source(log):
    ids = [log.append(make_record(source=source)) for source in ("editor", "compare", "editor", "cli")]
    assert [r.id for r in log.recent()] == ids[::-1]
    assert [r.id for r in log.recent(2)] == [ids[3], ids[2]]
    assert [r.id for r in log.recent(source="editor")] == [ids[2], ids[0]]
    assert log.recent(source="tools") == []


def test_count_all_and_by_source(log):
    for source in ("editor", "compare", "compare"):
        log.append(make_record(source=source))
    assert log.count() == 3
    assert log.count(source="compare") == 2
    assert log.count(source="tools") == 0


def test_created_at_is_stored_in_canonical_utc(log):
    call_id = log.append(make_record(created_at="2026-03-01T12:30:00+02:00"))
    assert log.get(call_id).created_at == "2026-03-01T10:30:00.000000+00:00"
    assert log.get(log.append(make_record(created_at="2026-03-01T10:30:00Z"))).created_at == (
        "2026-03-01T10:30:00.000000+00:00"
    )


def test_utc_now_iso_round_trips_unchanged(log):
    now = utc_now_iso()
    assert log.get(log.append(make_record(created_at=now))).created_at == now


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"source": "browser"}, "source"),
        ({"created_at": "2026-03-01T10:00:00"}, "UTC offset"),
        ({"created_at": "yesterday"}, "ISO 8601"),
        ({"input_tokens": -1}, "input_tokens"),
        ({"output_tokens": 1.5}, "output_tokens"),
        ({"cost_usd": -0.01}, "cost_usd"),
        ({"model": ""}, "model"),
        ({"request_json": "{not json"}, "request_json is not valid JSON"),
        ({"response_json": "<html>"}, "response_json is not valid JSON"),
    ],
)
def test_invalid_records_are_refused_and_nothing_is_written(log, changes, message):
    with pytest.raises(ValueError, match=message):
        log.append(make_record(**changes))
    assert log.count() == 0


def test_database_is_in_wal_mode(log):
    assert log.journal_mode() == "wal"
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_path_is_calls_db_under_workbench_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    log = UsageLog()
    assert log.path == home / "calls.db"
    log.append(make_record())
    assert (home / "calls.db").exists()


def test_query_calls_filters_and_leaves_out_bodies(log):
    log.append(make_record(model="a", source="editor", created_at="2026-03-01T00:00:00Z"))
    later_a = log.append(make_record(model="a", source="cli", created_at="2026-03-05T00:00:00Z"))
    later_b = log.append(make_record(model="b", source="cli", created_at="2026-03-06T00:00:00Z"))
    rows = log.query_calls(CallFilter(since="2026-03-02"))
    assert [row["id"] for row in rows] == [later_b, later_a]
    assert "request_json" not in rows[0] and "response_json" not in rows[0]
    assert [row["id"] for row in log.query_calls(CallFilter(models=("a",), sources=("cli",)))] == [later_a]
    assert len(log.query_calls(limit=1)) == 1
