"""The line-up the real API serves: dated snapshot ids, Mythos 5.2, lifecycle by date, per-model thinking rules."""
from __future__ import annotations

from datetime import datetime, timezone

import anthropic
import pytest

from workbench.models import offline_catalog
from workbench.simulator import catalog

SNAPSHOTS = {
    "claude-haiku-4-5-20251001": "claude-haiku-4-5",
    "claude-opus-4-5-20251101": "claude-opus-4-5",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
    "claude-opus-4-1-20250805": "claude-opus-4-1",
}
HELLO = [{"role": "user", "content": "Hello"}]


def test_a_dated_snapshot_id_is_served_and_echoed(client):
    message = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=50, messages=HELLO)
    assert message.model == "claude-haiku-4-5-20251001"
    alias = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=HELLO)
    assert alias.model == "claude-haiku-4-5"
    assert message.usage.input_tokens == alias.usage.input_tokens
    counted = client.messages.count_tokens(model="claude-haiku-4-5-20251001", messages=HELLO)
    assert counted.input_tokens == message.usage.input_tokens


def test_a_dated_snapshot_id_streams_with_its_own_id(client):
    with client.messages.stream(model="claude-haiku-4-5-20251001", max_tokens=50, messages=HELLO) as stream:
        final = stream.get_final_message()
    assert final.model == "claude-haiku-4-5-20251001"


def test_models_retrieve_answers_a_dated_id(client):
    info = client.models.retrieve("claude-haiku-4-5-20251001")
    assert info.id == "claude-haiku-4-5-20251001"
    assert info.display_name == "Claude Haiku 4.5" and info.max_tokens == 64000


def test_every_snapshot_in_the_data_points_at_a_catalog_entry():
    assert catalog.load_snapshots() == {**catalog.load_snapshots(), **SNAPSHOTS}
    for snapshot, alias in catalog.load_snapshots().items():
        assert catalog.find_model(alias) is not None, snapshot


def test_a_snapshot_of_a_retired_model_is_retired_too(client):
    with pytest.raises(anthropic.NotFoundError) as raised:
        client.messages.create(model="claude-opus-4-1-20250805", max_tokens=50, messages=HELLO)
    assert "retired" in raised.value.message


def test_mythos_5_2_is_served_and_thinks_always(client):
    question = [{"role": "user", "content": "Why is the sky blue?"}]  # adaptive thinking thinks on a question
    message = client.messages.create(model="claude-mythos-5-2", max_tokens=4000, messages=question)
    assert message.model == "claude-mythos-5-2"
    assert [block.type for block in message.content][0] == "thinking"
    for model in ("claude-mythos-5-2", "claude-fable-5-2"):
        with pytest.raises(anthropic.BadRequestError, match="disabled"):
            client.messages.create(model=model, max_tokens=100, messages=HELLO, thinking={"type": "disabled"})


@pytest.mark.parametrize("model", ["claude-fable-5", "claude-mythos-5"])
@pytest.mark.parametrize("thinking", [{"type": "disabled"}, {"type": "enabled", "budget_tokens": 2000}])
def test_fable_5_and_mythos_5_refuse_thinking_off_and_manual_budgets(client, model, thinking):
    with pytest.raises(anthropic.BadRequestError, match=thinking["type"]):
        client.messages.create(model=model, max_tokens=4000, messages=HELLO, thinking=thinking)
    ok = client.messages.create(model=model, max_tokens=4000, messages=HELLO, thinking={"type": "adaptive"})
    assert ok.stop_reason in ("end_turn", "max_tokens")


@pytest.mark.parametrize(("model", "retired_on"), [
    ("claude-sonnet-4", "2026-06-15"), ("claude-opus-4", "2026-06-15"), ("claude-opus-4-1", "2026-08-05"),
    ("claude-3-5-haiku-20241022", "2026-02-19"),
])
def test_retired_models_carry_their_retirement_dates(model, retired_on):
    entry = catalog.find_model(model)
    assert entry["lifecycle"] == "retired" and entry["retires_at"].startswith(retired_on)


def test_haiku_3_5_goes_by_its_real_api_id_and_answers_as_retired(client):
    assert catalog.find_model("claude-haiku-3-5") is None
    with pytest.raises(anthropic.NotFoundError, match="retired"):
        client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=50, messages=HELLO)


def test_opus_4_5_is_deprecated_until_its_retirement_date():
    entry = catalog.find_model("claude-opus-4-5", now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert entry["lifecycle"] == "deprecated" and entry["retires_at"].startswith("2027-01-22")


def test_a_model_past_its_retirement_date_answers_as_retired():
    before = datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc)
    after = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
    assert catalog.model_for_request("claude-sonnet-4-5", now=before)["lifecycle"] == "deprecated"
    with pytest.raises(catalog.ApiError) as raised:
        catalog.model_for_request("claude-sonnet-4-5", now=after)
    assert raised.value.status == 404 and "retired" in raised.value.message
    with pytest.raises(catalog.ApiError):
        catalog.model_for_request("claude-sonnet-4-5-20250929", now=after)
    listed = catalog.list_page(limit=100, lifecycle=["retired"], now=after)
    assert "claude-sonnet-4-5" in [model["id"] for model in listed["data"]]
    assert "claude-sonnet-4-5" in [m["id"] for m in catalog.list_page(limit=100, now=before)["data"]]


def test_the_offline_catalog_applies_retirement_dates_too():
    before = offline_catalog(now=datetime(2026, 11, 29, tzinfo=timezone.utc))
    after = offline_catalog(now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert before.get("claude-sonnet-4-5").lifecycle == "deprecated"
    assert after.get("claude-sonnet-4-5").lifecycle == "retired"
    assert after.get("claude-haiku-4-5-20251001").display_name == "Claude Haiku 4.5"
    assert after.get("claude-haiku-4-5-20251001").id == "claude-haiku-4-5-20251001"


@pytest.mark.parametrize(("model", "released"), [
    ("claude-opus-4-6", "2026-02-05"), ("claude-sonnet-4-6", "2026-02-17"), ("claude-opus-4-7", "2026-04-16"),
    ("claude-opus-4-8", "2026-05-28"), ("claude-fable-5", "2026-06-09"), ("claude-mythos-5-2", "2026-11-09"),
])
def test_release_dates_are_the_published_ones(model, released):
    assert catalog.find_model(model)["created_at"].startswith(released)


def test_a_listing_of_snapshot_ids_still_knows_the_alias():
    from dataclasses import replace

    from workbench.models import Catalog
    listed = offline_catalog()
    dated = Catalog(models=[replace(listed.get("claude-haiku-4-5"), id="claude-haiku-4-5-20251001")], source="api")
    assert dated.get("claude-haiku-4-5").max_tokens == 64000
    assert dated.get("claude-haiku-4-5").id == "claude-haiku-4-5"
    assert dated.get("claude-sonnet-4-6") is None
