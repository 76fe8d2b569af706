"""Many threads and processes append at once: every row lands, nobody sees "database is locked"."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import workbench
from workbench.migrations import CALL_LOG_MIGRATIONS, MIGRATIONS_TABLE
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso

REPO_ROOT = Path(workbench.__file__).resolve().parents[1]


def make_record(source: str, prompt_name: str) -> CallRecord:
    """A valid record tagged with who wrote it."""
    return CallRecord(
        created_at=utc_now_iso(), source=source, prompt_name=prompt_name, model="m",
        request_hash="h", input_tokens=1, output_tokens=2, cache_write_tokens=0,
        cache_read_tokens=0, ttft_ms=1.0, latency_ms=2.0, stop_reason="end_turn", error_type=None,
        error_status=None, request_id=None, cost_usd=0.001, price_version="v",
        request_json='{"model": "m"}', response_json='{"content": []}',
    )


def test_eight_threads_of_fifty_appends_all_land(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def append_fifty(worker: int) -> None:
        try:
            start.wait()
            for _ in range(50):
                log.append(make_record("compare", f"thread-{worker}"))
        except BaseException as error:  # collected and asserted in the main thread
            errors.append(error)

    threads = [threading.Thread(target=append_fifty, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert log.count() == 400
    assert {row["prompt_name"] for row in log.query_calls(limit=400)} == {f"thread-{n}" for n in range(8)}


WORKER_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from workbench.usage_log import CallRecord, UsageLog, utc_now_iso
    path, go_file, worker, ready_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    open(ready_file, "w").close()
    while not os.path.exists(go_file):  # all workers open the brand-new log together
        time.sleep(0.001)
    log = UsageLog(path)
    for _ in range(50):
        log.append(CallRecord(
            created_at=utc_now_iso(), source="cli", prompt_name=worker, model="m", request_hash="h",
            input_tokens=1, output_tokens=2, cache_write_tokens=0, cache_read_tokens=0,
            ttft_ms=None, latency_ms=None, stop_reason=None, error_type=None, error_status=None,
            request_id=None, cost_usd=None, price_version=None, request_json="{}", response_json=None))
    """
)


def test_three_processes_create_and_fill_one_new_log(tmp_path):
    path = tmp_path / "calls.db"
    go_file = tmp_path / "go"
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT, str(path), str(go_file), f"process-{n}", str(tmp_path / f"ready-{n}")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(3)
    ]
    wait_for_files([tmp_path / f"ready-{n}" for n in range(3)], workers)
    go_file.touch()
    outcomes = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, stderr) in zip(workers, outcomes):
        assert worker.returncode == 0, stderr
        assert "locked" not in stderr
    log = UsageLog(path)
    assert log.migrations_applied == []
    assert log.count(source="cli") == 150
    assert log.journal_mode() == "wal"
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]
    assert names == CALL_LOG_MIGRATIONS.names()


def wait_for_files(paths: list[Path], processes: list[subprocess.Popen], timeout_s: float = 60) -> None:
    """Until every worker has said it is ready (or one has died, which its exit code will show)."""
    deadline = time.monotonic() + timeout_s
    while not all(path.exists() for path in paths):
        assert time.monotonic() < deadline, "workers never got ready"
        if any(process.poll() is not None for process in processes):
            return
        time.sleep(0.01)


def open_log_when_told(path: str, go_file: str, ready) -> None:
    """Child process: say it is ready, wait for the signal, then open (create) the log."""
    ready.release()
    while not os.path.exists(go_file):
        time.sleep(0.0005)
    UsageLog(path)


def test_many_processes_opening_one_new_log_at_once_all_succeed(tmp_path):
    # Switching a brand-new file to WAL can fail with "locked" without waiting on busy_timeout;
    # several rounds make that race likely, so this fails if UsageLog stops retrying it.
    fork = multiprocessing.get_context("fork")
    for round_number in range(10):
        path, go_file = tmp_path / f"calls-{round_number}.db", tmp_path / f"go-{round_number}"
        ready = fork.Semaphore(0)
        openers = [fork.Process(target=open_log_when_told, args=(str(path), str(go_file), ready)) for _ in range(8)]
        for opener in openers:
            opener.start()
        for _ in openers:
            assert ready.acquire(timeout=60), "an opener never started"
        go_file.touch()
        for opener in openers:
            opener.join(timeout=60)
        assert [opener.exitcode for opener in openers] == [0] * 8
        with sqlite3.connect(path) as conn:
            assert conn.execute(f"SELECT COUNT(*) FROM {MIGRATIONS_TABLE}").fetchone()[0] == len(
                CALL_LOG_MIGRATIONS.names()
            )
