"""The call log: one SQLite row per API call, for history, "restore this run", charts and export."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from workbench import paths
from workbench.call_filter import CallFilter, normalize_timestamp
from workbench.csv_out import write_csv
from workbench.key_shapes import json_text_may_hold_key, key_shaped_paths
from workbench.migrations import CALL_LOG_MIGRATIONS, MIGRATIONS_TABLE, NewerSchemaError

SOURCES = ("editor", "compare", "tools", "cli", "batch")

# Writers wait this long for the lock instead of failing with "database is locked".
BUSY_TIMEOUT_S = 30.0

# Field names that would carry the API key; compared lower-cased with "_" read as "-".
SECRET_FIELD_NAMES = frozenset({"x-api-key", "api-key", "authorization"})

# query_calls never returns more rows than this, whatever the caller asks.
QUERY_ROW_CAP = 10_000


@dataclass
class CallRecord:
    """One attempt at an API call as logged; `id` and the attempt bookkeeping are set by the log."""

    created_at: str
    source: str
    prompt_name: str | None
    model: str
    request_hash: str
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    ttft_ms: float | None
    latency_ms: float | None
    stop_reason: str | None
    error_type: str | None
    error_status: int | None
    request_id: str | None
    cost_usd: float | None
    price_version: str | None
    request_json: str
    response_json: str | None
    # Of cache_write_tokens, how many were written with the 1-hour TTL (priced higher).
    cache_write_1h_tokens: int = 0
    sdk_retries: int | None = None
    # The prompt's request before {{variables}} were filled in, and the values used: "Open in Editor".
    template_json: str | None = None
    variables_json: str | None = None
    batch_id: str | None = None  # the Message Batch this result came from (source "batch")
    # Set by the log: pending until the call ends, interrupted if its process died first.
    status: str = "completed"
    group_id: int | None = None  # the logical call this attempt belongs to (its first attempt's id)
    attempt: int = 1
    final: bool = True  # the latest attempt of its logical call
    id: int | None = None


RECORD_FIELDS = [field.name for field in fields(CallRecord)]
BODY_COLUMNS = ("request_json", "response_json", "template_json", "variables_json")
# Columns the log itself fills in; the rest of a record is the caller's.
BOOKKEEPING_COLUMNS = ("status", "group_id", "attempt", "final", "id")
# Columns of the narrow `calls` table the caller writes, in CallRecord order.
CALL_COLUMNS = [name for name in RECORD_FIELDS if name not in BODY_COLUMNS and name not in BOOKKEEPING_COLUMNS]
# Exports' columns: id first, then the record in declaration order, the bodies last.
CSV_COLUMNS = ["id", *[name for name in RECORD_FIELDS if name != "id" and name not in BODY_COLUMNS], *BODY_COLUMNS]
STATUSES = ("pending", "completed", "interrupted")

_SELECT_RECORD = (
    "SELECT c.id, " + ", ".join(f"c.{name}" for name in CALL_COLUMNS + ["status", "group_id", "attempt", "final"])
    + ", " + ", ".join(f"b.{name}" for name in BODY_COLUMNS)
    + " FROM calls c JOIN call_bodies b ON b.call_id = c.id"
)
_INSERT_CALL = (
    f"INSERT INTO calls ({', '.join(CALL_COLUMNS)}, status, writer_pid, writer_host, attempt, final) "
    f"VALUES ({', '.join('?' for _ in CALL_COLUMNS)}, ?, ?, ?, ?, 1)"
)
_INSERT_BODIES = f"INSERT INTO call_bodies (call_id, {', '.join(BODY_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
_COMPLETE_CALL = f"UPDATE calls SET {', '.join(f'{name} = ?' for name in CALL_COLUMNS)}, status = ? WHERE id = ?"


class UsageLogTooNew(Exception):
    """The log was written by a newer Workbench; nothing may be sent until that is sorted out."""


def utc_now_iso() -> str:
    """The current time in the log's canonical created_at form."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def check_body_json(label: str, text: str) -> None:
    """Refuse a body that is not JSON or that has a key-bearing field (the key is never stored)."""
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError(f"{label} is not valid JSON") from None
    # Parsing, not substring search: a prompt may say "authorization"; only a field name, or text
    # shaped like a key, counts. The text test first spares most bodies the walk.
    if not json_text_may_hold_key(text):
        return
    for where, kind in key_shaped_paths(parsed):
        what = "a field" if kind == "name" else "text shaped like an API key at"
        raise ValueError(f"refusing to store {label}: it has {what} {where} that may hold the API key")


