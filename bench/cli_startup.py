"""How long the CLI takes to refuse bad input, as a user runs it (a fresh interpreter each time):

    python -m workbench run bad.prompt.json          target: < 0.5 s (input is checked before the SDK loads)

and, for comparison, what importing the SDK alone costs (`python -c "import anthropic"`) and a bare
interpreter (`python -c pass`). Prints the median, min and max of each over N runs; nothing else.

    .venv/bin/python bench/cli_startup.py [--rounds 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BAD_FILE = '{"format": "workbench.prompt/1", "request": {"model": "claude-haiku-4-5"}}'


def seconds(command: list[str], env: dict[str, str], expected_code: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != expected_code:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "bad.prompt.json"
        bad.write_text(BAD_FILE, encoding="utf-8")
        env = {**os.environ, "WORKBENCH_HOME": folder}
        cases = {
            "python -m workbench run bad.prompt.json": ([sys.executable, "-m", "workbench", "run", str(bad)], 2),
            'python -c "import anthropic"': ([sys.executable, "-c", "import anthropic"], 0),
            'python -c "pass"': ([sys.executable, "-c", "pass"], 0),
        }
        for label, (command, code) in cases.items():
            seconds(command, env, code)  # warm the file cache once
            times = [seconds(command, env, code) for _ in range(rounds)]
            print(f"{label}: median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}, {rounds} runs)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
