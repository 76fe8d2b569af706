"""Write-ahead rows: pending before the request is sent, completed after; a SIGKILLed process leaves them interrupted."""
from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import workbench
from workbench import runner
from workbench.usage_log import UsageLog

REPO_ROOT = Path(workbench.__file__).resolve().parents[1]
REQUEST = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi {{who}}"}]}


def test_a_run_is_pending_while_in_flight_and_completed_after(client, simulator):
    log = UsageLog()
    events = runner.stream_run(client, {**REQUEST, "messages": [{"role": "user", "content": "Hi"}]},
                               log=log, template=REQUEST, variables={"who": "there"})
    first = next(events)  # the first delta: the request has been sent, the reply is streaming
    assert first is not None
    (row,) = log.query_calls()
    assert row["status"] == "pending" and row["output_tokens"] == 0
    done = list(events)[-1]
    stored = log.get(done.result.log_id)
    assert stored.id == row["id"] and stored.status == "completed" and stored.output_tokens > 0
    assert stored.template_json and '"{{who}}"' not in stored.request_json and "{{who}}" in stored.template_json
    assert stored.variables_json == '{"who": "there"}'


def test_a_pending_row_of_a_living_process_stays_pending():
    log = UsageLog()
    call_id = log.begin(runner._pending_record(runner._RunRecorder(REQUEST, "cli", None)))
    assert UsageLog().get(call_id).status == "pending"  # this process is alive: not interrupted


class _SilentHandler(http.server.BaseHTTPRequestHandler):
    """Reads a request and never answers, so calls stay in flight until the client dies."""

    def do_POST(self):  # noqa: N802 - the http.server hook name
        self.server.started.append(self.path)
        while not self.server.closing.wait(0.05):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def silent_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SilentHandler)
    server.started, server.closing = [], threading.Event()
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.closing.set()
    server.shutdown()
    server.server_close()


CHILD = textwrap.dedent("""
    import sys, anthropic
    from workbench import runner
    from workbench.usage_log import UsageLog
    client = anthropic.Anthropic(base_url=sys.argv[1], api_key="test-key", max_retries=0, timeout=600)
    request = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}
    for _ in runner.run_many(client, [request] * 4, concurrency=4, source="compare", log=UsageLog()):
        pass
""")


def test_sigkill_mid_call_leaves_every_sent_call_marked_interrupted(silent_endpoint, workbench_home):
    base_url = f"http://127.0.0.1:{silent_endpoint.server_address[1]}"
    env = {**os.environ, "WORKBENCH_HOME": str(workbench_home), "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, base_url], env=env, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(silent_endpoint.started) < 4:  # all four requests reached the server
            assert child.poll() is None and time.monotonic() < deadline, "the child never sent its calls"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    log = UsageLog()  # opening the log notices the writer is gone
    rows = log.query_calls()
    assert len(rows) == 4
    assert {row["status"] for row in rows} == {"interrupted"}
    assert {row["source"] for row in rows} == {"compare"}


def test_matrix_threads_and_a_cli_process_writing_at_once_lose_no_rows(client, simulator, workbench_home):
    env = {**os.environ, "WORKBENCH_HOME": str(workbench_home), "PYTHONPATH": str(REPO_ROOT),
           "ANTHROPIC_BASE_URL": simulator.base_url, "ANTHROPIC_API_KEY": "test-key"}
    cli_runs = [subprocess.Popen([sys.executable, "-m", "workbench", "run", "-p", f"CLI call {n}",
                                  "--model", "claude-haiku-4-5", "--json"],
                                 env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for n in range(2)]
    request = {"model": "claude-haiku-4-5", "max_tokens": 40, "messages": [{"role": "user", "content": "Matrix"}]}
    results = runner.run_many_results(client, [request] * 16, concurrency=8, source="compare", log=UsageLog())
    for process in cli_runs:
        assert process.wait(timeout=120) == 0, process.stderr.read()
    log = UsageLog()
    assert all(result.ok and result.log_id for result in results)
    assert log.count(source="compare") == 16 and log.count(source="cli") == 2
    assert {row["status"] for row in log.query_calls()} == {"completed"}
