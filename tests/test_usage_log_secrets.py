"""The call log refuses request/response JSON with a field that could carry the API key."""
from __future__ import annotations

import json

import pytest

from workbench.usage_log import CallRecord, UsageLog

PLACEHOLDER = "placeholder-not-a-key"


def make_record(request: dict, response: dict | None = None) -> CallRecord:
    """A valid record around the given bodies."""
    return CallRecord(
        created_at="2026-03-01T10:00:00+00:00", source="cli", prompt_name=None, model="m",
        request_hash="h", input_tokens=1, output_tokens=1, cache_write_tokens=0,
        cache_read_tokens=0, ttft_ms=None, latency_ms=None, stop_reason=None, error_type=None,
        error_status=None, request_id=None, cost_usd=None, price_version=None,
        request_json=json.dumps(request), response_json=None if response is None else json.dumps(response),
    )


@pytest.mark.parametrize(
    "request_body, response_body",
    [
        ({"model": "m", "x-api-key": PLACEHOLDER}, None),
        ({"model": "m", "api_key": PLACEHOLDER}, None),
        ({"model": "m", "extra_headers": {"Authorization": f"Bearer {PLACEHOLDER}"}}, None),
        ({"model": "m", "extra_headers": {"X-Api-Key": PLACEHOLDER}}, None),
        ({"model": "m", "metadata": [{"nested": {"API_KEY": PLACEHOLDER}}]}, None),
        ({"model": "m"}, {"type": "message", "authorization": PLACEHOLDER}),
    ],
)
def test_key_bearing_fields_are_refused(tmp_path, request_body, response_body):
    log = UsageLog(tmp_path / "calls.db")
    with pytest.raises(ValueError, match="refusing to store") as raised:
        log.append(make_record(request_body, response_body))
    assert PLACEHOLDER not in str(raised.value)
    assert log.count() == 0


def test_the_words_in_prompt_text_are_fine(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    request = {"model": "m", "messages": [{"role": "user", "content": "Explain the authorization header and api_key"}]}
    call_id = log.append(make_record(request, {"content": [{"type": "text", "text": "x-api-key is..."}]}))
    assert json.loads(log.get(call_id).request_json) == request
