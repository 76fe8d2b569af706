"""Cost of a call from the bundled price table, each rule checked against arithmetic done by hand."""
from __future__ import annotations

from datetime import date

import pytest
from anthropic.types import CacheCreation, MessageDeltaUsage, Usage

from workbench import present
from workbench.pricing import Cost, UsageCounts, load_price_table

# A date on which every bundled row below is in force, so these tests don't depend on today.
ON = date(2026, 11, 24)


@pytest.fixture(scope="module")
def prices():
    return load_price_table()


def test_plain_input_and_output(prices):
    # Sonnet 4.6: $3 in, $15 out per MTok.
    # 1,000 in  x 3 / 1e6 = 0.003
    #   500 out x 15 / 1e6 = 0.0075            total 0.0105
    cost = prices.cost(UsageCounts(input_tokens=1_000, output_tokens=500), "claude-sonnet-4-6", on=ON)
    assert cost.known and cost.reason is None
    assert cost.usd == pytest.approx(0.0105)
    assert cost.breakdown == pytest.approx({"input": 0.003, "output": 0.0075, "cache_write_5m": 0.0,
                                            "cache_write_1h": 0.0, "cache_read": 0.0})
    assert cost.price_version == prices.version
    assert present.cost(cost) == "$0.0105"


def test_cache_write_5m_and_1h_are_priced_differently(prices):
    # Opus 4.7: 5m write $6.25, 1h write $10 per MTok.
    # 2,000 x 6.25 / 1e6 = 0.0125 ;  2,000 x 10 / 1e6 = 0.02
    five_minutes = prices.cost(UsageCounts(cache_write_5m_tokens=2_000), "claude-opus-4-7", on=ON)
    one_hour = prices.cost(UsageCounts(cache_write_1h_tokens=2_000), "claude-opus-4-7", on=ON)
    assert five_minutes.usd == pytest.approx(0.0125)
    assert one_hour.usd == pytest.approx(0.02)


def test_cache_read_uses_the_models_own_rate(prices):
    # Opus 5.5: input $4, cache read $0.20 (0.05x input, not the usual 0.1x).
    #    100 in   x 4    / 1e6 = 0.0004
    # 10,000 read x 0.20 / 1e6 = 0.002           total 0.0024
    cost = prices.cost(UsageCounts(input_tokens=100, cache_read_tokens=10_000), "claude-opus-5-5", on=ON)
    assert cost.usd == pytest.approx(0.0024)
    assert cost.breakdown["cache_read"] == pytest.approx(0.002)


def test_every_token_kind_together(prices):
    # Haiku 4.5: in $1, out $5, 5m write $1.25, 1h write $2, read $0.10.
    #  1,000 x 1    / 1e6 = 0.001
    #  2,000 x 5    / 1e6 = 0.01    (thinking tokens are inside output_tokens)
    #  4,000 x 1.25 / 1e6 = 0.005
    #  3,000 x 2    / 1e6 = 0.006
    # 50,000 x 0.10 / 1e6 = 0.005                total 0.027
    usage = UsageCounts(1_000, 2_000, 4_000, 3_000, 50_000)
    assert prices.cost(usage, "claude-haiku-4-5", on=ON).usd == pytest.approx(0.027)


def test_batch_halves_every_token_kind(prices):
    # The reference says Message Batches take 50% off input and output; the batch docs say all
    # usage is billed at 50%, so cache writes and reads are halved too (our decision).
    # Same usage as above: 0.027 / 2 = 0.0135; each part halves: 0.0005, 0.005, 0.0025, 0.003, 0.0025
    usage = UsageCounts(1_000, 2_000, 4_000, 3_000, 50_000)
    cost = prices.cost(usage, "claude-haiku-4-5", batch=True, on=ON)
    assert cost.usd == pytest.approx(0.0135)
    assert cost.breakdown == pytest.approx({"input": 0.0005, "output": 0.005, "cache_write_5m": 0.0025,
                                            "cache_write_1h": 0.003, "cache_read": 0.0025})


def test_each_opus_4_model_has_its_own_row(prices):
    # 1M input tokens: Opus 4.1 and Opus 4 are $15; Opus 4.5 to 4.8 are $5. No family guess.
    million_in = UsageCounts(input_tokens=1_000_000)
    expected = {"claude-opus-4": 15, "claude-opus-4-1": 15, "claude-opus-4-5": 5, "claude-opus-4-6": 5,
                "claude-opus-4-7": 5, "claude-opus-4-8": 5}
    assert {model: prices.cost(million_in, model, on=ON).usd for model in expected} == pytest.approx(expected)


def test_unknown_model_is_unknown_never_zero(prices):
    cost = prices.cost(UsageCounts(input_tokens=10, output_tokens=10), "claude-nonexistent-9", on=ON)
    assert cost.usd is None and not cost.known
    assert cost.reason == f"no price for model 'claude-nonexistent-9' in price table {prices.version}"
    assert present.cost(cost) == "unknown"
    assert cost.breakdown == {}
    assert not prices.has_model("claude-nonexistent-9")
    assert prices.rates_for("claude-nonexistent-9") is None


def test_zero_usage_of_a_known_model_costs_zero(prices):
    cost = prices.cost(UsageCounts(), "claude-haiku-4-5", on=ON)
    assert cost.usd == 0 and cost.known and present.cost(cost) == "$0.00"


