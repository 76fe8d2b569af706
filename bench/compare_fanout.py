"""Compare figures on the simulator: fan-out overhead of a 4-model compare, and matrix throughput
under a rate limit (fraction of the limit reached, calls failed, calls missing from the log)."""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import anthropic  # noqa: E402
import httpx2  # noqa: E402

from workbench import compare  # noqa: E402
from workbench.compare_cases import CompareCase  # noqa: E402
from workbench.spec import PromptSpec, new_prompt  # noqa: E402
from workbench.usage_log import UsageLog  # noqa: E402

FANOUT_MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-2"]
# Fast lines and short replies, so 32 calls in flight offer more than the limit allows.
MATRIX_MODELS = ["claude-haiku-4-5", "claude-haiku-5-5", "claude-sonnet-4-6", "claude-sonnet-5-5"]


def start_simulator_process(speed: float, rate_limit: float | None) -> tuple[subprocess.Popen, str]:
    """`python -m workbench.simulator` in its own process (its own GIL); returns (process, base URL)."""
    command = [sys.executable, "-m", "workbench.simulator", "--port", "0", "--speed", str(speed)]
    if rate_limit:
        command += ["--rate-limit", str(rate_limit)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"simulator did not start: {first_line!r}")
    return process, first_line.removeprefix("listening on ")


def prompt(max_tokens: int) -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text="Give one fact about {{topic}}.", max_tokens=max_tokens)
    return PromptSpec(request=spec.request, name="bench-compare", variables={"topic": "rivers"})


def fanout_ratio(base_url: str, rounds: int) -> list[tuple[float, float]]:
    """(wall ms, slowest call ms) of `rounds` 4-model compares, one call per model each."""
    client = anthropic.Anthropic(base_url=base_url, api_key="bench-key")
    figures = []
    for round_number in range(rounds):
        calls = compare.plan_calls(prompt(300), FANOUT_MODELS, values={"topic": f"rivers {round_number}"})
        outcome = compare.run_compare(client, calls, concurrency=len(FANOUT_MODELS))
        slowest = max(result.latency_ms for result in outcome.results.values())
        figures.append((outcome.wall_ms, slowest))
    return figures


def rate_limited_matrix(base_url: str, calls_wanted: int, concurrency: int) -> dict:
    """Run a cases × models matrix against a rate-limited simulator; count what finished and was logged."""
    refused = []
    http_client = httpx2.Client(
        event_hooks={"response": [lambda response: refused.append(1) if response.status_code == 429 else None]},
        timeout=120,
    )
    client = anthropic.Anthropic(base_url=base_url, api_key="bench-key", http_client=http_client)
    rows = calls_wanted // len(MATRIX_MODELS)
    cases = [CompareCase(index, {"topic": f"topic {index}"}, None) for index in range(rows)]
    calls = compare.plan_calls(prompt(24), MATRIX_MODELS, cases=cases)
    log = UsageLog()
    reruns = 0
    outcome = compare.CompareOutcome(calls)
    for call, event in compare.stream_compare(client, calls, concurrency=concurrency, log=log):
        outcome.observe(call, event)
        reruns += isinstance(event, compare.Rerun)
    outcome.finish()
    results = list(outcome.results.values())
    return {
        "calls": len(calls),
        "finished": len(results),
        "failed": sum(not result.ok for result in results) + len(calls) - len(results),
        "unlogged": sum(result.log_id is None for result in results) + len(calls) - len(results),
        "logged_rows": log.count(source="compare"),
        "wall_s": outcome.wall_ms / 1000,
        "refused_429": len(refused),
        "reruns": reruns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="simulator speed for the fan-out compare")
    parser.add_argument("--rounds", type=int, default=3, help="fan-out compares to run (median reported)")
    parser.add_argument("--rate-limit", type=float, default=20.0, help="simulator requests per second")
    parser.add_argument("--calls", type=int, default=200, help="calls in the rate-limited matrix")
    # 20 in flight at ~0.6 s a call offer ~33 calls/s, well over the limit, without a needless herd.
    parser.add_argument("--concurrency", type=int, default=20, help="calls in flight in the matrix")
    args = parser.parse_args()
    os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="workbench-bench-")  # a private call log

    process, base_url = start_simulator_process(args.speed, None)
    try:
        figures = fanout_ratio(base_url, args.rounds)
    finally:
        process.terminate()
    ratios = [wall / slowest for wall, slowest in figures]
    median_index = ratios.index(statistics.median_low(ratios))
    wall, slowest = figures[median_index]
    print(f"fanout: {len(FANOUT_MODELS)} models, wall {wall:,.0f} ms, slowest call {slowest:,.0f} ms, "
          f"ratio {ratios[median_index]:.3f} (median of {len(ratios)}; all: "
          f"{', '.join(f'{ratio:.3f}' for ratio in ratios)}; target <= 1.05)")

    # Speed 1: the limit is then 20 real requests per second, well within what one machine serves.
    process, base_url = start_simulator_process(1.0, args.rate_limit)
    try:
        matrix = rate_limited_matrix(base_url, args.calls, args.concurrency)
    finally:
        process.terminate()
    throughput = matrix["finished"] / matrix["wall_s"]
    print(f"matrix: {matrix['calls']} calls in {matrix['wall_s']:.2f} s = {throughput:.2f} calls/s against "
          f"--rate-limit {args.rate_limit:g}: {throughput / args.rate_limit:.3f} of the limit (target >= 0.9); "
          f"{matrix['failed']} failed, {matrix['unlogged']} unlogged; {matrix['logged_rows']} log rows; "
          f"{matrix['refused_429']} responses were 429 and retried; {matrix['reruns']} calls re-run; "
          f"concurrency {args.concurrency}")


if __name__ == "__main__":
    main()
