"""Latency follows the model line (Haiku fast, Opus slow) and is divided by --speed."""
from __future__ import annotations

import time

import anthropic

from workbench.simulator import start_simulator

MESSAGES = [{"role": "user", "content": "Describe a lighthouse"}]


def first_text_and_total(client, model: str) -> tuple[float, float]:
    started = time.monotonic()
    first = None
    with client.messages.stream(model=model, max_tokens=300, messages=MESSAGES) as stream:
        for _ in stream.text_stream:
            first = first if first is not None else time.monotonic() - started
    return first, time.monotonic() - started


def test_opus_is_slower_than_haiku_and_speed_scales_it():
    handle = start_simulator(speed=5)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        first_text_and_total(client, "claude-haiku-4-5")  # warm the connection and the SDK's lazy imports
        haiku_first, haiku_total = first_text_and_total(client, "claude-haiku-4-5")
        opus_first, opus_total = first_text_and_total(client, "claude-opus-4-6")
    finally:
        handle.stop()
    assert 0.03 < haiku_first < opus_first  # ~0.05 s vs ~0.18 s at speed 5
    assert opus_total > haiku_total
    assert opus_total < 2.5  # 0.9 s + ~3 s of output at speed 1, divided by 5


def test_no_latency_beyond_the_simulated_one():
    """At a huge --speed a request costs about nothing: no Nagle/delayed-ACK stall (~40 ms) per response."""
    handle = start_simulator(speed=100_000)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="test-key", max_retries=0)
        client.models.list()  # warm the connection
        durations = []
        for _ in range(15):
            started = time.monotonic()
            client.messages.count_tokens(model="claude-haiku-4-5", messages=MESSAGES)
            client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=MESSAGES)
            durations.append(time.monotonic() - started)
    finally:
        handle.stop()
    assert sorted(durations)[len(durations) // 2] < 0.03  # two requests; ~90 ms with the stall
