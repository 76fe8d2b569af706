"""Prices beyond plain tokens: dated ids, Mythos 5.2, web search, fast mode, US-only inference, fallback models,
bad price files and impossible token counts. Every figure is worked out by hand in the test."""
from __future__ import annotations

import json

import pytest

from workbench.pricing import MAX_TOKEN_COUNT, PriceFileError, UsageCounts, load_price_table

PRICES = load_price_table()


def test_a_dated_snapshot_id_costs_what_its_alias_costs():
    usage = UsageCounts(input_tokens=10_000, output_tokens=2_000, cache_read_tokens=5_000)
    # Haiku 4.5: 10k x $1 + 2k x $5 + 5k x $0.10 per MTok = 0.01 + 0.01 + 0.0005
    assert PRICES.cost(usage, "claude-haiku-4-5-20251001").usd == pytest.approx(0.0205, abs=1e-12)
    assert PRICES.cost(usage, "claude-opus-4-5-20251101").usd == PRICES.cost(usage, "claude-opus-4-5").usd
    assert PRICES.has_model("claude-sonnet-4-5-20250929")


def test_mythos_5_2_is_priced_like_fable_5_2():
    usage = UsageCounts(input_tokens=1_000_000, output_tokens=100_000)
    assert PRICES.cost(usage, "claude-mythos-5-2").usd == pytest.approx(8 + 4, abs=1e-9)


def test_haiku_3_5_is_priced_under_its_api_id():
    usage = UsageCounts(input_tokens=1_000_000, output_tokens=1_000_000)
    assert PRICES.cost(usage, "claude-3-5-haiku-20241022").usd == pytest.approx(0.8 + 4, abs=1e-9)
    assert not PRICES.has_model("claude-haiku-3-5")


def test_web_searches_cost_ten_dollars_per_thousand_on_top_of_tokens():
    usage = UsageCounts.from_dict({"input_tokens": 1000, "output_tokens": 500,
                                   "server_tool_use": {"web_search_requests": 3, "web_fetch_requests": 0}})
    cost = PRICES.cost(usage, "claude-sonnet-4-6")
    # 1000 x $3/MTok + 500 x $15/MTok + 3 x $0.01 = 0.003 + 0.0075 + 0.03
    assert cost.usd == pytest.approx(0.0405, abs=1e-12)
    assert cost.breakdown["web_search"] == pytest.approx(0.03, abs=1e-12)
    # The batch discount halves tokens, not searches: 0.00525 + 0.03
    assert PRICES.cost(usage, "claude-sonnet-4-6", batch=True).usd == pytest.approx(0.03525, abs=1e-12)


def test_fast_mode_doubles_where_documented_and_says_its_source_is_a_tracker():
    usage = UsageCounts.from_dict({"input_tokens": 1000, "output_tokens": 1000, "speed": "fast"})
    cost = PRICES.cost(usage, "claude-opus-5")
    # (1000 x $5 + 1000 x $25) / 1M x 2 = 0.06
    assert cost.usd == pytest.approx(0.06, abs=1e-12)
    assert any("tracker" in note for note in cost.notes)
    undocumented = PRICES.cost(usage, "claude-haiku-4-5")
    assert undocumented.usd is None and "fast mode" in undocumented.reason


def test_us_only_inference_costs_1_1_times():
    usage = UsageCounts.from_dict({"input_tokens": 1_000_000, "output_tokens": 0, "inference_geo": "us"})
    assert PRICES.cost(usage, "claude-opus-4-6").usd == pytest.approx(5.5, abs=1e-9)
    elsewhere = UsageCounts.from_dict({"input_tokens": 1_000_000, "output_tokens": 0, "inference_geo": "global"})
    assert PRICES.cost(elsewhere, "claude-opus-4-6").usd == pytest.approx(5.0, abs=1e-9)


