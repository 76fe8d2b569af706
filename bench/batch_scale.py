"""A 10,000-request Message Batch end to end against the simulator (in its own process).

Prints: time to build and submit the batch (and record it in the call log), simulated processing
time, time to collect the results (stream the JSON lines and log every one as a call), the peak
RSS of the collecting process against the same process before collecting, and the rows logged.
The collect runs in a fresh process, as a restarted CLI would (`batch results ID`), so its peak
RSS is that of collecting alone.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MODELS = ["claude-haiku-4-5", "claude-haiku-5-5", "claude-sonnet-4-6", "claude-sonnet-5-5"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def start_simulator_process(speed: float) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "workbench.simulator", "--port", "0", "--speed", str(speed)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"simulator did not start: {first_line!r}")
    return process, first_line.removeprefix("listening on ")


def collect_in_this_process(base_url: str, batch_id: str) -> None:
    """The collecting process: print one JSON line of figures."""
    import anthropic

    from workbench import batches
    from workbench.pricing import load_price_table
    from workbench.usage_log import UsageLog

    client = anthropic.Anthropic(base_url=base_url, api_key="bench-key")
    log = UsageLog()
    prices = load_price_table()
    before_mb = peak_rss_mb()
    started = time.perf_counter()
    report = batches.collect(client, log, batch_id, prices=prices)
    collect_s = time.perf_counter() - started
    print(json.dumps({"collect_s": collect_s, "rss_before_mb": before_mb, "rss_peak_mb": peak_rss_mb(),
                      "logged": report.logged, "problems": len(report.problems),
                      "rows": log.count(source="batch")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--speed", type=float, default=1000.0, help="simulator speed (processing is simulated time)")
    parser.add_argument("--collect", nargs=2, metavar=("BASE_URL", "BATCH_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collect:
        collect_in_this_process(*args.collect)
        return

    import anthropic

    from workbench import batches
    from workbench.compare_cases import CompareCase
    from workbench.spec import PromptSpec, new_prompt
    from workbench.usage_log import UsageLog

    home = tempfile.mkdtemp(prefix="batch-scale-")
    os.environ["WORKBENCH_HOME"] = home
    process, base_url = start_simulator_process(args.speed)
    try:
        client = anthropic.Anthropic(base_url=base_url, api_key="bench-key")
        spec = new_prompt(MODELS[0], user_text="Give one fact about {{topic}}.", max_tokens=64)
        spec = PromptSpec(request=spec.request, name="bench-batch", variables={})
        cases = [CompareCase(index, {"topic": f"topic {index}"}, None) for index in range(args.requests // len(MODELS))]

        started = time.perf_counter()
        plan = batches.build_batch(spec, MODELS, cases=cases)
        built_s = time.perf_counter() - started
        record = batches.submit(client, plan, UsageLog())
        submit_s = time.perf_counter() - started
        del plan

        started = time.perf_counter()
        batches.wait_until_ended(client, UsageLog(), record.id, poll_s=0.2)
        processing_s = time.perf_counter() - started

        done = subprocess.run([sys.executable, __file__, "--collect", base_url, record.id], cwd=REPO,
                              env={**os.environ, "WORKBENCH_HOME": home}, capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"requests: {record.request_count:,} ({len(cases):,} cases × {len(MODELS)} models)")
    print(f"build the plan: {built_s:.2f} s; build + submit + record in the call log: {submit_s:.2f} s")
    print(f"processing (simulated, --speed {args.speed:g}): {processing_s:.2f} s")
    print(f"collect (stream the results, log every one as a call): {figures['collect_s']:.2f} s "
          f"({record.request_count / figures['collect_s']:,.0f} results/s)")
    print(f"collecting process peak RSS: {figures['rss_peak_mb']:.0f} MB "
          f"({figures['rss_before_mb']:.0f} MB before collecting, after imports)")
    print(f"rows logged with source 'batch': {figures['rows']:,} (unreadable lines: {figures['problems']})")


if __name__ == "__main__":
    main()
