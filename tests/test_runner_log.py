"""Every run, ok or failed, is one call-log row with the request as sent and the final message."""
from __future__ import annotations

import json

from workbench.runner import record_from_result, run_once
from workbench.spec import request_hash
from workbench.usage_log import UsageLog

REQUEST = {"model": "claude-haiku-4-5", "max_tokens": 300,
           "messages": [{"role": "user", "content": "Name three colours."}], "temperature": 0.7}


def test_successful_run_is_logged_with_bodies(client, workbench_home):
    log = UsageLog()
    result = run_once(client, REQUEST, source="editor", prompt_name="colours", log=log)
    assert result.log_id is not None
    record = log.get(result.log_id)
    assert record.source == "editor" and record.prompt_name == "colours"
    assert record.model == "claude-haiku-4-5"
    assert record.request_hash == request_hash(REQUEST)
    assert json.loads(record.request_json) == REQUEST
    response = json.loads(record.response_json)
    assert response["id"] and response["stop_reason"] == "end_turn"
    assert record.input_tokens == result.usage.input_tokens and record.output_tokens == result.usage.output_tokens
    assert record.cost_usd == result.cost.usd and record.price_version == result.cost.price_version
    assert record.request_id == result.request_id
    assert record.ttft_ms == result.ttft_ms and record.error_type is None


def test_failed_run_is_logged_with_error_and_no_response(client, workbench_home):
    log = UsageLog()
    result = run_once(client, REQUEST, log=log, extra_headers={"x-simulator-fault": "overloaded"})
    record = log.get(result.log_id)
    assert record.error_type == "overloaded_error" and record.error_status == 529
    assert record.response_json is None
    assert record.request_id == result.error.request_id
    assert record.cost_usd is None and record.input_tokens == 0
    assert record.price_version == result.cost.price_version and record.price_version  # NULL cost, known table


def test_interrupted_run_is_logged_with_what_arrived(client, workbench_home):
    log = UsageLog()
    result = run_once(client, REQUEST, log=log, extra_headers={"x-simulator-fault": "disconnect"})
    record = log.get(result.log_id)
    assert record.error_type == "stream_interrupted"
    assert record.response_json is not None  # the snapshot received before the cut


def test_record_from_result_never_needs_a_log(client):
    result = run_once(client, REQUEST)
    record = record_from_result(result)
    assert result.log_id is None and record.id is None
    assert record.created_at == result.started_at
    assert record.latency_ms == result.latency_ms


def test_ctrl_c_mid_stream_is_logged_as_cancelled_then_raised(client, workbench_home):
    import pytest

    from workbench.runner import TextDelta, stream_run

    log = UsageLog()
    events = stream_run(client, REQUEST, source="cli", log=log)
    assert isinstance(next(event for event in events if isinstance(event, TextDelta)), TextDelta)
    with pytest.raises(KeyboardInterrupt):
        events.throw(KeyboardInterrupt)  # what Ctrl-C does while the stream is being read
    record = log.recent(1)[0]
    assert record.source == "cli" and record.error_type == "cancelled" and record.request_id
    assert record.price_version  # the table used is recorded even when the cost is partial