def test_a_fallback_answer_is_billed_at_the_model_that_answered():
    usage = UsageCounts(input_tokens=1_000_000, output_tokens=0)
    cost = PRICES.cost(usage, "claude-opus-5-5", requested_model="claude-fable-5-1")
    assert cost.usd == pytest.approx(4.0, abs=1e-9)  # Opus 5.5's $4, not Fable 5.1's $10
    assert any("fallback" in note and "claude-fable-5-1" in note for note in cost.notes)
    same = PRICES.cost(usage, "claude-haiku-4-5-20251001", requested_model="claude-haiku-4-5-20251001")
    assert not any("fallback" in note for note in same.notes)


def test_rows_say_whether_anthropic_or_a_tracker_is_the_source():
    assert PRICES.rates_for("claude-opus-4-6").source_kind == "anthropic"
    assert PRICES.rates_for("claude-fable-5-2").source_kind == "tracker"
    assert PRICES.modifiers["speed_fast"].source_kind == "tracker"
    assert PRICES.modifiers["inference_geo_us"].source_kind == "anthropic"


@pytest.mark.parametrize("bad", [
    {"input_tokens": -1}, {"output_tokens": 1.5}, {"cache_read_tokens": MAX_TOKEN_COUNT + 1},
    {"web_search_requests": -2},
])
def test_the_cost_function_refuses_counts_no_call_can_have(bad):
    with pytest.raises(ValueError, match="cannot price this usage"):
        PRICES.cost(UsageCounts(**bad), "claude-haiku-4-5")


def test_banded_models_show_their_lowest_band_in_the_picker():
    from components.prompt_form import _per_mtok
    assert _per_mtok(PRICES, "claude-haiku-5-5") == "from $0.10 in / $0.50 out per MTok"
    assert _per_mtok(PRICES, "claude-haiku-4-5-20251001") == "$1 in / $5 out per MTok"
    assert _per_mtok(PRICES, "claude-3-5-haiku-20241022") == "$0.80 in / $4 out per MTok"
    assert _per_mtok(PRICES, "claude-nope") == "price unknown"


def _price_file(tmp_path, rate: str):
    text = ('{"format": "workbench.prices/1", "checked": "2026-11-30", "prices": [{"model": "m", '
            '"effective_from": "2026-01-01", "input": %s, "output": 1, "cache_write_5m": 1, "cache_write_1h": 1, '
            '"cache_read": 1, "batch_discount": 0.5, "source": "test"}]}' % rate)
    path = tmp_path / "prices.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("rate", "shown"), [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
                                             ("-0.5", "-0.5")])
def test_a_price_file_with_an_unusable_rate_is_refused_with_one_message(tmp_path, rate, shown):
    with pytest.raises(PriceFileError) as raised:
        load_price_table(_price_file(tmp_path, rate))
    assert str(raised.value) == (f"{tmp_path / 'prices.json'}: $.prices[0].input: must be a finite number ≥ 0 "
                                 f"(USD per MTok) or null, got {shown}")


def test_a_modifier_with_an_unusable_figure_is_refused(tmp_path):
    path = _price_file(tmp_path, "1")
    data = json.loads(path.read_text())
    data["modifiers"] = {"speed_fast": {"multiplier": float("nan"), "source": "x"}}
    path.write_text(json.dumps(data))
    with pytest.raises(PriceFileError, match=r"\$\.modifiers\.speed_fast\.multiplier: must be a finite number"):
        load_price_table(path)


def test_a_run_on_a_dated_id_is_priced_and_not_called_a_fallback(client):
    from workbench.runner import run_once
    result = run_once(client, {"model": "claude-haiku-4-5-20251001", "max_tokens": 50,
                               "messages": [{"role": "user", "content": "Hi"}]}, prices=PRICES)
    usage = result.usage
    assert result.response["model"] == "claude-haiku-4-5-20251001"
    assert result.cost.usd == pytest.approx((usage.input_tokens * 1 + usage.output_tokens * 5) / 1_000_000, abs=1e-12)
    assert result.cost.notes == ()
