"""Call log figures: append throughput (1 and 4 threads), aggregate times over many rows, peak RSS."""
from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench import usage_stats  # noqa: E402
from workbench.call_filter import CallFilter  # noqa: E402
from workbench.usage_log import CALL_COLUMNS, CallRecord, UsageLog, utc_now_iso  # noqa: E402

MODELS = ("claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-1", "unknown-model")

# Bodies of a typical editor run (~1.5 kB each), so rows are as wide as real ones.
REQUEST_JSON = json.dumps({
    "model": "claude-sonnet-4-5", "max_tokens": 1024, "system": "You are terse. " * 20,
    "messages": [{"role": "user", "content": "Summarise this paragraph. " * 45}],
})
RESPONSE_JSON = json.dumps({
    "id": "msg_bench", "type": "message", "role": "assistant", "stop_reason": "end_turn",
    "content": [{"type": "text", "text": "This is a simulated summary. " * 50}],
    "usage": {"input_tokens": 300, "output_tokens": 350},
})


def bench_record(created_at: str, model: str, rng: random.Random) -> CallRecord:
    """A plausible call; unknown-model calls have no known cost, some calls failed."""
    failed = rng.random() < 0.03
    return CallRecord(
        created_at=created_at, source=rng.choice(("editor", "compare", "tools", "cli")),
        prompt_name="bench", model=model, request_hash=f"{rng.getrandbits(64):016x}",
        input_tokens=rng.randint(50, 5000), output_tokens=0 if failed else rng.randint(10, 2000),
        cache_write_tokens=rng.choice((0, 0, 1024)), cache_read_tokens=rng.choice((0, 0, 2048)),
        ttft_ms=None if failed else rng.uniform(100, 2000), latency_ms=rng.uniform(300, 20000),
        stop_reason=None if failed else "end_turn", error_type="overloaded_error" if failed else None,
        error_status=529 if failed else None, request_id=f"req_{rng.getrandbits(48):012x}",
        cost_usd=None if model == "unknown-model" else rng.uniform(0.0001, 0.2),
        price_version="bench", request_json=REQUEST_JSON, response_json=RESPONSE_JSON,
    )


def time_appends(log: UsageLog, total: int, threads: int) -> float:
    """Rows per second for `total` appends spread over `threads` threads."""
    per_thread = total // threads
    start_line = threading.Barrier(threads + 1)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        records = [bench_record(utc_now_iso(), rng.choice(MODELS), rng) for _ in range(per_thread)]
        start_line.wait()
        for record in records:
            log.append(record)

    workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
    for thread in workers:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    return per_thread * threads / (time.perf_counter() - started)


def bulk_fill(path: Path, rows: int) -> None:
    """Top the log up to `rows` calls over the last 90 days (setup, not measured), then checkpoint."""
    rng = random.Random(7)
    first_day = datetime.now(timezone.utc) - timedelta(days=90)
    insert_call = f"INSERT INTO calls ({', '.join(CALL_COLUMNS)}) VALUES ({', '.join('?' * len(CALL_COLUMNS))})"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        missing = rows - conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        while missing > 0:
            # Chunks, so automatic checkpoints keep the WAL small as in a long-lived real log.
            conn.execute("BEGIN IMMEDIATE")
            for _ in range(min(missing, 10_000)):
                # Calls arrive in time order, as in a real log: evenly spread over 90 days.
                moment = first_day + timedelta(seconds=90 * 86400 * (rows - missing) / rows)
                record = bench_record(moment.isoformat(timespec="microseconds"), rng.choice(MODELS), rng)
                call_id = conn.execute(insert_call, [getattr(record, name) for name in CALL_COLUMNS]).lastrowid
                conn.execute("INSERT INTO call_bodies (call_id, request_json, response_json) VALUES (?, ?, ?)",
                             (call_id, REQUEST_JSON, RESPONSE_JSON))
                missing -= 1
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(label: str, action, repeats: int = 3) -> None:
    """Print the best of `repeats` wall times of `action()`."""
    best = min(_duration(action) for _ in range(repeats))
    print(f"{label:<44} {best * 1000:9.1f} ms")


def _duration(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000, help="rows to aggregate over")
    parser.add_argument("--appends", type=int, default=4_000, help="appends per throughput run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        log = UsageLog(Path(folder) / "calls.db")
        print(f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}")
        print(f"{'append, 1 thread':<44} {time_appends(log, args.appends, 1):9.0f} rows/s")
        print(f"{'append, 4 threads':<44} {time_appends(log, args.appends, 4):9.0f} rows/s")
        without_holder = UsageLog(log.path)
        without_holder.close()
        log.close()  # now no connection stays open between appends
        print(f"{'append, 1 thread, no WAL-holding connection':<44} "
              f"{time_appends(without_holder, args.appends // 4, 1):9.0f} rows/s")
        log = UsageLog(log.path)

        fill_started = time.perf_counter()
        bulk_fill(log.path, args.rows)
        print(f"{'bulk fill to ' + format(args.rows, ',') + ' rows (setup)':<44} "
              f"{time.perf_counter() - fill_started:9.1f} s")
        db_bytes = sum(p.stat().st_size for p in Path(folder).glob("calls.db*"))
        print(f"{'database size incl. WAL':<44} {db_bytes / 2**20:9.1f} MiB")

        month_ago = CallFilter(since=(datetime.now(timezone.utc) - timedelta(days=30)).isoformat())
        timed(f"usage_stats.overview() over {log.count():,} rows", lambda: usage_stats.overview(log, CallFilter()))
        timed("usage_stats.overview(since=30 days ago)", lambda: usage_stats.overview(log, month_ago))
        timed("usage_stats.percentiles()", lambda: usage_stats.percentiles(log, CallFilter()))
        timed("usage_stats.breakdown(by=day)", lambda: usage_stats.breakdown(log, CallFilter(), "day"))
        timed("count()", log.count)
        timed("recent(50)", lambda: log.recent(50))
        timed("query_calls(model=..., limit=1000)", lambda: log.query_calls(CallFilter(models=(MODELS[0],)), limit=1000))
        timed("export_csv(/dev/null), ~3 kB of bodies a row", lambda: log.export_csv("/dev/null"), repeats=1)
        timed("export_csv(/dev/null, include_bodies=False)",
              lambda: log.export_csv("/dev/null", include_bodies=False), repeats=1)

    # ru_maxrss is in KiB on Linux.
    print(f"{'peak RSS':<44} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:9.1f} MiB")


if __name__ == "__main__":
    main()
