"""`python -m workbench usage` and `history`, in process: totals equal the log's, JSON is one object, bad input exits 2."""
from __future__ import annotations

import http.server
import io
import json
import sqlite3
import threading

import pytest

from workbench import cli
from workbench.migrations import MIGRATIONS_TABLE
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def record(model: str, prompt: str | None, text: str, **changes) -> CallRecord:
    values = dict(
        created_at=utc_now_iso(), source="cli", prompt_name=prompt, model=model, request_hash="h",
        input_tokens=100, output_tokens=20, cache_write_tokens=0, cache_read_tokens=50, ttft_ms=100.0,
        latency_ms=900.0, stop_reason="end_turn", error_type=None, error_status=None, request_id="req",
        cost_usd=0.25, price_version="v",
        request_json=json.dumps({"model": model}),
        response_json=json.dumps({"content": [{"type": "text", "text": f"\n{text}\nsecond line"}]}),
    )
    values.update(changes)
    return CallRecord(**values)


@pytest.fixture
def log() -> UsageLog:
    log = UsageLog()
    log.append(record("claude-haiku-4-5", "notes", "First reply"))
    limited = log.append(record("claude-opus-4-1", "notes", "", error_type="rate_limit_error", error_status=429,
                                input_tokens=0, output_tokens=0, cache_read_tokens=0, cost_usd=None,
                                response_json=None))
    log.append(record("claude-opus-4-1", "notes", "Retried reply"), attempt_of=limited)
    log.append(record("claude-haiku-4-5", None, "Unnamed reply", created_at="2020-01-01T00:00:00Z"))
    return log


def test_usage_json_totals_match_the_log(log):
    code, out, err = run_cli("usage", "--json")
    assert code == 0, err
    report = json.loads(out)
    totals = report["totals"]
    assert (totals["calls"], totals["attempts"], totals["errors"]) == (3, 4, 0)
    assert (totals["input_tokens"], totals["output_tokens"]) == (300, 60)
    assert totals["cost_usd"] == pytest.approx(0.75)
    assert {row["model"]: row["calls"] for row in report["breakdown"]} == {"claude-haiku-4-5": 2,
                                                                          "claude-opus-4-1": 1}


def test_usage_since_and_by_prompt_in_text(log):
    code, out, _ = run_cli("usage", "--since", "7d", "--by", "prompt")
    assert code == 0
    assert "Calls (since " in out and ": 2 (3 attempts, 0 SDK retries)" in out
    assert "By prompt:" in out and "notes" in out and "(unnamed)" not in out  # the 2020 call is older


def test_usage_on_an_empty_log_says_what_to_do():
    code, out, _ = run_cli("usage")
    assert code == 0 and "No calls logged yet. Run a prompt" in out


def test_bad_since_exits_2_with_one_line():
    code, out, err = run_cli("usage", "--since", "last tuesday")
    assert code == 2 and out == ""
    assert err.strip().startswith("error: --since 'last tuesday' is not an age like 7d")


def test_history_lists_a_prompts_runs_newest_first_with_the_reply_line(log):
    code, out, _ = run_cli("history", "notes")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3  # header + two logical calls (the retried one once)
    assert "Retried reply" in lines[1] and "attempt 2" in lines[1] and "First reply" in lines[2]


def test_history_json_of_every_prompt_with_a_limit(log):
    code, out, _ = run_cli("history", "--limit", "2", "--json")
    runs = json.loads(out)
    assert code == 0 and [run["first_line"] for run in runs] == ["Unnamed reply", "Retried reply"]


def test_history_of_a_prompt_file_uses_its_name(log, tmp_path):
    path = tmp_path / "n.prompt.json"
    path.write_text(json.dumps({"format": "workbench.prompt/1", "name": "notes", "description": "", "variables": {},
                                "request": {"model": "m", "max_tokens": 5,
                                            "messages": [{"role": "user", "content": "hi"}]}}), encoding="utf-8")
    code, out, _ = run_cli("history", str(path), "--json")
    assert code == 0 and len(json.loads(out)) == 2


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.server.requests += 1
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


def test_a_log_from_a_newer_version_refuses_run_before_any_request(workbench_home, monkeypatch):
    UsageLog().close()
    with sqlite3.connect(workbench_home / "calls.db") as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.requests = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    try:
        code, out, err = run_cli("run", "-p", "hi", "--model", "claude-haiku-4-5")
        usage_code, _, usage_err = run_cli("usage")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "newer version of Workbench" in err and "Nothing was sent" in err
    assert server.requests == 0
    assert usage_code == 2 and "newer version of Workbench" in usage_err


def test_a_cli_run_logs_its_template_and_values_so_it_can_be_restored(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_BACKEND", "simulator")
    monkeypatch.setenv("WORKBENCH_SIMULATOR_SPEED", "50")
    path = tmp_path / "greet.prompt.json"
    path.write_text(json.dumps({"format": "workbench.prompt/1", "name": "greet", "description": "",
                                "variables": {"tone": "calm"},
                                "request": {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [
                                    {"role": "user", "content": "A {{tone}} hello to {{name}}."}]}}), encoding="utf-8")
    code, _, err = run_cli("run", str(path), "--var", "name=Ada", "--json")
    assert code == 0, err
    from workbench.run_history import prompt_from_record
    (row,) = UsageLog().query_calls()
    restored = prompt_from_record(UsageLog().get(row["id"]))
    assert restored.exact and restored.values == {"tone": "calm", "name": "Ada"}
    assert restored.spec.request["messages"][0]["content"] == "A {{tone}} hello to {{name}}."
