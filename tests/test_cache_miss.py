"""★ Explain a cache miss: the API's diagnostics (simulated) and the core's own diff of the prefix."""
from __future__ import annotations

import uuid

import pytest

from workbench.cache_miss import explain_cache_miss, prefix_diff
from workbench.pricing import UsageCounts
from workbench.runner import run_once

MANUAL = "Section of the long reference manual text. " * 140  # ~1,500 tokens: above Sonnet 4.6's minimum


def cached_request(system_text: str, question: str = "First question?", model: str = "claude-sonnet-4-6") -> dict:
    return {"model": model, "max_tokens": 200,
            "system": [{"type": "text", "text": system_text, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": question}]}


def test_the_simulator_answers_diagnostics_in_the_sdks_shapes(client):
    manual = f"Manual {uuid.uuid4().hex}. " + MANUAL
    first = client.messages.create(**cached_request(manual), extra_body={"diagnostics": {"previous_message_id": None}})
    assert first.usage.cache_creation_input_tokens > 1024 and first.diagnostics is None
    same = client.messages.create(**cached_request(manual, "Second question?"),
                                  diagnostics={"previous_message_id": first.id})
    assert same.usage.cache_read_input_tokens > 0 and same.diagnostics is None  # no divergence
    changed = client.messages.create(**cached_request(manual + " Edited.", "Third?"),
                                     diagnostics={"previous_message_id": same.id})
    reason = changed.diagnostics.cache_miss_reason
    assert reason.type == "system_changed" and reason.cache_missed_input_tokens > 1024
    moved = client.messages.create(**cached_request(manual + " Edited.", "Third?", model="claude-opus-5"),
                                   diagnostics={"previous_message_id": changed.id})
    assert moved.diagnostics.cache_miss_reason.type == "model_changed"
    unknown = client.messages.create(**cached_request(manual), diagnostics={"previous_message_id": "msg_nope"})
    assert unknown.diagnostics.cache_miss_reason.type == "previous_message_not_found"


def test_the_runner_asks_for_diagnostics_and_explains_the_miss(client):
    manual = f"Manual {uuid.uuid4().hex}. " + MANUAL
    first = run_once(client, cached_request(manual))
    assert first.cache_miss is None and first.usage.cache_write_tokens > 0
    hit = run_once(client, cached_request(manual, "Another question?"), previous=first)
    assert hit.cache_miss is None and hit.usage.cache_read_tokens > 0
    edited = run_once(client, cached_request(manual.replace("manual", "handbook", 1), "Another?"), previous=hit)
    explanation = edited.cache_miss
    assert explanation is not None and explanation.source == "API diagnostics"
    assert "system prompt changed" in explanation.reasons[0]
    assert "-" in explanation.diff and "handbook" in explanation.diff
    assert "diagnostics" not in edited.request  # asked for on the wire only; the logged request is the user's


def _usage(write=0, read=0, total=2000):
    return UsageCounts(input_tokens=total - write - read, cache_write_5m_tokens=write, cache_read_tokens=read)


def test_without_diagnostics_the_logged_previous_request_explains_it():
    before = cached_request("A long system prompt.")
    after = {**before, "tools": [{"name": "lookup", "input_schema": {"type": "object"}}]}
    explanation = explain_cache_miss(before, _usage(write=1500), "2026-11-30T10:00:00+00:00",
                                     after, _usage(write=1600), "2026-11-30T10:01:00+00:00")
    assert explanation.source == "logged previous request"
    assert "tools changed (none → lookup)" in explanation.reasons[0]
    assert explanation.headline.startswith("Expected to read about 1,500 tokens from the cache, read 0")


def test_an_expired_entry_is_named_with_the_minutes_and_ttl():
    request = cached_request("Same prompt.")
    explanation = explain_cache_miss(request, _usage(write=1500), "2026-11-30T10:00:00+00:00",
                                     request, _usage(write=1500), "2026-11-30T10:07:00+00:00")
    assert explanation.reasons == ["the cache entry expired: 7 minutes passed since the previous run, "
                                   "more than its 5-minute TTL"]


def test_a_model_change_and_an_edited_earlier_turn_are_named():
    before = cached_request("Same.")
    explanation = explain_cache_miss(before, _usage(write=1500), None, {**before, "model": "claude-opus-5"},
                                     _usage(write=1500), None)
    assert "model changed from claude-sonnet-4-6 to claude-opus-5" in explanation.reasons[0]
    two_turns = {**before, "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                        {"role": "user", "content": "c"}]}
    edited = {**two_turns, "messages": [{"role": "user", "content": "A"}, *two_turns["messages"][1:]]}
    explanation = explain_cache_miss(two_turns, _usage(read=1500), None, edited, _usage(write=1500), None)
    assert explanation.reasons == ["turn 1 changed; only turns added at the end keep the cached prefix"]


@pytest.mark.parametrize(("previous", "current"), [
    (_usage(), _usage(write=1500)),             # the previous run cached nothing: no read was expected
    (_usage(write=1500), _usage(read=1500)),    # it read everything: a hit
])
def test_no_explanation_when_nothing_was_missed(previous, current):
    request = cached_request("x")
    assert explain_cache_miss(request, previous, None, request, current, None) is None


def test_the_prefix_diff_is_short_and_names_both_sides():
    diff = prefix_diff(cached_request("old words"), cached_request("new words"))
    assert diff.startswith("--- previous run\n+++ this run") and "-" in diff and "new words" in diff