def test_projected_cost_without_and_with_a_cache_hit(prices):
    # Sonnet 4.6: 10,000 in x 3 / 1e6 = 0.03 ; 1,000 out x 15 / 1e6 = 0.015     total 0.045
    # cache hit: 10,000 read x 0.30 / 1e6 = 0.003 ; + 0.015                   total 0.018
    # batch, no hit: 0.045 / 2 = 0.0225
    assert prices.projected_cost("claude-sonnet-4-6", 10_000, 1_000).usd == pytest.approx(0.045)
    assert prices.projected_cost("claude-sonnet-4-6", 10_000, 1_000, cache_hit=True).usd == pytest.approx(0.018)
    assert prices.projected_cost("claude-sonnet-4-6", 10_000, 1_000, batch=True).usd == pytest.approx(0.0225)
    assert prices.projected_cost("no-such-model", 1, 1).usd is None


def test_a_cost_is_shown_by_the_one_dollar_formatter():
    # The formatting rule itself is tested in test_present.py; a Cost only hands over its dollars.
    assert present.cost(Cost(usd=0.0123)) == "$0.0123"
    assert present.cost(Cost(usd=None, reason="why")) == "unknown"
    assert present.cost(Cost(usd=None, reason="why"), with_reason=True) == "unknown (why)"


def test_usage_from_sdk_with_the_ttl_breakdown():
    usage = Usage(input_tokens=10, output_tokens=20, cache_creation_input_tokens=300, cache_read_input_tokens=40,
                  cache_creation=CacheCreation(ephemeral_5m_input_tokens=100, ephemeral_1h_input_tokens=200))
    counts = UsageCounts.from_sdk(usage)
    assert counts == UsageCounts(input_tokens=10, output_tokens=20, cache_write_5m_tokens=100,
                                 cache_write_1h_tokens=200, cache_read_tokens=40)
    assert counts.prompt_tokens == 10 + 100 + 200 + 40
    assert counts.cache_write_tokens == 300


def test_usage_from_sdk_without_breakdown_counts_writes_as_5m():
    usage = Usage(input_tokens=5, output_tokens=6, cache_creation_input_tokens=70, cache_read_input_tokens=None)
    assert UsageCounts.from_sdk(usage) == UsageCounts(5, 6, 70, 0, 0)


def test_usage_from_message_delta_usage():
    delta = MessageDeltaUsage(output_tokens=42, input_tokens=7, cache_creation_input_tokens=3,
                              cache_read_input_tokens=9)
    assert UsageCounts.from_sdk(delta) == UsageCounts(7, 42, 3, 0, 9)
    assert UsageCounts.from_sdk(MessageDeltaUsage(output_tokens=1)) == UsageCounts(output_tokens=1)


def test_usage_from_api_json():
    body = {"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": 30,
            "cache_read_input_tokens": 4,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 20},
            "service_tier": "standard"}
    assert UsageCounts.from_dict(body) == UsageCounts(1, 2, 10, 20, 4)
    assert UsageCounts.from_dict({"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": None}) \
        == UsageCounts(1, 2)


def test_breakdown_short_of_the_total_puts_the_rest_in_5m():
    body = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 50,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 20}}
    assert UsageCounts.from_dict(body) == UsageCounts(cache_write_5m_tokens=30, cache_write_1h_tokens=20)


@pytest.mark.parametrize("model, usage, on, batch, expected", [
    # Opus 5.5 (4 / 20 / 5m 5 / 1h 8 / read 0.20): 12,345 x 4 + 6,789 x 20 + 1,000 x 5 + 2,000 x 0.20
    #   = 49,380 + 135,780 + 5,000 + 400 = 190,560 per MTok-unit -> $0.19056
    ("claude-opus-5-5", UsageCounts(12_345, 6_789, 1_000, 0, 2_000), date(2026, 11, 24), False, 0.19056),
    # Sonnet 5.5 after the 2026-10-07 cut (2 / 10 / 1h 4 / read 0.10): 500 x 2 + 200 x 10 + 4,000 x 4
    #   + 3,000 x 0.10 = 1,000 + 2,000 + 16,000 + 300 = 19,300 -> $0.0193; batch halves it -> $0.00965
    ("claude-sonnet-5-5", UsageCounts(500, 200, 0, 4_000, 3_000), date(2026, 11, 24), False, 0.0193),
    ("claude-sonnet-5-5", UsageCounts(500, 200, 0, 4_000, 3_000), date(2026, 11, 24), True, 0.00965),
    # Haiku 5.5, prompt 90,000 + 20,000 read = 110,000 > 100k, so every token pays the high band
    #   (0.50 / 2.50 / read 0.05): 90,000 x 0.50 + 1,000 x 2.50 + 20,000 x 0.05 = 45,000 + 2,500 + 1,000
    #   = 48,500 -> $0.0485
    ("claude-haiku-5-5", UsageCounts(90_000, 1_000, 0, 0, 20_000), date(2026, 11, 24), False, 0.0485),
])
def test_bundled_prices_match_costs_worked_by_hand(model, usage, on, batch, expected):
    assert load_price_table().cost(usage, model, on=on, batch=batch).usd == pytest.approx(expected)
