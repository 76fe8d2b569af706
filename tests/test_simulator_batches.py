"""The simulator's Message Batches endpoints, driven through the SDK's client.messages.batches.*."""
from __future__ import annotations

import time

import anthropic
import httpx2
import pytest
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse

from tests.sdk_strict import assert_strict
from workbench.simulator import start_simulator
from workbench.simulator.batches import EXPIRE_HEADER, MAX_BATCH_REQUESTS

MODEL = "claude-haiku-4-5"


def params(text: str = "hello", **extra) -> dict:
    return {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": text}], **extra}


def requests_of(count: int, prefix: str = "r") -> list[dict]:
    return [{"custom_id": f"{prefix}{index}", "params": params(f"question {index}")} for index in range(count)]


def wait_until_ended(client: anthropic.Anthropic, batch_id: str, timeout_s: float = 30.0) -> MessageBatch:
    deadline = time.monotonic() + timeout_s
    while True:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        assert time.monotonic() < deadline, batch
        time.sleep(0.02)


@pytest.fixture
def slow_simulator():
    """Slow enough that a batch is seen in progress (2 s queue + 0.25 s per request, simulated)."""
    handle = start_simulator(speed=1)
    yield handle
    handle.stop()


@pytest.fixture
def slow_client(slow_simulator):
    return anthropic.Anthropic(base_url=slow_simulator.base_url, api_key="test-key", max_retries=0)


def test_create_retrieve_and_results_match_the_sdk_types(client, simulator):
    created = client.messages.batches.create(requests=requests_of(3))
    assert created.processing_status == "in_progress"
    assert created.request_counts.processing == 3
    assert created.results_url is None
    ended = wait_until_ended(client, created.id)
    assert ended.request_counts.succeeded == 3 and ended.request_counts.processing == 0
    assert ended.ended_at is not None and ended.ended_at >= ended.created_at
    assert ended.results_url.endswith(f"/v1/messages/batches/{created.id}/results")

    raw = httpx2.get(f"{simulator.base_url}/v1/messages/batches/{created.id}",
                     headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert_strict(MessageBatch, raw.content)
    lines = httpx2.get(ended.results_url, headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    parsed = [assert_strict(MessageBatchIndividualResponse, line) for line in lines.content.splitlines()]
    assert sorted(item.custom_id for item in parsed) == ["r0", "r1", "r2"]

    results = {item.custom_id: item.result for item in client.messages.batches.results(created.id)}
    assert {result.type for result in results.values()} == {"succeeded"}
    message = results["r1"].message
    assert message.usage.service_tier == "batch"
    assert any(block.type == "text" and "question 1" in block.text for block in message.content) or message.content


def test_a_bad_request_is_errored_with_the_error_messages_create_gives(client):
    bad = params(thinking={"type": "enabled", "budget_tokens": 10})
    with pytest.raises(anthropic.BadRequestError) as live:
        client.messages.create(**bad)
    batch = client.messages.batches.create(requests=[
        {"custom_id": "good", "params": params()},
        {"custom_id": "bad", "params": bad},
        {"custom_id": "streamed", "params": params(stream=True)},
    ])
    ended = wait_until_ended(client, batch.id)
    assert (ended.request_counts.succeeded, ended.request_counts.errored) == (1, 2)
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}
    assert results["bad"].type == "errored"
    assert results["bad"].error.error.type == "invalid_request_error"
    assert results["bad"].error.error.message == live.value.body["error"]["message"]
    assert "stream" in results["streamed"].error.error.message


def test_counts_move_while_in_progress_then_cancel_ends_with_canceled_requests(slow_client):
    batch = slow_client.messages.batches.create(requests=requests_of(40))
    time.sleep(3.0)  # 2 s queue, then 4 requests a second
    midway = slow_client.messages.batches.retrieve(batch.id)
    assert midway.processing_status == "in_progress"
    assert 0 < midway.request_counts.succeeded < 40
    assert midway.request_counts.processing + midway.request_counts.succeeded == 40

    canceling = slow_client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    with pytest.raises(anthropic.BadRequestError, match="still processing"):
        slow_client.messages.batches.delete(batch.id)
    ended = wait_until_ended(slow_client, batch.id)
    counts = ended.request_counts
    assert counts.canceled > 0 and counts.succeeded >= midway.request_counts.succeeded
    assert counts.canceled + counts.succeeded == 40
    kinds = [item.result.type for item in slow_client.messages.batches.results(batch.id)]
    assert kinds.count("canceled") == counts.canceled
    with pytest.raises(anthropic.BadRequestError, match="already ended"):
        slow_client.messages.batches.cancel(batch.id)


def test_results_before_the_end_are_refused(slow_client, slow_simulator):
    batch = slow_client.messages.batches.create(requests=requests_of(2))
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        slow_client.messages.batches.results(batch.id)
    response = httpx2.get(f"{slow_simulator.base_url}/v1/messages/batches/{batch.id}/results",
                          headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert response.status_code == 404
    assert "in_progress" in response.json()["error"]["message"]


def test_list_pages_newest_first_and_delete_removes(client):
    created = [client.messages.batches.create(requests=requests_of(1, prefix=f"b{n}x")).id for n in range(5)]
    first = client.messages.batches.list(limit=2)
    assert first.has_more
    listed = [batch.id for batch in client.messages.batches.list(limit=2)]  # auto-paginates
    positions = [listed.index(batch_id) for batch_id in created]
    assert positions == sorted(positions, reverse=True)  # newest first
    assert [batch.id for batch in first.data] == listed[:2]
    for batch_id in created:
        wait_until_ended(client, batch_id)
    deleted = client.messages.batches.delete(created[0])
    assert (deleted.id, deleted.type) == (created[0], "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(created[0])
    assert created[0] not in [batch.id for batch in client.messages.batches.list(limit=100)]


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([], "at least 1"),
        ([{"custom_id": "has space", "params": params()}], "String should match pattern"),
        ([{"custom_id": "x" * 65, "params": params()}], "String should match pattern"),
        ([{"custom_id": "same", "params": params()}, {"custom_id": "same", "params": params()}], "duplicate custom_id"),
        ([{"custom_id": "ok"}], "params: Field required"),
    ],
)
def test_create_refuses_what_the_api_refuses(client, requests, message):
    with pytest.raises(anthropic.BadRequestError, match=message):
        client.messages.batches.create(requests=requests)


def test_more_than_100000_requests_is_refused(client):
    too_many = [{"custom_id": f"r{index}", "params": {}} for index in range(MAX_BATCH_REQUESTS + 1)]
    with pytest.raises(anthropic.BadRequestError, match=f"at most {MAX_BATCH_REQUESTS}"):
        client.messages.batches.create(requests=too_many)


def test_the_expire_fault_expires_some_requests(client):
    batch = client.messages.batches.create(requests=requests_of(40), extra_headers={EXPIRE_HEADER: "0.5"})
    ended = wait_until_ended(client, batch.id)
    counts = ended.request_counts
    assert 0 < counts.expired < 40
    assert counts.expired + counts.succeeded == 40
    results = list(client.messages.batches.results(batch.id))
    assert sum(item.result.type == "expired" for item in results) == counts.expired


def test_a_batch_kept_on_disk_survives_a_simulator_restart(tmp_path):
    first = start_simulator(speed=1, batch_dir=tmp_path / "batches")
    client = anthropic.Anthropic(base_url=first.base_url, api_key="k", max_retries=0)
    batch = client.messages.batches.create(requests=requests_of(4))
    first.stop()
    second = start_simulator(speed=1, batch_dir=tmp_path / "batches")
    try:
        client = anthropic.Anthropic(base_url=second.base_url, api_key="k", max_retries=0)
        resumed = client.messages.batches.retrieve(batch.id)
        assert resumed.created_at == batch.created_at
        ended = wait_until_ended(client, batch.id)
        assert ended.request_counts.succeeded == 4
        assert ended.results_url.startswith(second.base_url)
    finally:
        second.stop()


def test_unknown_batch_and_unknown_route_are_404(client):
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_nope")
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.cancel("msgbatch_nope")


def test_the_configured_expire_rate_applies_to_every_batch():
    handle = start_simulator(speed=50, batch_expire_rate=1.0)
    try:
        client = anthropic.Anthropic(base_url=handle.base_url, api_key="k", max_retries=0)
        batch = client.messages.batches.create(requests=requests_of(3))
        assert wait_until_ended(client, batch.id).request_counts.expired == 3
        with pytest.raises(anthropic.BadRequestError, match=EXPIRE_HEADER):
            client.messages.batches.create(requests=requests_of(1), extra_headers={EXPIRE_HEADER: "2"})
    finally:
        handle.stop()
    with pytest.raises(ValueError, match="batch_expire_rate"):
        start_simulator(batch_expire_rate=1.5)