def _validated_row(record: CallRecord) -> tuple:
    """The caller's `calls` values for `record`, after checking what would be wrong to store."""
    if record.source not in SOURCES:
        raise ValueError(f"source {record.source!r} is not one of {', '.join(SOURCES)}")
    if not record.model:
        raise ValueError("model must be a non-empty string")
    for name in ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "cache_write_1h_tokens"):
        count = getattr(record, name)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"{name} must be a non-negative int, got {count!r}")
    if record.cost_usd is not None and record.cost_usd < 0:
        raise ValueError(f"cost_usd must be None (unknown) or >= 0, got {record.cost_usd!r}")
    check_body_json("request_json", record.request_json)
    for name in ("response_json", "template_json", "variables_json"):
        if getattr(record, name) is not None:
            check_body_json(name, getattr(record, name))
    created_at = normalize_timestamp(record.created_at)
    return tuple(created_at if name == "created_at" else getattr(record, name) for name in CALL_COLUMNS)


def insert_call(conn: sqlite3.Connection, record: CallRecord, *, status: str = "completed",
                attempt_of: int | None = None) -> int:
    """Insert one call (row and bodies) inside the caller's transaction; return its id.

    `attempt_of` is the id of the previous attempt at the same logical call: this row joins its
    group and becomes the group's final attempt.
    """
    row = _validated_row(record)
    previous = None
    if attempt_of is not None:
        previous = conn.execute("SELECT group_id, attempt FROM calls WHERE id = ?", (attempt_of,)).fetchone()
    attempt = previous[1] + 1 if previous else 1
    call_id = conn.execute(_INSERT_CALL, (*row, status, os.getpid(), socket.gethostname(), attempt)).lastrowid
    group_id = previous[0] if previous else call_id
    conn.execute("UPDATE calls SET group_id = ? WHERE id = ?", (group_id, call_id))
    if previous:
        conn.execute("UPDATE calls SET final = 0 WHERE group_id = ? AND id != ?", (group_id, call_id))
    conn.execute(_INSERT_BODIES, (call_id, *(getattr(record, name) for name in BODY_COLUMNS)))
    return call_id


def _record_from_row(row: sqlite3.Row) -> CallRecord:
    """A stored row (calls joined with call_bodies) as a CallRecord."""
    values = {name: row[name] for name in RECORD_FIELDS}
    values["final"] = bool(values["final"])
    return CallRecord(**values)


def _process_is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


