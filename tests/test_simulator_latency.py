"""Latency follows the model line (Haiku fast, Opus slow) and is divided by --speed.

The pacing the server sleeps by is checked here, not the wall clock: timings belong in
bench/simulator_latency.py, which measures them over HTTP.
"""
from __future__ import annotations

import random

import pytest

from workbench.simulator.catalog import find_model
from workbench.simulator.latency import JITTER, pacing_for


def pacing(model_id: str, speed: float, seed: int):
    return pacing_for(find_model(model_id), random.Random(seed), speed)


@pytest.mark.parametrize("seed", range(20))
def test_opus_is_slower_than_haiku_whatever_the_jitter(seed):
    haiku, opus = pacing("claude-haiku-4-5", 1, seed), pacing("claude-opus-4-6", 1, seed + 1000)
    assert haiku.ttft_s < opus.ttft_s
    assert haiku.seconds_per_token < opus.seconds_per_token
    assert haiku.total_s(300) < opus.total_s(300)


def test_jitter_stays_within_bounds_and_varies():
    ttfts = [pacing("claude-sonnet-4-6", 1, seed).ttft_s for seed in range(200)]
    assert all(0.5 * (1 - JITTER) <= ttft <= 0.5 * (1 + JITTER) for ttft in ttfts)
    assert len(set(ttfts)) > 100


def test_speed_divides_every_delay():
    normal, fast = pacing("claude-opus-4-6", 1, 7), pacing("claude-opus-4-6", 5, 7)
    assert fast.ttft_s == pytest.approx(normal.ttft_s / 5)
    assert fast.seconds_per_token == pytest.approx(normal.seconds_per_token / 5)
    assert fast.total_s(300) == pytest.approx(normal.total_s(300) / 5)


def test_a_line_without_a_profile_is_paced_like_sonnet():
    unknown_line = {**find_model("claude-sonnet-4-6"), "line": "no-such-line"}
    assert pacing_for(unknown_line, random.Random(1), 1) == pacing("claude-sonnet-4-6", 1, 1)
