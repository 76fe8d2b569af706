"""`python -m workbench tool validate|infer`, in-process through the CLI's own parser."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from workbench.cli import build_parser, main
from workbench.tools_schema import errors_in, validate_tool

CORPUS = Path(__file__).parent / "data" / "tool_corpus"
REPO = Path(__file__).resolve().parents[1]


def run_tool(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(["tool", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_valid_files_exit_0():
    code, out, _ = run_tool("validate", str(CORPUS / "weather.tool.json"), str(CORPUS / "nested.tool.json"))
    assert code == 0
    assert out.splitlines() == [f"{CORPUS / 'weather.tool.json'}: valid", f"{CORPUS / 'nested.tool.json'}: valid"]


def test_warnings_alone_still_exit_0():
    code, out, _ = run_tool("validate", str(CORPUS / "vague_description.tool.json"))
    assert code == 0
    assert f"{CORPUS / 'vague_description.tool.json'}: $.description: warning: " in out


def test_each_finding_is_file_path_message_and_a_bad_file_exits_2():
    bad = CORPUS / "required_unknown.tool.json"
    code, out, _ = run_tool("validate", str(CORPUS / "weather.tool.json"), str(bad))
    assert code == 2
    assert f'{bad}: $.input_schema.required[0]: error: "town" is required but is not one of the properties.' in out


def test_a_file_that_is_not_json_is_a_finding_not_a_traceback(tmp_path):
    broken = CORPUS / "not_json.tool.json"
    missing = tmp_path / "missing.tool.json"
    code, out, err = run_tool("validate", str(broken), str(missing))
    assert code == 2 and err == ""
    assert f"{broken}: $: not valid JSON: " in out
    assert f"{missing}: $: cannot read the file" in out


def test_infer_from_json(tmp_path):
    example = tmp_path / "example.json"
    example.write_text('{"city": "Paris", "days": 3, "tags": ["a"]}')
    code, out, err = run_tool("infer", "--from-json", str(example), "--name", "get_forecast")
    tool = json.loads(out)
    assert code == 0
    assert tool["name"] == "get_forecast"
    assert tool["input_schema"]["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert errors_in(validate_tool(tool)) == []


def test_infer_from_python_never_runs_the_file(tmp_path):
    marker = tmp_path / "ran"
    source = tmp_path / "tools.py"
    source.write_text(f"open({str(marker)!r}, 'w').write('x')\n"
                      "def forecast(city: str, days: int = 3):\n"
                      "    '''Get the forecast for a city for the next few days.'''\n"
                      "    raise SystemExit(1)\n"
                      "def other(x: bool): ...\n")
    code, out, err = run_tool("infer", "--from-python", f"{source}:forecast")
    assert code == 0, err
    tool = json.loads(out)
    assert tool["name"] == "forecast" and tool["input_schema"]["required"] == ["city"]
    assert not marker.exists()
    code, out, err = run_tool("infer", "--from-python", f"{source}:missing")
    assert code == 2 and out == ""
    assert err.strip() == "error: No function named 'missing'; the source defines: forecast, other."


def test_infer_notes_go_to_stderr_and_bad_input_exits_2(tmp_path):
    example = tmp_path / "example.json"
    example.write_text('{"when": null}')
    code, out, err = run_tool("infer", "--from-json", str(example))
    assert code == 0 and '"when" was null' in err and json.loads(out)["name"] == "my_tool"
    example.write_text("[1, 2]")
    code, out, err = run_tool("infer", "--from-json", str(example))
    assert code == 2 and err.startswith("error: The example must be a JSON object")


def test_main_dispatches_tool_and_help_documents_it(capsys):
    assert main(["tool", "validate", str(CORPUS / "weather.tool.json")]) == 0
    assert "valid" in capsys.readouterr().out
    done = subprocess.run([sys.executable, "-m", "workbench", "tool", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "validate" in done.stdout and "infer" in done.stdout
