"""The CLI as a real process, for what only a process shows: the interpreter's exit code and output
streams, and which modules a fresh interpreter imports. Everything else runs in process (test_cli_run).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BAD_FILE = '{"format": "workbench.prompt/1", "request": {"model": "claude-haiku-4-5"}}'


def process_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANTHROPIC_")}
    env.pop("WORKBENCH_BACKEND", None)
    return {**env, **extra}


def test_a_bad_prompt_file_exits_2_with_one_line(workbench_home, tmp_path):
    bad = tmp_path / "bad.prompt.json"
    bad.write_text(BAD_FILE, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "workbench", "run", str(bad)], capture_output=True, text=True,
                          cwd=REPO, env=process_env(WORKBENCH_HOME=str(workbench_home)), timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: $.request.max_tokens")


def test_input_problems_are_answered_without_importing_the_sdk(workbench_home, tmp_path):
    # Importing anthropic takes seconds: bad input must be refused before it is loaded.
    bad = tmp_path / "bad.prompt.json"
    bad.write_text(BAD_FILE, encoding="utf-8")
    good = tmp_path / "good.prompt.json"
    good.write_text(json.dumps({"format": "workbench.prompt/1", "request": {
        "model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "{{x}}"}]}}))
    script = f"""
import io, json, sys
from workbench.cli import main
codes = [main(argv, io.StringIO(), io.StringIO()) for argv in [
    ["run", {str(bad)!r}], ["count", {str(bad)!r}], ["run", {str(good)!r}], ["run", "-p", "hi", "--var", "x"],
    ["run", {str(good)!r}, "--var", "x=1", "--max-tokens", "0"], ["compare", {str(bad)!r}, "--models", "a,b"],
    ["compare", {str(good)!r}, "--models", "a,b", "--repeat", "0"], ["--help"], ["run", "--help"],
]]
print(json.dumps({{"codes": codes, "heavy": sorted(name for name in ("anthropic", "httpx2", "regex") if name in sys.modules)}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                          env=process_env(WORKBENCH_HOME=str(workbench_home)), timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["codes"] == [2, 2, 2, 2, 2, 2, 2, 0, 0]
    assert report["heavy"] == []  # the SDK, its HTTP client, the regex engine

