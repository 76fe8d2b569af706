"""Schema migrations of the call log: small functions, applied once each, in order, and recorded."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Callable

MigrationStep = Callable[[sqlite3.Connection], None]

MIGRATIONS_TABLE = "_migrations"


class NewerSchemaError(Exception):
    """The database records steps this version doesn't know: a newer Workbench wrote it."""

    def __init__(self, unknown_steps: list[str]) -> None:
        super().__init__(f"unknown schema steps: {', '.join(unknown_steps)}")
        self.unknown_steps = unknown_steps


class Migrations:
    """An ordered registry of migration steps; `apply` runs the ones a database has not seen."""

    def __init__(self) -> None:
        self.steps: list[MigrationStep] = []

    def register(self, step: MigrationStep) -> MigrationStep:
        """Decorator: append `step` to the registry; its function name is its permanent record."""
        if any(existing.__name__ == step.__name__ for existing in self.steps):
            raise ValueError(f"migration {step.__name__!r} is already registered")
        self.steps.append(step)
        return step

    def names(self) -> list[str]:
        """Registered step names, in the order they apply."""
        return [step.__name__ for step in self.steps]

    def apply(self, conn: sqlite3.Connection) -> list[str]:
        """Apply the missing steps in one IMMEDIATE transaction; return the names applied now."""
        if conn.isolation_level is not None:
            # The sqlite3 module's implicit transactions would commit behind our back.
            raise ValueError("apply() needs a connection opened with isolation_level=None")
        # IMMEDIATE takes the write lock before we read _migrations, so two processes opening a
        # new database at once cannot both decide to run the same step: the second waits
        # (busy_timeout), then sees the first one's records.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            already_applied = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
            unknown = sorted(already_applied - set(self.names()))
            if unknown:
                # A newer version changed the schema in ways this one can't know: writing rows
                # shaped for the old schema could lose data, so refuse before anything is written.
                raise NewerSchemaError(unknown)
            applied_now: list[str] = []
            for step in self.steps:
                if step.__name__ in already_applied:
                    continue
                step(conn)
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                    (step.__name__, datetime.now(timezone.utc).isoformat(timespec="microseconds")),
                )
                applied_now.append(step.__name__)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return applied_now


CALL_LOG_MIGRATIONS = Migrations()
call_log_migration = CALL_LOG_MIGRATIONS.register

# Steps use conn.execute only: executescript() would COMMIT first and break the transaction.
# A later change is a new step at the end; a released step is never edited.


@call_log_migration
def m001_create_calls(conn: sqlite3.Connection) -> None:
    """The narrow table every chart aggregates over: one row per API call, no bodies."""
    conn.execute(
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL,
            prompt_name TEXT,
            model TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            ttft_ms REAL,
            latency_ms REAL,
            stop_reason TEXT,
            error_type TEXT,
            error_status INTEGER,
            request_id TEXT,
            cost_usd REAL,
            price_version TEXT
        )
        """
    )


@call_log_migration
def m002_create_call_bodies(conn: sqlite3.Connection) -> None:
    """Request/response JSON apart from `calls`, so aggregate scans never page through bodies."""
    conn.execute(
        """
        CREATE TABLE call_bodies (
            call_id INTEGER PRIMARY KEY REFERENCES calls(id),
            request_json TEXT NOT NULL,
            response_json TEXT
        )
        """
    )


@call_log_migration
def m003_index_calls_created_at(conn: sqlite3.Connection) -> None:
    """`since=` filters and per-day totals read a time range."""
    conn.execute("CREATE INDEX calls_created_at ON calls(created_at)")


@call_log_migration
def m004_index_calls_source(conn: sqlite3.Connection) -> None:
    """`recent(source=)` and `count(source=)` per page."""
    conn.execute("CREATE INDEX calls_source ON calls(source, id)")


@call_log_migration
def m005_message_batches(conn: sqlite3.Connection) -> None:
    """Message Batches: each submitted batch and its requests, so a restarted app or CLI resumes.

    `calls.batch_id` ties a logged result to its batch; `batch_requests.call_id` says which
    results are logged already (collecting again after a crash logs each result once).
    """
    conn.execute("ALTER TABLE calls ADD COLUMN batch_id TEXT")
    conn.execute("CREATE INDEX calls_batch_id ON calls(batch_id) WHERE batch_id IS NOT NULL")
    conn.execute(
        """
        CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL,
            prompt_name TEXT,
            base_url TEXT NOT NULL,
            request_count INTEGER NOT NULL,
            models_json TEXT NOT NULL,
            cases_json TEXT,
            template_json TEXT NOT NULL,
            status TEXT NOT NULL,
            counts_json TEXT,
            ended_at TEXT,
            collected_at TEXT,
            problems_json TEXT
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE batch_requests (
            batch_id TEXT NOT NULL REFERENCES batches(id),
            custom_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            model TEXT NOT NULL,
            repeat INTEGER NOT NULL,
            case_index INTEGER,
            request_json TEXT NOT NULL,
            call_id INTEGER REFERENCES calls(id),
            PRIMARY KEY (batch_id, custom_id)
        )
        """
    )


@call_log_migration
def m006_call_status_and_attempts(conn: sqlite3.Connection) -> None:
    """Write-ahead status, attempts grouped into logical calls, 1-hour cache writes, restorable variables.

    Rows from before this step were written after their call finished and had no retries of
    their own, so they are completed single-attempt calls, each its own group.
    """
    for column in (
        "status TEXT NOT NULL DEFAULT 'completed'",  # pending -> completed; interrupted if the writer died
        "writer_pid INTEGER",
        "writer_host TEXT",
        "group_id INTEGER",  # the logical call: the id of its first attempt
        "attempt INTEGER NOT NULL DEFAULT 1",
        "final INTEGER NOT NULL DEFAULT 1",  # 1 on the latest attempt of its group
        "sdk_retries INTEGER",  # HTTP retries the SDK made inside this attempt
        "cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0",  # part of cache_write_tokens
    ):
        conn.execute(f"ALTER TABLE calls ADD COLUMN {column}")
    conn.execute("UPDATE calls SET group_id = id")
    conn.execute("ALTER TABLE call_bodies ADD COLUMN template_json TEXT")  # the request before {{variables}}
    conn.execute("ALTER TABLE call_bodies ADD COLUMN variables_json TEXT")
    conn.execute("CREATE INDEX calls_group ON calls(group_id)")
    conn.execute("CREATE INDEX calls_pending ON calls(id) WHERE status = 'pending'")
    # The Usage page's filter lists and History read these without scanning the log.
    conn.execute("CREATE INDEX calls_model ON calls(model)")
    conn.execute("CREATE INDEX calls_prompt ON calls(prompt_name, id)")
    # The Usage page groups by hour and model: walking this index in order needs no sort of the
    # rows (about half the time for a week of a 1M-call log, bench/usage_scale.py).
    conn.execute("ALTER TABLE calls ADD COLUMN hour TEXT GENERATED ALWAYS AS (substr(created_at, 1, 13)) VIRTUAL")
    conn.execute("CREATE INDEX calls_hour_model ON calls(hour, model)")
