"""The call log: one SQLite row per API call, for history, "restore this run", charts and export."""
from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from workbench import paths
from workbench.csv_out import write_csv
from workbench.key_shapes import json_text_may_hold_key, key_shaped_paths
from workbench.migrations import CALL_LOG_MIGRATIONS, MIGRATIONS_TABLE

SOURCES = ("editor", "compare", "tools", "cli", "batch")

# Writers wait this long for the lock instead of failing with "database is locked".
BUSY_TIMEOUT_S = 30.0

# query_calls never returns more rows than this, whatever the caller asks.
QUERY_ROW_CAP = 10_000


@dataclass
class CallRecord:
    """One API call as logged; `id` is set once stored."""

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
    id: int | None = None
    batch_id: str | None = None  # the Message Batch this result came from (source "batch")


RECORD_FIELDS = [field.name for field in fields(CallRecord)]
BODY_COLUMNS = ("request_json", "response_json")
# Columns of the narrow `calls` table, in CallRecord order (id apart).
CALL_COLUMNS = [name for name in RECORD_FIELDS if name not in BODY_COLUMNS and name != "id"]
# export_csv's header: id first, then the record in declaration order, the bodies last.
CSV_COLUMNS = ["id", *CALL_COLUMNS, *BODY_COLUMNS]

_SELECT_RECORD = (
    "SELECT c.id, " + ", ".join(f"c.{name}" for name in CALL_COLUMNS)
    + ", b.request_json, b.response_json FROM calls c JOIN call_bodies b ON b.call_id = c.id"
)
_INSERT_CALL = (
    f"INSERT INTO calls ({', '.join(CALL_COLUMNS)}) VALUES ({', '.join('?' for _ in CALL_COLUMNS)})"
)


def utc_now_iso() -> str:
    """The current time in the log's canonical created_at form."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def normalize_timestamp(value: str, label: str = "created_at") -> str:
    """An ISO time with an offset -> canonical UTC text, so rows sort and compare as strings."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{label} {value!r} has no UTC offset; write it in UTC, e.g. with utc_now_iso()")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _since_filter(since: str | None) -> tuple[str, list[str]]:
    """An SQL condition (and its parameters) keeping calls created at or after `since`."""
    if since is None:
        return "1", []
    if len(since) == 10:  # a bare date "YYYY-MM-DD": that day from 00:00 UTC
        try:
            datetime.strptime(since, "%Y-%m-%d")
        except ValueError:
            raise ValueError(f"since {since!r} is not a date like 2026-03-01") from None
        bound = since
    else:
        bound = normalize_timestamp(since, "since")
    # Calls arrive roughly in time order, so the matching rows are one rowid range: find where it
    # starts through the created_at index, then scan the table from there, filtering exactly.
    # Fetching every row through the index instead costs a lookup per row (3x slower for a month
    # out of a 200k-row log). The "+" keeps the planner off that index for the outer test.
    return "id >= (SELECT MIN(id) FROM calls WHERE created_at >= ?) AND +created_at >= ?", [bound, bound]


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
    """The `calls` values for `record`, after checking what would be wrong to store."""
    if record.source not in SOURCES:
        raise ValueError(f"source {record.source!r} is not one of {', '.join(SOURCES)}")
    if not record.model:
        raise ValueError("model must be a non-empty string")
    for name in ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens"):
        count = getattr(record, name)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"{name} must be a non-negative int, got {count!r}")
    if record.cost_usd is not None and record.cost_usd < 0:
        raise ValueError(f"cost_usd must be None (unknown) or >= 0, got {record.cost_usd!r}")
    check_body_json("request_json", record.request_json)
    if record.response_json is not None:
        check_body_json("response_json", record.response_json)
    created_at = normalize_timestamp(record.created_at)
    return tuple(created_at if name == "created_at" else getattr(record, name) for name in CALL_COLUMNS)


