"""Simulator latency over real HTTP, through the SDK (the wall-clock checks kept out of tests/):

(a) TTFT and total time of one streamed reply, Haiku vs Opus, at --speed 5: Opus is slower, and
    the figures are the model line's pacing divided by 5 (Haiku ~0.05 s TTFT, Opus ~0.18 s).
(b) overhead per request at --speed 100000, where the simulated latency is ~0: the median of
    count_tokens + create. Target: <= 30 ms for the pair (a Nagle/delayed-ACK stall adds ~40 ms
    per response, ~90 ms for the pair).

Prints the figures only.

    .venv/bin/python bench/simulator_latency.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import anthropic  # noqa: E402

from workbench.simulator import start_simulator  # noqa: E402

MESSAGES = [{"role": "user", "content": "Describe a lighthouse"}]


def first_text_and_total(client: anthropic.Anthropic, model: str) -> tuple[float, float]:
    started = time.monotonic()
    first = None
    with client.messages.stream(model=model, max_tokens=300, messages=MESSAGES) as stream:
        for _ in stream.text_stream:
            first = first if first is not None else time.monotonic() - started
    return first, time.monotonic() - started


def line_latency() -> None:
    handle = start_simulator(speed=5)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        first_text_and_total(client, "claude-haiku-4-5")  # warm the connection and the SDK's lazy imports
        for model in ("claude-haiku-4-5", "claude-opus-4-6"):
            first, total = first_text_and_total(client, model)
            print(f"(a) {model} at speed 5: TTFT {first * 1000:.0f} ms, total {total * 1000:.0f} ms")
    finally:
        handle.stop()


def request_overhead(rounds: int) -> None:
    handle = start_simulator(speed=100_000)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        client.models.list()  # warm the connection
        durations = []
        for _ in range(rounds):
            started = time.monotonic()
            client.messages.count_tokens(model="claude-haiku-4-5", messages=MESSAGES)
            client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=MESSAGES)
            durations.append(time.monotonic() - started)
    finally:
        handle.stop()
    print(f"(b) count_tokens + create at speed 100000: median {statistics.median(durations) * 1000:.1f} ms"
          f" over {rounds} (target <= 30 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    line_latency()
    request_overhead(args.rounds)


if __name__ == "__main__":
    main()
