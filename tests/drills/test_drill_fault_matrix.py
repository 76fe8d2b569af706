"""A 200-call Compare matrix against a simulator failing 20 % of attempts (overloaded, rate limit,
server error, disconnect, stream error, reset) completes: every call is in the log with its final outcome, and every
failed cell shows as a failure, never as an empty success."""
from __future__ import annotations

import io
import json

import pytest

from workbench.cli import main
from workbench.simulator import start_simulator
from workbench.spec import PromptSpec, new_prompt, save_prompt
from workbench.usage_log import UsageLog

MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5"]
CASES = 50  # x 4 models = 200 calls


@pytest.fixture
def faulty_simulator(monkeypatch):
    handle = start_simulator(speed=100, fault_rate=0.2, seed=11)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", handle.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    yield handle
    handle.stop()


def _matrix_files(folder):
    spec = new_prompt("claude-haiku-5-5", user_text="Give one fact about {{topic}}.", max_tokens=40)
    prompt = save_prompt(PromptSpec(request=spec.request, name="facts", variables={}), folder / "facts.prompt.json")
    rows = "".join(f"topic number {index},regex,\\S\n" for index in range(CASES))
    cases = folder / "cases.csv"
    cases.write_text("topic,check,expected\n" + rows)
    return prompt, cases


def test_a_200_call_matrix_under_20_percent_faults_logs_every_call_and_shows_failures(faulty_simulator, tmp_path):
    prompt, cases = _matrix_files(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["compare", str(prompt), "--models", ",".join(MODELS), "--cases", str(cases), "--json",
                 "--concurrency", "8"], out=out, err=err)
    report = json.loads(out.getvalue())
    runs = [run for model in MODELS for run in report["models"][model]["runs"]]
    assert len(runs) == 200                                   # the matrix completed
    failed = [run for run in runs if not run["ok"]]
    assert failed, "a 20 % fault rate should leave some calls failed (mid-stream faults are not retried)"
    kinds = {run["error"]["type"] for run in failed}
    assert kinds <= {"stream_interrupted", "overloaded_error"}, kinds  # cut streams, stream `event: error`
    assert code == 1 and f"{len(failed)} of 200 calls failed" in err.getvalue()

    log = UsageLog()
    for run in runs:
        assert run["log_id"] is not None                      # every call is in the log ...
        row = log.get(run["log_id"])
        assert row.error_type == (run["error"]["type"] if run["error"] else None)  # ... with its final outcome
    for run in failed:                                        # failures show as failures
        assert run["passed"] is False and run["check"].startswith("error")
    for run in runs:                                          # no empty success
        if run["ok"]:
            assert run["text"].strip() and run["passed"] is True
    # Every attempt the runner made is logged (re-queued ones too), so the log holds at least the matrix.
    assert log.count(source="compare") >= 200
