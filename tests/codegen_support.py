"""Run generated snippets in batches (one process per language) and compare what they sent with Workbench's body."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import anthropic

from capture_server import CaptureServer
from workbench.codegen import export_snippet, sent_body
from workbench.runner import run_once

ROOT = Path(__file__).resolve().parent.parent
NODE_FOLDER = ROOT / "tests" / "codegen_node"
CANARY_KEY = "sk-ant-canary-codegen-0000"


def ensure_node_packages() -> None:
    """Install the npm packages the TypeScript snippets need, the way scripts/test.sh does (idempotent)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "node_deps.sh")], check=True, timeout=600)


@dataclass
class Case:
    """One prompt to export: the request, variable values and the Editor's extra headers."""

    label: str
    request: dict
    values: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@dataclass
class Run:
    """One snippet to run: where it is and which base URL it reaches the capture server by."""

    label: str
    file: Path
    env_base_url: str | None  # None: the snippet carries its own (custom) base URL


def workbench_body(server: CaptureServer, case: Case) -> tuple[dict, str]:
    """The body Workbench itself sends for the case (the runner, streaming), as the capture server got it."""
    label = f"workbench/{case.label}"
    client = anthropic.Anthropic(base_url=server.url_for(label), api_key=CANARY_KEY, max_retries=0)
    request = sent_body(case.request, case.values, stream=False)
    result = run_once(client, request, extra_headers=case.headers or None)
    assert result.ok, result.error
    (captured,) = server.taken(label)
    return captured.json(), captured.headers["anthropic-version"]


def write_snippets(server: CaptureServer, cases: list[Case], language: str, folder: Path, *, stream: bool,
                   keep_variables: bool, custom_base_url: bool) -> list[Run]:
    folder.mkdir(parents=True, exist_ok=True)
    runs = []
    for number, case in enumerate(cases):
        label = f"{language}-{int(stream)}{int(keep_variables)}{int(custom_base_url)}-{case.label}"
        url = server.url_for(label)
        snippet = export_snippet(case.request, case.values, language, stream=stream, keep_variables=keep_variables,
                                 base_url=url if custom_base_url else None, headers=case.headers)
        assert CANARY_KEY not in snippet.code
        path = folder / f"snippet_{number}_{label.replace('-', '_')}.{snippet.file_name.rsplit('.', 1)[1]}"
        path.write_text(snippet.code, encoding="utf-8")
        runs.append(Run(label, path, None if custom_base_url else url))
    return runs


def _environment() -> dict:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ANTHROPIC_", "WORKBENCH_"))}
    env["ANTHROPIC_API_KEY"] = CANARY_KEY
    return env


def _manifest(runs: list[Run], folder: Path) -> Path:
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps([{"file": str(run.file), "env": {"ANTHROPIC_BASE_URL": run.env_base_url}}
                                    for run in runs]), encoding="utf-8")
    return manifest


def run_python(runs: list[Run], folder: Path) -> None:
    _check(subprocess.run([sys.executable, str(ROOT / "tests" / "codegen_run_python.py"), str(_manifest(runs, folder))],
                          cwd=folder, env=_environment(), capture_output=True, text=True, timeout=600))


def run_typescript(runs: list[Run], folder: Path) -> None:
    env = dict(_environment(), NODE_PATH=str(NODE_FOLDER / "node_modules"))
    _check(subprocess.run(["node", str(NODE_FOLDER / "run_snippets.cjs"), str(_manifest(runs, folder))],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600))


def run_curl(runs: list[Run], folder: Path) -> None:
    lines = ["set -u", "failed=0"]
    for run in runs:
        setting = "unset ANTHROPIC_BASE_URL" if run.env_base_url is None else \
            f"export ANTHROPIC_BASE_URL='{run.env_base_url}'"
        lines += [setting, f"bash '{run.file}' >/dev/null || {{ echo 'snippet failed: {run.file}' >&2; failed=1; }}"]
    lines.append("exit $failed")
    _check(subprocess.run(["bash", "-c", "\n".join(lines)], cwd=folder, env=_environment(),
                          capture_output=True, text=True, timeout=600))


def _check(process: subprocess.CompletedProcess) -> None:
    assert process.returncode == 0, f"exit {process.returncode}\nstdout:\n{process.stdout[-3000:]}\n" \
                                    f"stderr:\n{process.stderr[-6000:]}"


RUNNERS = {"python": run_python, "typescript": run_typescript, "curl": run_curl}


def assert_sent_as_workbench(server: CaptureServer, run: Run, expected: tuple[dict, str], case: Case, *,
                             stream: bool) -> None:
    """The snippet sent exactly one request: Workbench's body (as JSON, types kept), key, version and headers."""
    captured = server.taken(run.label)
    assert len(captured) == 1, f"{run.label}: {len(captured)} requests\n{run.file.read_text()}"
    (request,) = captured
    assert request.path == f"/{run.label}/v1/messages"
    want, version = dict(expected[0]), expected[1]
    if not stream:
        want.pop("stream", None)
    difference = json_difference(json.loads(request.body.decode("utf-8")), want)
    assert difference is None, f"{run.label}: {difference}\n--- snippet ---\n{run.file.read_text()}"
    assert request.headers.get("x-api-key") == CANARY_KEY or \
        request.headers.get("authorization") == f"Bearer {CANARY_KEY}"
    assert request.headers["anthropic-version"] == version
    assert request.headers["content-type"].split(";")[0] == "application/json"
    for name, value in case.headers.items():
        assert request.headers.get(name.lower()) == value, f"{run.label}: header {name}"


def json_difference(actual: object, expected: object, path: str = "$") -> str | None:
    """Where two JSON values differ, or None. Booleans are not numbers; an integer must stay an integer."""
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        same = type(actual) is type(expected) and actual == expected
    elif isinstance(expected, int):
        same = type(actual) is int and actual == expected
    elif isinstance(expected, float):
        # JavaScript writes 2.0 as 2, and 6.4e16 as 64000000000000000: the same number as a double.
        same = type(actual) in (int, float) and float(actual) == expected
    elif isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            keys = sorted(set(actual) ^ set(expected)) if isinstance(actual, dict) else "not an object"
            return f"{path}: keys differ ({keys})"
        for key in expected:
            found = json_difference(actual[key], expected[key], f"{path}.{key}")
            if found:
                return found
        return None
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: arrays differ in length"
        for index, (left, right) in enumerate(zip(actual, expected)):
            found = json_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    else:
        raise TypeError(f"not JSON: {expected!r}")
    return None if same else f"{path}: sent {actual!r}, expected {expected!r}"
