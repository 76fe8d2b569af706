"""The price file: bundled coverage, version, the WORKBENCH_PRICES override, and clear errors for bad files."""
from __future__ import annotations

import copy
import hashlib
import json
from datetime import date

import pytest

from workbench.paths import DATA_DIR
from workbench.pricing import PriceFileError, UsageCounts, load_price_table

TINY_TABLE = {
    "format": "workbench.prices/1",
    "checked": "2030-01-02",
    "source": "test",
    "prices": [
        {"model": "test-model", "effective_from": "2029-01-01", "input": 1, "output": 2, "cache_write_5m": 3,
         "cache_write_1h": 4, "cache_read": 5, "batch_discount": 0.5, "source": "made up for the test"},
    ],
}


def write_json(path, data) -> bytes:
    raw = (json.dumps(data, indent=2) + "\n").encode("utf-8")
    path.write_bytes(raw)
    return raw


def test_bundled_table_prices_every_catalog_model():
    catalog = json.loads((DATA_DIR / "models.json").read_text(encoding="utf-8"))
    catalog_ids = {model["id"] for model in catalog["data"]}
    prices = load_price_table()
    assert set(prices.models) == catalog_ids
    on = date(2026, 11, 24)
    for model in catalog_ids:
        rates = prices.rates_for(model, on=on)
        assert rates is not None and rates.input > 0 and rates.batch_discount == 0.5, model
        assert rates.source, model


def test_bundled_version_is_checked_date_plus_file_hash():
    raw = (DATA_DIR / "prices.json").read_bytes()
    prices = load_price_table()
    assert prices.version == "2026-11-30+" + hashlib.sha256(raw).hexdigest()[:8]
    assert prices.source_path == str(DATA_DIR / "prices.json")


def test_override_file_via_environment(tmp_path, monkeypatch):
    override = tmp_path / "my-prices.json"
    raw = write_json(override, TINY_TABLE)
    monkeypatch.setenv("WORKBENCH_PRICES", str(override))
    prices = load_price_table()
    assert prices.source_path == str(override)
    assert prices.version == "2030-01-02+" + hashlib.sha256(raw).hexdigest()[:8]
    assert prices.models == ["test-model"]
    # 1,000,000 each: 1 + 2 + 3 + 4 + 5 = 15 USD; batch halves it to 7.5
    usage = UsageCounts(*(1_000_000,) * 5)
    assert prices.cost(usage, "test-model", on=date(2030, 1, 1)).usd == pytest.approx(15.0)
    assert prices.cost(usage, "test-model", batch=True, on=date(2030, 1, 1)).usd == pytest.approx(7.5)
    # A model only the bundled table knows is unknown here: the override replaces, not merges.
    assert prices.cost(usage, "claude-haiku-4-5").usd is None


def test_explicit_path_beats_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_PRICES", str(tmp_path / "absent.json"))
    assert load_price_table(DATA_DIR / "prices.json").has_model("claude-haiku-4-5")


def test_missing_override_file_says_which_and_why(tmp_path, monkeypatch):
    missing = tmp_path / "absent.json"
    monkeypatch.setenv("WORKBENCH_PRICES", str(missing))
    with pytest.raises(PriceFileError) as caught:
        load_price_table()
    assert str(missing) in str(caught.value) and "WORKBENCH_PRICES" in str(caught.value)


def edited(edit) -> dict:
    data = copy.deepcopy(TINY_TABLE)
    edit(data)
    return data


def first_row(**changes):
    def edit(data):
        data["prices"][0].update(changes)
    return edit


def drop_from_first_row(key):
    def edit(data):
        del data["prices"][0][key]
    return edit


BAD_TABLES = [
    ("wrong format", lambda d: d.update(format="prices/9"), "$.format"),
    ("checked missing", lambda d: d.pop("checked"), "$.checked"),
    ("checked not a date", lambda d: d.update(checked="yesterday"), "$.checked"),
    ("prices empty", lambda d: d.update(prices=[]), "$.prices"),
    ("row not an object", lambda d: d.update(prices=[1]), "$.prices[0]"),
    ("model missing", drop_from_first_row("model"), "$.prices[0].model"),
    ("effective_from bad", first_row(effective_from="2029-13-01"), "$.prices[0].effective_from"),
    ("rate missing", drop_from_first_row("cache_read"), "$.prices[0].cache_read"),
    ("rate negative", first_row(input=-1), "$.prices[0].input"),
    ("rate a string", first_row(output="2"), "$.prices[0].output"),
    ("batch discount above 1", first_row(batch_discount=2), "$.prices[0].batch_discount"),
    ("source missing", drop_from_first_row("source"), "$.prices[0].source"),
    ("bands and flat rates", first_row(bands=[]), "$.prices[0].input"),
    ("duplicate row", lambda d: d["prices"].append(dict(d["prices"][0])), "$.prices[1]"),
]


@pytest.mark.parametrize("edit, json_path", [case[1:] for case in BAD_TABLES], ids=[case[0] for case in BAD_TABLES])
def test_malformed_price_file(tmp_path, edit, json_path):
    path = tmp_path / "prices.json"
    write_json(path, edited(edit))
    with pytest.raises(PriceFileError) as caught:
        load_price_table(path)
    assert str(caught.value).startswith(f"{path}: {json_path}: ")


def banded(*bands) -> dict:
    row = {"model": "m", "effective_from": "2029-01-01", "batch_discount": 0.5, "source": "s", "bands": list(bands)}
    return {**TINY_TABLE, "prices": [row]}


RATES = {"input": 1, "output": 1, "cache_write_5m": 1, "cache_write_1h": 1, "cache_read": 1}


@pytest.mark.parametrize("table, json_path", [
    (banded({"up_to_prompt_tokens": 10, **RATES}), "$.prices[0].bands[0].up_to_prompt_tokens"),
    (banded({"up_to_prompt_tokens": None, **RATES}, {"up_to_prompt_tokens": None, **RATES}),
     "$.prices[0].bands[0].up_to_prompt_tokens"),
    (banded({"up_to_prompt_tokens": 10, **RATES}, {"up_to_prompt_tokens": 5, **RATES},
            {"up_to_prompt_tokens": None, **RATES}), "$.prices[0].bands[1].up_to_prompt_tokens"),
    (banded({"up_to_prompt_tokens": None, "input": 1}), "$.prices[0].bands[0].output"),
])
def test_malformed_bands(tmp_path, table, json_path):
    path = tmp_path / "prices.json"
    write_json(path, table)
    with pytest.raises(PriceFileError) as caught:
        load_price_table(path)
    assert str(caught.value).startswith(f"{path}: {json_path}: ")


@pytest.mark.parametrize("raw, words", [
    (b"{not json", "not valid JSON"),
    (b'{"format": "workbench.prices/1", "checked": "\xff"}', "not UTF-8"),
    (b"[]", "must be a JSON object"),
])
def test_unreadable_price_file(tmp_path, raw, words):
    path = tmp_path / "prices.json"
    path.write_bytes(raw)
    with pytest.raises(PriceFileError) as caught:
        load_price_table(path)
    assert str(caught.value).startswith(str(path)) and words in str(caught.value)
