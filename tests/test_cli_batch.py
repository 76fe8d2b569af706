"""`compare --batch` and `batch list|status|results|cancel`: in-process, plus a real Ctrl-C and a new process resuming."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.simulator import start_simulator
from workbench.spec import PromptSpec, new_prompt, save_prompt
from workbench.usage_log import UsageLog

REPO = Path(__file__).resolve().parents[1]
MODELS = "claude-haiku-4-5,claude-sonnet-4-6"


@pytest.fixture
def prompt_file(tmp_path) -> Path:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=200)
    return save_prompt(PromptSpec(request=spec.request, name="landmarks", variables={"city": "Paris"}),
                       tmp_path / "landmarks.prompt.json")


@pytest.fixture
def cases_file(tmp_path) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text("city,check,expected\nParis,contains,Paris\nRome,contains,never-in-a-reply\nOslo,,\n")
    return path


@pytest.fixture
def use_simulator(simulator, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setattr("workbench.cli_batch.WAIT_POLL_S", 0.02)
    return simulator


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_compare_batch_wait_prints_the_compare_report(use_simulator, prompt_file, cases_file):
    code, out, err = run("compare", str(prompt_file), "--models", MODELS, "--cases", str(cases_file),
                         "--batch", "--wait", "--json")
    assert code == 0, err  # a failed check is a result, not an error (as in a live compare)
    report = json.loads(out)
    # The live compare's keys (a batch never waits for a rate limit: 0 waits, no 429s counted), plus the batch.
    assert set(report) == {"models", "wall_ms", "rate_limit_waits", "rejected_429", "batch"}
    assert (report["rate_limit_waits"], report["rejected_429"]) == (0, None)
    assert report["batch"]["status"] == "ended" and report["batch"]["requests"] == 6
    haiku = report["models"]["claude-haiku-4-5"]
    assert [run["case"] for run in haiku["runs"]] == [1, 2, 3]
    assert [run["passed"] for run in haiku["runs"]] == [True, False, True]
    assert haiku["pass_rate"] == pytest.approx(2 / 3)
    assert re.search(r"6 requests; projected cost at batch prices \$[\d.]+–\$[\d.]+ vs live", err)
    assert "6 of 6 done (6 succeeded)" in err
    assert UsageLog().count(source="batch") == 6


def test_batch_submit_then_status_list_results_by_id(use_simulator, prompt_file, cases_file):
    code, out, err = run("compare", str(prompt_file), "--models", MODELS, "--cases", str(cases_file), "--batch")
    assert code == 0, err
    batch_id = out.strip()
    assert batch_id.startswith("msgbatch_") and f"batch results {batch_id} --wait" in err

    code, out, _ = run("batch", "list", "--json")
    assert code == 0 and [item["id"] for item in json.loads(out)] == [batch_id]

    code, out, err = run("batch", "results", batch_id, "--wait")
    assert code == 0, err
    assert f"Batch {batch_id} of 'landmarks'" in out and "Test cases" in out
    assert re.search(r"claude-haiku-4-5\s+2/3\s+67%", out)
    code, out, _ = run("batch", "status", batch_id)
    assert code == 0 and "ended, 6 of 6 done (6 succeeded)" in out
    code, out, _ = run("batch", "list")
    assert batch_id in out and "collected" in out
    # Asking again reads the log: nothing is logged twice.
    run("batch", "results", batch_id)
    assert UsageLog().count(source="batch") == 6


def test_unknown_batch_and_wait_without_batch_are_bad_usage(use_simulator, prompt_file):
    code, _, err = run("batch", "status", "msgbatch_missing")
    assert code == 2 and "no batch msgbatch_missing in the call log" in err
    code, _, err = run("compare", str(prompt_file), "--models", MODELS, "--wait")
    assert code == 2 and "--wait goes with --batch" in err


def test_an_unknown_batch_is_answered_without_importing_the_sdk(workbench_home):
    script = (
        "import io, json, sys\n"
        "from workbench.cli import main\n"
        "codes = [main(argv, io.StringIO(), io.StringIO()) for argv in "
        "[['batch', 'status', 'msgbatch_x'], ['batch', 'results', 'msgbatch_x'], ['batch', 'cancel', 'msgbatch_x']]]\n"
        "print(json.dumps({'codes': codes, 'sdk': 'anthropic' in sys.modules}))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)
    assert json.loads(done.stdout) == {"codes": [2, 2, 2], "sdk": False}, done.stderr


def test_cancel_from_the_cli(monkeypatch, prompt_file, cases_file):
    slow = start_simulator(speed=1)
    try:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", slow.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setattr("workbench.cli_batch.WAIT_POLL_S", 0.1)
        code, out, err = run("compare", str(prompt_file), "--models", MODELS, "--cases", str(cases_file), "--batch")
        batch_id = out.strip()
        code, out, err = run("batch", "cancel", batch_id, "--json")
        assert code == 0, err
        assert json.loads(out)["status"] == "canceling"
        code, out, err = run("batch", "results", batch_id, "--wait", "--json")
        assert code == 1
        runs = [item for model in json.loads(out)["models"].values() for item in model["runs"]]
        assert len(runs) == 6 and {item["error"]["type"] for item in runs} == {"batch_canceled"}
        assert "6 batch_canceled" in err
    finally:
        slow.stop()


def test_ctrl_c_while_waiting_leaves_the_batch_and_a_new_process_resumes(tmp_path, prompt_file, cases_file):
    slow = start_simulator(speed=1)  # 6 requests take about 3.5 s
    env = {**os.environ, "ANTHROPIC_BASE_URL": slow.base_url, "ANTHROPIC_API_KEY": "test-key"}
    try:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "workbench", "compare", str(prompt_file), "--models", MODELS,
             "--cases", str(cases_file), "--batch", "--wait"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        submitted = ""
        for line in waiting.stderr:
            if line.startswith("batch msgbatch_"):  # the first progress line: it is waiting now
                submitted = line
                break
        assert submitted, waiting.stderr.read()
        waiting.send_signal(signal.SIGINT)
        _, rest = waiting.communicate(timeout=60)
        assert waiting.returncode == 130
        batch_id = re.search(r"(msgbatch_\w+)", submitted).group(1)
        assert f"Resume with: python -m workbench batch results {batch_id} --wait" in rest

        resumed = subprocess.run(
            [sys.executable, "-m", "workbench", "batch", "results", batch_id, "--wait", "--json"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )
        assert resumed.returncode == 0, resumed.stderr
        report = json.loads(resumed.stdout)
        assert report["batch"]["id"] == batch_id and report["batch"]["collected"]
        assert sum(len(model["runs"]) for model in report["models"].values()) == 6
    finally:
        slow.stop()
    assert UsageLog().count(source="batch") == 6


def test_canceling_an_ended_batch_says_why_in_one_line(use_simulator, prompt_file, cases_file):
    code, out, _ = run("compare", str(prompt_file), "--models", MODELS, "--cases", str(cases_file), "--batch", "--wait")
    batch_id = batches_in_log()[0]
    code, out, err = run("batch", "cancel", batch_id)
    assert code == 1
    assert err.strip() == (f"error: HTTP 400 invalid_request_error: Message batch {batch_id} has already ended "
                           "and cannot be canceled")


def batches_in_log() -> list[str]:
    from workbench.batches import list_batches

    return [record.id for record in list_batches(UsageLog())]
