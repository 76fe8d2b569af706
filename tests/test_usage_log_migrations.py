"""Migrations: applied once, in order, recorded in _migrations; later steps never touch old rows."""
from __future__ import annotations

import json
import sqlite3

import pytest

from workbench.migrations import CALL_LOG_MIGRATIONS, MIGRATIONS_TABLE, Migrations
from workbench.usage_log import CallRecord, UsageLog, UsageLogTooNew


def make_record() -> CallRecord:
    """A valid record."""
    return CallRecord(
        created_at="2026-03-01T10:00:00+00:00", source="editor", prompt_name="p", model="m",
        request_hash="h", input_tokens=3, output_tokens=4, cache_write_tokens=0,
        cache_read_tokens=0, ttft_ms=1.0, latency_ms=2.0, stop_reason="end_turn", error_type=None,
        error_status=None, request_id="r", cost_usd=0.5, price_version="v",
        request_json=json.dumps({"model": "m"}), response_json=None,
    )


def recorded_migrations(path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT name, applied_at FROM {MIGRATIONS_TABLE} ORDER BY rowid").fetchall()


def test_new_log_applies_every_migration_in_order_and_records_it(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    assert log.migrations_applied == CALL_LOG_MIGRATIONS.names()
    assert [name for name, _ in recorded_migrations(log.path)] == CALL_LOG_MIGRATIONS.names()


def test_opening_again_applies_nothing_and_keeps_the_records(tmp_path):
    path = tmp_path / "calls.db"
    UsageLog(path)
    before = recorded_migrations(path)
    assert UsageLog(path).migrations_applied == []
    assert recorded_migrations(path) == before


def test_a_later_migration_applies_once_and_leaves_old_rows_as_they_were(tmp_path):
    path = tmp_path / "calls.db"
    log = UsageLog(path)
    old_id = log.append(make_record())

    later = Migrations()
    for step in CALL_LOG_MIGRATIONS.steps:
        later.register(step)

    @later.register
    def m900_add_calls_note(conn):
        conn.execute("ALTER TABLE calls ADD COLUMN note TEXT")

    with sqlite3.connect(path, isolation_level=None) as conn:
        assert later.apply(conn) == ["m900_add_calls_note"]
        assert later.apply(conn) == []
        assert conn.execute("SELECT note FROM calls WHERE id = ?", (old_id,)).fetchone() == (None,)
    assert [name for name, _ in recorded_migrations(path)][-1] == "m900_add_calls_note"


def test_a_log_from_a_newer_version_is_refused_with_one_sentence_and_left_untouched(tmp_path):
    path = tmp_path / "calls.db"
    UsageLog(path).append(make_record())
    with sqlite3.connect(path) as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_from_the_future', '2030-01-01T00:00:00+00:00')")
    before = path.read_bytes()
    with pytest.raises(UsageLogTooNew, match=r"newer version of Workbench .*m999_from_the_future.*Nothing was sent"):
        UsageLog(path)
    assert recorded_migrations(path)[-1][0] == "m999_from_the_future"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM calls").fetchone() == (1,)


def test_a_log_from_before_attempts_is_migrated_and_its_rows_kept(tmp_path):
    """A log written by the first release (steps m001-m004) gains status and attempts; no row is lost."""
    path = tmp_path / "calls.db"
    first_release = Migrations()
    for step in CALL_LOG_MIGRATIONS.steps[:4]:
        first_release.register(step)
    with sqlite3.connect(path, isolation_level=None) as conn:
        first_release.apply(conn)
        conn.execute(
            "INSERT INTO calls (created_at, source, model, request_hash, input_tokens, cost_usd) "
            "VALUES ('2026-03-01T10:00:00.000000+00:00', 'cli', 'm', 'h', 12, 0.25)"
        )
        conn.execute("INSERT INTO call_bodies (call_id, request_json) VALUES (1, '{\"model\": \"m\"}')")
    log = UsageLog(path)
    assert log.migrations_applied == CALL_LOG_MIGRATIONS.names()[4:]
    old = log.get(1)
    assert (old.input_tokens, old.cost_usd, old.status, old.group_id, old.attempt, old.final) == (
        12, 0.25, "completed", 1, 1, True)
    assert old.template_json is None and old.variables_json is None
    assert log.get(log.append(make_record())).group_id == 2


def test_a_failing_migration_rolls_back_the_whole_batch(tmp_path):
    path = tmp_path / "fresh.db"
    failing = Migrations()

    @failing.register
    def m001_create_table(conn):
        conn.execute("CREATE TABLE t (x INTEGER)")

    @failing.register
    def m002_broken(conn):
        conn.execute("THIS IS NOT SQL")

    with sqlite3.connect(path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            failing.apply(conn)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "t" not in tables
    assert MIGRATIONS_TABLE not in tables


def test_duplicate_names_are_refused():
    registry = Migrations()

    def m001_same(conn):
        pass

    registry.register(m001_same)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(m001_same)


def test_apply_refuses_a_connection_with_implicit_transactions(tmp_path):
    with sqlite3.connect(tmp_path / "x.db") as conn:
        with pytest.raises(ValueError, match="isolation_level=None"):
            Migrations().apply(conn)
