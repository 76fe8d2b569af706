"""Prices that depend on prompt length (Haiku 5.5 bands) and on the date (Sonnet 5.5 cache reads)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from workbench import present
from workbench.pricing import UsageCounts, load_price_table

ON = date(2026, 11, 1)
HAIKU = "claude-haiku-5-5"
SONNET = "claude-sonnet-5-5"


@pytest.fixture(scope="module")
def prices():
    return load_price_table()


def test_haiku_at_exactly_100k_prompt_tokens_pays_the_low_band(prices):
    # prompt = 90,000 in + 10,000 read = 100,000 (<= 100k: low band, $0.10 / $0.50 / read $0.01)
    # 90,000 x 0.10 / 1e6 = 0.009 ; 10,000 x 0.01 / 1e6 = 0.0001 ; 1,000 out x 0.50 / 1e6 = 0.0005
    # total 0.0096
    usage = UsageCounts(input_tokens=90_000, cache_read_tokens=10_000, output_tokens=1_000)
    assert usage.prompt_tokens == 100_000
    assert prices.cost(usage, HAIKU, on=ON).usd == pytest.approx(0.0096)


def test_cache_tokens_push_haiku_into_the_high_band(prices):
    # prompt = 90,000 in + 10,000 read + 1 5m write = 100,001 (> 100k: high band for EVERY token)
    # 90,000 x 0.50  / 1e6 = 0.045
    # 10,000 x 0.05  / 1e6 = 0.0005
    #      1 x 0.625 / 1e6 = 0.000000625
    #  1,000 x 2.50  / 1e6 = 0.0025                 total 0.048000625
    usage = UsageCounts(input_tokens=90_000, cache_read_tokens=10_000, cache_write_5m_tokens=1, output_tokens=1_000)
    cost = prices.cost(usage, HAIKU, on=ON)
    assert cost.usd == pytest.approx(0.048000625)
    assert cost.breakdown["output"] == pytest.approx(0.0025)


def test_haiku_input_alone_over_100k(prices):
    # 100,001 x 0.50 / 1e6 = 0.0500005
    assert prices.cost(UsageCounts(input_tokens=100_001), HAIKU, on=ON).usd == pytest.approx(0.0500005)


def test_haiku_1h_write_in_the_low_band_is_known(prices):
    # 50,000 1h write x 0.20 / 1e6 = 0.01 (prompt 50,000: low band)
    assert prices.cost(UsageCounts(cache_write_1h_tokens=50_000), HAIKU, on=ON).usd == pytest.approx(0.01)


def test_haiku_1h_write_in_the_high_band(prices):
    # prompt 105,000 (high band): 100,000 x 0.50 + 5,000 x 1.00 = 50,000 + 5,000 -> $0.055
    usage = UsageCounts(input_tokens=100_000, cache_write_1h_tokens=5_000)
    assert prices.cost(usage, HAIKU, on=ON).usd == pytest.approx(0.055)


def test_a_rate_the_file_leaves_null_is_unknown_not_guessed(tmp_path):
    table = json.loads(open(load_price_table().source_path, encoding="utf-8").read())
    haiku_row = next(row for row in table["prices"] if row["model"] == HAIKU)
    haiku_row["bands"][1]["cache_write_1h"] = None
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    edited = load_price_table(path)
    cost = edited.cost(UsageCounts(input_tokens=100_000, cache_write_1h_tokens=5_000), HAIKU, on=ON)
    assert cost.usd is None and present.cost(cost) == "unknown"
    assert "1-hour cache write" in cost.reason and "prompt > 100,000 tokens" in cost.reason
    assert edited.version in cost.reason
    # The same usage without the unpublished kind is priced as usual.
    assert edited.cost(UsageCounts(input_tokens=100_001), HAIKU, on=ON).usd == pytest.approx(0.0500005)


def test_rates_for_picks_the_band(prices):
    low = prices.rates_for(HAIKU, on=ON, prompt_tokens=100_000)
    high = prices.rates_for(HAIKU, on=ON, prompt_tokens=100_001)
    assert (low.input, low.output, low.cache_write_5m, low.cache_write_1h, low.cache_read) == (
        0.10, 0.50, 0.125, 0.20, 0.01)
    assert (high.input, high.output, high.cache_write_5m, high.cache_write_1h, high.cache_read) == (
        0.50, 2.50, 0.625, 1.00, 0.05)
    assert low.band == "prompt ≤ 100,000 tokens" and high.band == "prompt > 100,000 tokens"
    assert prices.rates_for("claude-haiku-4-5", on=ON).band is None


def test_projected_cost_uses_the_band_of_the_projected_prompt(prices):
    # 200,000 in x 0.50 / 1e6 = 0.1 ; 1,000 out x 2.50 / 1e6 = 0.0025      total 0.1025
    assert prices.projected_cost(HAIKU, 200_000, 1_000).usd == pytest.approx(0.1025)


def test_sonnet_5_5_cache_read_before_and_after_2026_10_07(prices):
    # 1,000,000 reads: x 0.20 / 1e6 = 0.20 until 2026-10-06, x 0.10 / 1e6 = 0.10 from 2026-10-07.
    reads = UsageCounts(cache_read_tokens=1_000_000)
    assert prices.cost(reads, SONNET, on=date(2026, 10, 6)).usd == pytest.approx(0.20)
    assert prices.cost(reads, SONNET, on=date(2026, 10, 7)).usd == pytest.approx(0.10)
    assert prices.rates_for(SONNET, on=date(2026, 10, 6)).cache_read == 0.20
    assert prices.rates_for(SONNET, on=date(2026, 10, 7)).cache_read == 0.10
    assert prices.rates_for(SONNET, on=date(2026, 10, 7)).effective_from == date(2026, 10, 7)
    # Everything else is unchanged: 1M input x 2 / 1e6 = 2.0 on both sides.
    million_in = UsageCounts(input_tokens=1_000_000)
    assert prices.cost(million_in, SONNET, on=date(2026, 10, 6)).usd == pytest.approx(2.0)
    assert prices.cost(million_in, SONNET, on=date(2026, 10, 7)).usd == pytest.approx(2.0)


def test_rates_default_to_today(prices):
    today = prices.rates_for(SONNET)
    assert today == prices.rates_for(SONNET, on=date.today())


def test_before_a_models_first_price_the_cost_is_unknown(prices):
    cost = prices.cost(UsageCounts(input_tokens=1), SONNET, on=date(2025, 1, 1))
    assert cost.usd is None
    assert "2025-01-01" in cost.reason and "first price is from" in cost.reason
    assert prices.rates_for(SONNET, on=date(2025, 1, 1)) is None