class UsageLog:
    """The call log at `path`; every operation opens its own connection, so any thread may use it.

    Raises UsageLogTooNew when a newer Workbench wrote the file (checked before anything is written).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.call_log_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            self._enable_wal(conn)
            try:
                self.migrations_applied: list[str] = CALL_LOG_MIGRATIONS.apply(conn)
            except NewerSchemaError as error:
                raise UsageLogTooNew(
                    f"The call log {self.path} was written by a newer version of Workbench (it has schema "
                    f"changes this version doesn't know: {', '.join(error.unknown_steps)}). Nothing was sent. "
                    "Upgrade Workbench, or set WORKBENCH_HOME to another folder to start a new log."
                ) from None
        # The last connection to close a WAL database checkpoints it and deletes the WAL file.
        # With a fresh connection per operation that happened on every append (about 6x slower,
        # see bench/usage_log_bench.py), so this one stays open for the log's lifetime. It runs
        # no statement after this line, so no thread ever shares it, and it holds no snapshot,
        # so checkpoints still run (automatically, every 1000 WAL pages).
        self._wal_holder: sqlite3.Connection | None = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        self._wal_holder.execute(f"SELECT COUNT(*) FROM {MIGRATIONS_TABLE}").fetchall()
        self.mark_interrupted()

    def close(self) -> None:
        """Let go of the WAL-holding connection; operations still work, each just costs more."""
        holder, self._wal_holder = self._wal_holder, None
        if holder is None:
            return
        try:
            holder.close()
        except sqlite3.ProgrammingError:
            # Called from another thread (check_same_thread stays on): garbage collection
            # closes the connection instead, from whichever thread collects it.
            pass

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh autocommit connection, closed afterwards; never shared between threads."""
        # isolation_level=None: we write BEGIN IMMEDIATE / COMMIT ourselves, so every write is
        # exactly one transaction and takes the write lock up front (a deferred transaction that
        # upgrades to a write can fail with "locked" without waiting on busy_timeout).
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            # WAL commits need no fsync with NORMAL; a power cut may lose the last few calls,
            # never corrupt the file. A call log can afford that for fast appends.
            conn.execute("PRAGMA synchronous = NORMAL")
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def read_connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection for reads (rows as sqlite3.Row), closed afterwards."""
        with self._connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection inside BEGIN IMMEDIATE: committed at the end, rolled back on any error."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (persistent), retrying while another opener holds the lock."""
        # Changing the journal mode of a brand-new file can report "locked" without waiting on
        # busy_timeout when several processes create the log at once, so wait here ourselves.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
                continue
            if mode.lower() != "wal":
                raise RuntimeError(f"could not switch {self.path} to WAL mode (got {mode!r})")
            return

    def journal_mode(self) -> str:
        """The database's journal mode as SQLite reports it ("wal" once opened here)."""
        with self._connect() as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]

    # ------------------------------------------------------------ writing

    def begin(self, record: CallRecord, *, attempt_of: int | None = None) -> int:
        """Write-ahead: store the call as pending before its request is sent; return its id.

        `attempt_of` is the id of the previous attempt at the same logical call (a re-queue):
        this row joins its group and becomes the group's final attempt.
        """
        return self._insert(record, "pending", attempt_of)

    def complete(self, call_id: int, record: CallRecord) -> None:
        """Fill in a pending call's outcome (tokens, timings, cost, response) and mark it completed."""
        row = _validated_row(record)
        with self.write_transaction() as conn:
            updated = conn.execute(_COMPLETE_CALL, (*row, "completed", call_id)).rowcount
            if not updated:
                raise ValueError(f"no call {call_id} in the log to complete")
            conn.execute(
                "UPDATE call_bodies SET response_json = ? WHERE call_id = ?", (record.response_json, call_id)
            )

    def append(self, record: CallRecord, *, attempt_of: int | None = None) -> int:
        """Store one finished call (row and bodies) in one transaction; return its id."""
        return self._insert(record, "completed", attempt_of)

    def _insert(self, record: CallRecord, status: str, attempt_of: int | None) -> int:
        with self.write_transaction() as conn:
            return insert_call(conn, record, status=status, attempt_of=attempt_of)

    def mark_interrupted(self) -> int:
        """Pending calls whose process is gone (killed mid-call) become interrupted; returns how many."""
        host = socket.gethostname()
        with self._connect() as conn:
            pending = conn.execute(
                "SELECT DISTINCT writer_pid FROM calls WHERE status = 'pending' AND writer_host = ?", (host,)
            ).fetchall()
        dead = [row[0] for row in pending if row[0] is not None and not _process_is_running(row[0])]
        if not dead:
            return 0
        with self.write_transaction() as conn:
            return conn.execute(
                f"UPDATE calls SET status = 'interrupted' WHERE status = 'pending' AND writer_host = ? "
                f"AND writer_pid IN ({', '.join('?' for _ in dead)})",
                (host, *dead),
            ).rowcount

    def delete(self, call_filter: CallFilter) -> int:
        """Remove the calls matching the filter (every attempt of them), bodies included; returns how many."""
        condition, params = call_filter.sql()
        with self.write_transaction() as conn:
            conn.execute(
                f"DELETE FROM call_bodies WHERE call_id IN (SELECT id FROM calls WHERE {condition})", params
            )
            return conn.execute(f"DELETE FROM calls WHERE {condition}", params).rowcount

    # ------------------------------------------------------------ reading

    def get(self, call_id: int) -> CallRecord | None:
        """The call with this id, bodies included, or None."""
        with self._connect() as conn:
            row = conn.execute(_SELECT_RECORD + " WHERE c.id = ?", (call_id,)).fetchone()
        return _record_from_row(row) if row else None

    def attempts(self, group_id: int) -> list[CallRecord]:
        """Every attempt at one logical call, first to last."""
        with self._connect() as conn:
            rows = conn.execute(_SELECT_RECORD + " WHERE c.group_id = ? ORDER BY c.id", (group_id,)).fetchall()
        return [_record_from_row(row) for row in rows]

    def recent(self, limit: int = 50, *, source: str | None = None) -> list[CallRecord]:
        """The newest calls first, optionally from one source."""
        where, params = ("WHERE c.source = ?", [source]) if source is not None else ("", [])
        with self._connect() as conn:
            rows = conn.execute(
                f"{_SELECT_RECORD} {where} ORDER BY c.id DESC LIMIT ?", [*params, int(limit)]
            ).fetchall()
        return [_record_from_row(row) for row in rows]

    def count(self, *, source: str | None = None) -> int:
        """How many attempts are logged, optionally from one source."""
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        with self._connect() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM calls {where}", params).fetchone()[0]

    def is_empty(self) -> bool:
        """True when no call has been logged (without counting a large log)."""
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM calls LIMIT 1").fetchone() is None

    def query_calls(self, call_filter: CallFilter = CallFilter(), *, limit: int = 1000, offset: int = 0,
                    final_only: bool = False) -> list[dict]:
        """Newest calls matching the filter as dicts without bodies, at most QUERY_ROW_CAP."""
        condition, params = call_filter.sql()
        if final_only:
            condition += " AND final = 1"
        row_limit = max(0, min(int(limit), QUERY_ROW_CAP))
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT id, {', '.join(CALL_COLUMNS)}, status, group_id, attempt, final FROM calls "
                f"WHERE {condition} ORDER BY id DESC LIMIT ? OFFSET ?",
                [*params, row_limit, max(0, int(offset))],
            ).fetchall()
        return [dict(row) for row in rows]

    def select(self, sql: str, params: list | tuple = ()) -> list[dict]:
        """Rows of a read-only query (the aggregates in usage_stats) as dicts."""
        with self._connect() as conn:
            return [dict(row) for row in conn.execute(sql, params)]

    def stream_rows(self, sql: str, params: list | tuple = ()) -> Iterator[sqlite3.Row]:
        """Rows of a read-only query one at a time, from one consistent snapshot, never all in memory."""
        with self._connect() as conn:
            conn.execute("BEGIN")
            try:
                yield from conn.execute(sql, params)
            finally:
                conn.execute("COMMIT")

    # ------------------------------------------------------------ export

    def export_csv(self, out: str | Path | IO[str], *, include_bodies: bool = True,
                   call_filter: CallFilter = CallFilter()) -> int:
        """Write the matching calls as CSV to a path or text stream, oldest first; return the row count."""
        columns = CSV_COLUMNS if include_bodies else [name for name in CSV_COLUMNS if name not in BODY_COLUMNS]
        with _text_stream(out) as stream:
            # write_csv neutralises formula-leading cells; an unknown cost (None) stays blank, never 0
            return write_csv(stream, columns, self._export_rows(columns, call_filter))

    def export_jsonl(self, out: str | Path | IO[str], *, call_filter: CallFilter = CallFilter()) -> int:
        """Write the matching calls as JSON lines (bodies parsed back to JSON), oldest first; return the count."""
        written = 0
        with _text_stream(out) as stream:
            for row in self._export_rows(CSV_COLUMNS, call_filter):
                item = dict(zip(CSV_COLUMNS, row))
                for name in BODY_COLUMNS:
                    if item[name] is not None:
                        item[name.removesuffix("_json")] = json.loads(item.pop(name))
                    else:
                        item[name.removesuffix("_json")] = item.pop(name)
                item["final"] = bool(item["final"])
                stream.write(json.dumps(item, ensure_ascii=False) + "\n")
                written += 1
        return written

    def _export_rows(self, columns: list[str], call_filter: CallFilter) -> Iterator[tuple]:
        """Rows straight from the cursor, so an export never holds the log in memory."""
        selected = ", ".join(f"b.{name}" if name in BODY_COLUMNS else f"c.{name}" for name in columns)
        join = "JOIN call_bodies b ON b.call_id = c.id" if any(name in BODY_COLUMNS for name in columns) else ""
        condition, params = call_filter.sql()
        # The filter's columns are unqualified: it reads them from `calls` through a subquery.
        with self._connect() as conn:
            conn.row_factory = None  # plain tuples
            # One read transaction for a consistent snapshot; in WAL, writers keep going meanwhile.
            conn.execute("BEGIN")
            try:
                yield from conn.execute(
                    f"SELECT {selected} FROM calls c {join} "
                    f"WHERE c.id IN (SELECT id FROM calls WHERE {condition}) ORDER BY c.id",
                    params,
                )
            finally:
                conn.execute("COMMIT")


@contextlib.contextmanager
def _text_stream(out: str | Path | IO[str]) -> Iterator[IO[str]]:
    if isinstance(out, (str, Path)):
        with open(out, "w", newline="", encoding="utf-8") as stream:
            yield stream
    else:
        yield out
