"""`python -m workbench compare` in process through main(), against the session simulator."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench import present
from workbench.cli import main
from workbench.spec import PromptSpec, new_prompt, save_prompt
from workbench.usage_log import UsageLog

@pytest.fixture
def compare_cli(cli, monkeypatch):
    """`python -m workbench compare ARGS` in process, against the given simulator with the given key."""

    def run(*args: str, simulator, api_key: str = "test-key"):
        monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", api_key)
        return cli("compare", *args)

    return run


@pytest.fixture
def prompt_file(tmp_path) -> Path:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=200)
    return save_prompt(PromptSpec(request=spec.request, name="landmarks", variables={"city": "Paris"}),
                       tmp_path / "landmarks.prompt.json")


def test_json_has_statistics_and_cost_per_model(compare_cli, simulator, prompt_file):
    done = compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5", "--repeat", "3", "--json",
                       simulator=simulator)
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert set(report) == {"models", "wall_ms", "rate_limit_waits", "rejected_429"} and report["wall_ms"] > 0
    assert list(report["models"]) == ["claude-haiku-4-5", "claude-opus-5-5"]
    for model, figures in report["models"].items():
        # Exactly the shape: everything else follows from "runs".
        assert set(figures) == {"runs", "ttft_ms", "latency_ms", "cost_per_call", "cost_per_1000", "pass_rate"}
        assert len(figures["runs"]) == 3 and all(run["ok"] for run in figures["runs"])
        assert [run["repeat"] for run in figures["runs"]] == [1, 2, 3]
        assert set(figures["ttft_ms"]) == {"count", "p50", "p95", "min", "max"}
        assert figures["latency_ms"]["min"] <= figures["latency_ms"]["p50"] <= figures["latency_ms"]["max"]
        assert figures["cost_per_call"] > 0
        assert figures["cost_per_1000"] == pytest.approx(figures["cost_per_call"] * 1000)
        assert figures["pass_rate"] is None
    assert UsageLog().count(source="compare") == 6


def test_text_report_prints_the_statistics_and_cost_tables(compare_cli, simulator, prompt_file):
    done = compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-sonnet-4-6", simulator=simulator)
    assert done.code == 0, done.err
    assert "Latency (ms, successful calls)" in done.out
    assert "TTFT p50" in done.out and "total p50" in done.out
    assert "Cost, measured mean (price table " in done.out
    assert "per 1,000" in done.out and "batch /1,000" in done.out
    lines = done.out.splitlines()
    assert sum(line.startswith("claude-sonnet-4-6") for line in lines) == 2  # one row per table


def test_cases_give_pass_rate_and_cost_per_passing_answer(compare_cli, simulator, prompt_file, tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("city,check,expected\nParis,contains,Simulated reply\nRome,regex,^\\d+$\nOslo,,\n")
    done = compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5", "--cases", str(cases),
                       "--json", simulator=simulator)
    assert done.code == 0, done.err
    figures = json.loads(done.out)["models"]["claude-haiku-4-5"]
    assert [run["passed"] for run in figures["runs"]] == [True, False, True]
    assert figures["pass_rate"] == pytest.approx(2 / 3)
    spent = sum(run["cost_usd"] for run in figures["runs"])
    text = compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5", "--cases", str(cases),
                       simulator=simulator)
    assert "Test cases" in text.out and "2/3" in text.out
    haiku_score = next(line for line in text.out.splitlines()[text.out.splitlines().index("Test cases"):]
                       if line.startswith("claude-haiku-4-5"))
    assert present.usd(spent / 2) in haiku_score  # cost per passing answer: all spent / passes


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--models", "claude-haiku-4-5"], "--models: pick 2 to 4 models to compare (picked 1)"),
        (["--models", "claude-haiku-4-5,claude-nope"], "not in the model catalog"),
        (["--models", "claude-haiku-4-5,claude-opus-5-5", "--repeat", "51"], "--repeat must be 1 to 50 (got 51)"),
        (["--models", "claude-haiku-4-5,claude-opus-5-5", "--var", "oops"], "--var expects NAME=VALUE"),
        (["--models", "claude-haiku-4-5,claude-opus-5-5", "--repeat", "0"], "--repeat must be 1 to 50 (got 0)"),
        (["--models", "claude-haiku-4-5,claude-opus-5-5", "--concurrency", "33"], "--concurrency must be 1 to 32"),
    ],
)
def test_bad_usage_exits_2_with_one_line(simulator, prompt_file, extra, message, monkeypatch, capsys):
    code = compare_in_process(monkeypatch, simulator, str(prompt_file), *extra)
    stderr = capsys.readouterr().err
    assert code == 2
    error_lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and message in error_lines[0]


def compare_in_process(monkeypatch, simulator, *args: str) -> int:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    return main(["compare", *args])


def test_a_setting_a_model_would_reject_is_refused_before_any_call(compare_cli, simulator, tmp_path):
    spec = new_prompt("claude-opus-5-5", user_text="hi", max_tokens=70_000)
    path = save_prompt(spec, tmp_path / "long.prompt.json")
    done = compare_cli(str(path), "--models", "claude-haiku-4-5,claude-opus-5-5", simulator=simulator)
    assert done.code == 2
    assert "claude-haiku-4-5: $.max_tokens: max_tokens is 70,000 but Claude Haiku 4.5 writes at most 64,000" in done.err
    assert UsageLog().count(source="compare") == 0


def test_mismatched_cases_columns_are_named(simulator, prompt_file, tmp_path, monkeypatch, capsys):
    cases = tmp_path / "cases.csv"
    cases.write_text("town\nParis\n")
    code = compare_in_process(monkeypatch, simulator, str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5",
                              "--cases", str(cases))
    stderr = capsys.readouterr().err
    assert code == 2
    assert "missing column for prompt variable city" in stderr
    assert "town is not a prompt variable" in stderr


def test_unreadable_prompt_file_exits_2(simulator, tmp_path, monkeypatch, capsys):
    code = compare_in_process(monkeypatch, simulator, str(tmp_path / "missing.prompt.json"), "--models", "a,b")
    assert code == 2 and "cannot read" in capsys.readouterr().err


def test_api_errors_exit_1_after_printing_what_was_measured(compare_cli, simulator, prompt_file):
    done = compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5", "--json",
                       simulator=simulator, api_key="bad-key")
    assert done.code == 1
    report = json.loads(done.out)
    assert [run["ok"] for run in report["models"]["claude-haiku-4-5"]["runs"]] == [False]
    assert report["models"]["claude-haiku-4-5"]["cost_per_call"] is None
    assert "error: 2 of 2 calls failed" in done.err and "check ANTHROPIC_API_KEY" in done.err
    assert "bad-key" not in done.out + done.err


def test_cases_csv_with_a_short_row_names_the_blank_variable(simulator, tmp_path, monkeypatch, capsys):
    spec = new_prompt("claude-haiku-4-5", user_text="Describe {{city}} in {{tone}} words.", max_tokens=50)
    path = save_prompt(PromptSpec(request=spec.request, name="cities"), tmp_path / "cities.prompt.json")
    cases = tmp_path / "cases.csv"
    cases.write_text("city,tone\nParis,dry\nRome\n")  # the second row stops before its tone
    code = compare_in_process(monkeypatch, simulator, str(path), "--models", "claude-haiku-4-5,claude-opus-5-5",
                              "--cases", str(cases))
    assert code == 2
    assert "case 2: no value for tone" in capsys.readouterr().err
    assert UsageLog().count(source="compare") == 0


def test_a_deprecated_model_runs_with_a_note(simulator, prompt_file, monkeypatch, capsys):
    code = compare_in_process(monkeypatch, simulator, str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-4-5")
    assert code == 0
    assert "note: claude-opus-4-5: Claude Opus 4.5 is deprecated" in capsys.readouterr().err


def test_a_damaged_call_log_is_bad_input_before_any_call(simulator, prompt_file, workbench_home, monkeypatch, capsys):
    workbench_home.mkdir(parents=True, exist_ok=True)
    (workbench_home / "calls.db").write_bytes(b"this is not a database" * 100)
    code = compare_in_process(monkeypatch, simulator, str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5")
    stderr = capsys.readouterr().err
    assert code == 2
    assert [line for line in stderr.splitlines() if line.startswith("error:")] == [
        line for line in stderr.splitlines() if "cannot use the call log" in line
    ]
    assert "Traceback" not in stderr


def test_a_var_the_prompt_does_not_use_is_named(simulator, prompt_file, monkeypatch, capsys):
    code = compare_in_process(monkeypatch, simulator, str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5",
                              "--var", "ctiy=Paris")
    assert code == 2 and "--var ctiy: the prompt has no {{ctiy}}" in capsys.readouterr().err


def test_each_compare_run_has_the_keys_of_run_json(compare_cli, cli, simulator, prompt_file):
    report = json.loads(compare_cli(str(prompt_file), "--models", "claude-haiku-4-5,claude-opus-5-5", "--json",
                                    simulator=simulator).out)
    single = cli("run", str(prompt_file), "--var", "city=Paris", "--json")
    assert single.code == 0, single.err
    run_keys = set(json.loads(single.out))
    for figures in report["models"].values():
        for run in figures["runs"]:
            assert set(run) == run_keys | {"repeat", "case"}
