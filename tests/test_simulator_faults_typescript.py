"""The official TypeScript SDK against the `reset` and `stream_error` faults: its retries differ from Python's
(a reset is retried; an error event inside a 200 stream is raised without a status and not retried)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Installed by scripts/node_deps.sh (run by scripts/test.sh) with the code-export tests' packages.
SDK_DIR = TESTS / "codegen_node" / "node_modules" / "@anthropic-ai" / "sdk"


def test_typescript_sdk_retries_a_reset_and_raises_a_stream_error_without_retrying(simulator):
    assert SDK_DIR.is_dir(), "run scripts/node_deps.sh (scripts/test.sh does) to install the TypeScript SDK"
    done = subprocess.run(["node", str(TESTS / "ts_sdk_faults.cjs"), simulator.base_url, str(SDK_DIR)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    cases = {line["case"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert cases["reset_retried"] == {"case": "reset_retried", "model": "claude-haiku-4-5", "blocks": 1}
    assert cases["reset_gives_up"]["connection"] is True
    streamed = cases["stream_error"]
    assert streamed["apiError"] is True and streamed["status"] is None and streamed["type"] == "overloaded_error"
    assert streamed["text"].startswith("[Simulated reply")  # the text before the error arrived