def insert_call(conn: sqlite3.Connection, record: CallRecord) -> int:
    """Insert one call (row and bodies) inside the caller's transaction; return its id."""
    call_id = conn.execute(_INSERT_CALL, _validated_row(record)).lastrowid
    conn.execute(
        "INSERT INTO call_bodies (call_id, request_json, response_json) VALUES (?, ?, ?)",
        (call_id, record.request_json, record.response_json),
    )
    return call_id


def _record_from_row(row: sqlite3.Row) -> CallRecord:
    """A stored row (calls joined with call_bodies) as a CallRecord."""
    return CallRecord(**{name: row[name] for name in RECORD_FIELDS})


class UsageLog:
    """The call log at `path`; every operation opens its own connection, so any thread may use it."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.call_log_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            self._enable_wal(conn)
            self.migrations_applied: list[str] = CALL_LOG_MIGRATIONS.apply(conn)
        # The last connection to close a WAL database checkpoints it and deletes the WAL file.
        # With a fresh connection per operation that happened on every append (about 6x slower,
        # see bench/usage_log_bench.py), so this one stays open for the log's lifetime. It runs
        # no statement after this line, so no thread ever shares it, and it holds no snapshot,
        # so checkpoints still run (automatically, every 1000 WAL pages).
        self._wal_holder: sqlite3.Connection | None = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        self._wal_holder.execute(f"SELECT COUNT(*) FROM {MIGRATIONS_TABLE}").fetchall()

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

    @contextlib.contextmanager
    def read_connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection for reads (rows as sqlite3.Row), closed afterwards."""
        with self._connect() as conn:
            yield conn

    def append(self, record: CallRecord) -> int:
        """Store one call (row and bodies) in one transaction; return its id."""
        with self.write_transaction() as conn:
            return insert_call(conn, record)

    def get(self, call_id: int) -> CallRecord | None:
        """The call with this id, bodies included, or None."""
        with self._connect() as conn:
            row = conn.execute(_SELECT_RECORD + " WHERE c.id = ?", (call_id,)).fetchone()
        return _record_from_row(row) if row else None

    def recent(self, limit: int = 50, *, source: str | None = None) -> list[CallRecord]:
        """The newest calls first, optionally from one source."""
        where, params = ("WHERE c.source = ?", [source]) if source is not None else ("", [])
        with self._connect() as conn:
            rows = conn.execute(
                f"{_SELECT_RECORD} {where} ORDER BY c.id DESC LIMIT ?", [*params, int(limit)]
            ).fetchall()
        return [_record_from_row(row) for row in rows]

    def count(self, *, source: str | None = None) -> int:
        """How many calls are logged, optionally from one source."""
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        with self._connect() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM calls {where}", params).fetchone()[0]

    def query_calls(
        self,
        *,
        source: str | None = None,
        model: str | None = None,
        since: str | None = None,
        limit: int = 1000,
    ) -> list[dict]:
        """Newest calls matching the filters as dicts without bodies, at most QUERY_ROW_CAP."""
        since_condition, params = _since_filter(since)
        conditions = [since_condition]
        if source is not None:
            conditions.append("source = ?")
            params.append(source)
        if model is not None:
            conditions.append("model = ?")
            params.append(model)
        row_limit = max(0, min(int(limit), QUERY_ROW_CAP))
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT id, {', '.join(CALL_COLUMNS)} FROM calls WHERE {' AND '.join(conditions)} "
                "ORDER BY id DESC LIMIT ?",
                [*params, row_limit],
            ).fetchall()
        return [dict(row) for row in rows]

    def totals_by_model(self, *, since: str | None = None) -> list[dict]:
        """Per model: calls, errors, token sums, known cost, unknown-cost count, latency means."""
        since_condition, params = _since_filter(since)
        with self._connect() as conn:
            rows = conn.execute(_TOTALS_BY_MODEL_SQL.format(since=since_condition), params)
            return [dict(row) for row in rows]

    def latency_percentiles(self, *, since: str | None = None) -> list[dict]:
        """Per model: exact p50 and p95 latency; sorts every latency, so ask only when shown."""
        # Kept out of totals_by_model: the sort costs ~3x the totals themselves (bench).
        since_condition, params = _since_filter(since)
        with self._connect() as conn:
            rows = conn.execute(_LATENCY_PERCENTILES_SQL.format(since=since_condition), params)
            return [dict(row) for row in rows]

    def daily_totals(self, *, since: str | None = None) -> list[dict]:
        """Per UTC day and model: calls, errors, token sums, known cost, unknown-cost count."""
        since_condition, params = _since_filter(since)
        with self._connect() as conn:
            return [dict(row) for row in conn.execute(_DAILY_TOTALS_SQL.format(since=since_condition), params)]

    def export_csv(self, out: str | Path | IO[str], *, include_bodies: bool = True) -> int:
        """Write every call as CSV to a path or text stream, oldest first; return the row count."""
        columns = CSV_COLUMNS if include_bodies else [name for name in CSV_COLUMNS if name not in BODY_COLUMNS]
        if isinstance(out, (str, Path)):
            with open(out, "w", newline="", encoding="utf-8") as stream:
                return self._write_csv(stream, columns)
        return self._write_csv(out, columns)

    def _write_csv(self, stream: IO[str], columns: list[str]) -> int:
        """Stream rows from the cursor to `stream` without holding them all in memory."""
        selected = ", ".join(f"b.{name}" if name in BODY_COLUMNS else f"c.{name}" for name in columns)
        join = "JOIN call_bodies b ON b.call_id = c.id" if any(name in BODY_COLUMNS for name in columns) else ""
        with self._connect() as conn:
            conn.row_factory = None  # plain tuples; an unknown cost (None) stays a blank cell, never 0
            # One read transaction for a consistent snapshot; in WAL, writers keep going meanwhile.
            conn.execute("BEGIN")
            try:
                rows = conn.execute(f"SELECT {selected} FROM calls c {join} ORDER BY c.id")
                return write_csv(stream, columns, rows)
            finally:
                conn.execute("COMMIT")


