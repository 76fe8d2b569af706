"""The fault drill's figures: a 200-call Compare matrix (50 cases x 4 models) through
`python -m workbench compare --json` against the simulator with --fault-rate 0.2 (overloaded,
rate_limit, server_error, disconnect, stream_error, reset, drawn per attempt). Prints how many calls ended ok or
failed (by error type), how many have no log row or a log row that disagrees with their outcome,
how many failed cells read as passed, and the wall time. tests/drills/ asserts the same things.

    .venv/bin/python bench/fault_drill.py [--fault-rate 0.2] [--seed 11]
"""
from __future__ import annotations

import argparse
import collections
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5"]
CASES = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fault-drill-"))
    os.environ["WORKBENCH_HOME"] = str(folder / "home")

    from workbench.cli import main as cli_main
    from workbench.simulator import start_simulator
    from workbench.spec import PromptSpec, new_prompt, save_prompt
    from workbench.usage_log import UsageLog

    simulator = start_simulator(speed=args.speed, fault_rate=args.fault_rate, seed=args.seed)
    os.environ.update({"ANTHROPIC_BASE_URL": simulator.base_url, "ANTHROPIC_API_KEY": "bench-key"})
    spec = new_prompt(MODELS[0], user_text="Give one fact about {{topic}}.", max_tokens=40)
    prompt = save_prompt(PromptSpec(request=spec.request, name="facts", variables={}), folder / "facts.prompt.json")
    cases = folder / "cases.csv"
    cases.write_text("topic,check,expected\n" + "".join(f"topic number {n},regex,\\S\n" for n in range(CASES)))
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    code = cli_main(["compare", str(prompt), "--models", ",".join(MODELS), "--cases", str(cases), "--json",
                     "--concurrency", "8"], out=out, err=err)
    wall = time.perf_counter() - started
    simulator.stop()
    runs = [run for model in MODELS for run in json.loads(out.getvalue())["models"][model]["runs"]]
    log = UsageLog()
    outcomes = collections.Counter(run["error"]["type"] if run["error"] else "ok" for run in runs)
    unlogged = sum(1 for run in runs if run["log_id"] is None)
    disagreeing = sum(1 for run in runs if run["log_id"] is not None and log.get(run["log_id"]).error_type
                      != (run["error"]["type"] if run["error"] else None))
    failed_as_passed = sum(1 for run in runs if not run["ok"] and run["passed"])
    print(f"calls: {len(runs)} (exit code {code}), wall {wall:.1f} s at simulator speed {args.speed:g}")
    print("final outcomes: " + ", ".join(f"{kind} {count}" for kind, count in outcomes.most_common()))
    print(f"log rows for compare: {log.count(source='compare')} (re-queued attempts included)")
    print(f"calls with no log row: {unlogged}; log row disagreeing with the outcome: {disagreeing}")
    print(f"failed cells shown as passed: {failed_as_passed}")


if __name__ == "__main__":
    main()
