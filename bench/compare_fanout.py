"""Compare figures on the simulator: fan-out overhead of a 4-model compare, and a 200-call matrix
under a request limit and under an input-token limit that binds first: share of the binding limit
reached over the matrix's wall time, 429s per successful call, calls failed, calls missing from the log."""
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

from workbench import compare  # noqa: E402
from workbench.backend import paced_http_client  # noqa: E402
from workbench.compare_cases import CompareCase  # noqa: E402
from workbench.spec import PromptSpec, new_prompt  # noqa: E402
from workbench.usage_log import UsageLog  # noqa: E402

FANOUT_MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-2"]
# Limits apply per model (as the API's do): the matrix runs on one fast model, so that 20 calls in
# flight offer more than its limit allows.
MATRIX_MODEL = "claude-haiku-4-5"
# About 400 input tokens a call: under --itpm 20000 that is ~50 calls a simulated minute, far
# below the request limit.
LONG_QUESTION = "Think about this before you answer. " * 55 + "Give one fact about {{topic}}."


def start_simulator_process(speed: float, rate_limit: float | None, itpm: int | None = None) -> tuple[subprocess.Popen, str]:
    """`python -m workbench.simulator` in its own process (its own GIL); returns (process, base URL)."""
    command = [sys.executable, "-m", "workbench.simulator", "--port", "0", "--speed", str(speed)]
    if rate_limit:
        command += ["--rate-limit", str(rate_limit)]
    if itpm:
        command += ["--itpm", str(itpm)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"simulator did not start: {first_line!r}")
    return process, first_line.removeprefix("listening on ")


def prompt(max_tokens: int, user_text: str = "Give one fact about {{topic}}.") -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text=user_text, max_tokens=max_tokens)
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


def rate_limited_matrix(base_url: str, calls_wanted: int, concurrency: int, user_text: str) -> dict:
    """Run a cases matrix against a rate-limited simulator with the app's paced client; count what finished,
    what was refused on the wire (429s, the SDK's retries included) and what was logged."""
    refused = []
    http_client = paced_http_client()
    hooks = http_client.event_hooks
    http_client.event_hooks = {
        "request": hooks["request"],
        "response": [*hooks["response"], lambda response: refused.append(1) if response.status_code == 429 else None],
    }
    client = anthropic.Anthropic(base_url=base_url, api_key="bench-key", http_client=http_client)
    cases = [CompareCase(index, {"topic": f"topic {index}"}, None) for index in range(calls_wanted)]
    calls = compare.plan_calls(prompt(24, user_text), [MATRIX_MODEL], cases=cases)
    log = UsageLog()
    reruns = 0
    outcome = compare.CompareOutcome(calls, endpoint=base_url)
    for call, event in compare.stream_compare(client, calls, concurrency=concurrency, log=log):
        outcome.observe(call, event)
        reruns += isinstance(event, compare.Rerun)
    outcome.finish()
    results = list(outcome.results.values())
    succeeded = [result for result in results if result.ok]
    return {
        "calls": len(calls),
        "succeeded": len(succeeded),
        "failed": len(calls) - len(succeeded),
        "unlogged": sum(result.log_id is None for result in results) + len(calls) - len(results),
        "wall_s": outcome.wall_ms / 1000,
        "input_tokens": sum(result.usage.input_tokens + result.usage.cache_write_tokens for result in succeeded),
        "refused_429": len(refused),
        "waited": outcome.rate_limit_waits,
        "reruns": reruns,
    }


def report_matrix(name: str, matrix: dict, spent: float, bucket: float, refill_per_s: float, unit: str) -> None:
    """Share of the limit: what the matrix spent beyond the bucket's first burst, per second of its wall
    time, against the limit's refill rate (with the burst counted too, it would exceed 1)."""
    share = (spent - bucket) / matrix["wall_s"] / refill_per_s
    per_success = matrix["refused_429"] / max(1, matrix["succeeded"])
    print(f"{name}: {matrix['calls']} calls in {matrix['wall_s']:.2f} s; {share:.3f} of the limit "
          f"({refill_per_s:,.0f} {unit}/s after a burst of {bucket:,.0f}; target >= 0.9); "
          f"{matrix['refused_429']} 429s = {per_success:.3f} per successful call (target <= 0.05); "
          f"{matrix['failed']} failed, {matrix['unlogged']} unlogged; {matrix['waited']} calls waited for the limit; "
          f"{matrix['reruns']} re-run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="simulator speed for the fan-out compare")
    parser.add_argument("--rounds", type=int, default=3, help="fan-out compares to run (median reported)")
    parser.add_argument("--rate-limit", type=float, default=20.0, help="simulator requests per second")
    parser.add_argument("--calls", type=int, default=200, help="calls in each rate-limited matrix")
    parser.add_argument("--itpm", type=int, default=20_000, help="simulator input tokens per minute (second matrix)")
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
        matrix = rate_limited_matrix(base_url, args.calls, args.concurrency, "Give one fact about {{topic}}.")
    finally:
        process.terminate()
    report_matrix(f"requests matrix (--rate-limit {args.rate_limit:g})", matrix, matrix["calls"],
                  max(1.0, args.rate_limit), args.rate_limit, "requests")

    # Speed 10: a simulated minute is 6 s, so --itpm 20000 refills 3,333 tokens (~8 calls) a real
    # second, while the request limit allows 200 a second: the token limit binds.
    speed, itpm = 10.0, args.itpm
    process, base_url = start_simulator_process(speed, args.rate_limit, itpm)
    try:
        matrix = rate_limited_matrix(base_url, args.calls, args.concurrency, LONG_QUESTION)
    finally:
        process.terminate()
    report_matrix(f"input-token matrix (--itpm {itpm}, --rate-limit {args.rate_limit:g}, --speed {speed:g})", matrix,
                  matrix["input_tokens"], itpm, itpm / 60 * speed, "input tokens")


if __name__ == "__main__":
    main()