# Aggregates shared by both totals: SUM(cost_usd) skips NULLs, so it is the sum of known costs,
# and it stays NULL (None) when no cost in the group is known; unknown costs are counted apart.
_AGGREGATES_SQL = """
    COUNT(*) AS calls,
    SUM(error_type IS NOT NULL) AS errors,
    SUM(input_tokens) AS input_tokens,
    SUM(output_tokens) AS output_tokens,
    SUM(cache_write_tokens) AS cache_write_tokens,
    SUM(cache_read_tokens) AS cache_read_tokens,
    SUM(cost_usd) AS cost_usd,
    SUM(cost_usd IS NULL) AS unknown_cost_calls,
    AVG(latency_ms) AS mean_latency_ms
"""

# The templates below take the since-condition as {since}.
_TOTALS_BY_MODEL_SQL = f"""
SELECT model, {_AGGREGATES_SQL},
    MAX(latency_ms) AS max_latency_ms,
    AVG(ttft_ms) AS mean_ttft_ms
FROM calls WHERE {{since}}
GROUP BY model ORDER BY calls DESC, model
"""

# Nearest-rank percentiles: the smallest latency whose cumulative share within its model reaches
# p. CUME_DIST shares the window's one sort; ranking and counting in separate windows took two.
_LATENCY_PERCENTILES_SQL = """
WITH ranked AS (
    SELECT model, latency_ms,
        CUME_DIST() OVER (PARTITION BY model ORDER BY latency_ms) AS share_at_or_below
    FROM calls WHERE ({since}) AND latency_ms IS NOT NULL
)
SELECT model,
    MIN(CASE WHEN share_at_or_below >= 0.50 THEN latency_ms END) AS p50_latency_ms,
    MIN(CASE WHEN share_at_or_below >= 0.95 THEN latency_ms END) AS p95_latency_ms
FROM ranked GROUP BY model ORDER BY model
"""

_DAILY_TOTALS_SQL = f"""
SELECT substr(created_at, 1, 10) AS day, model, {_AGGREGATES_SQL}
FROM calls WHERE {{since}}
GROUP BY day, model ORDER BY day, model
"""
