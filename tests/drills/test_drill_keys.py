"""A key never travels in a request body or lands in the log, and a damaged key is named as such."""
from __future__ import annotations

import json

import pytest

from workbench import preflight
from workbench.backend import BackendConfigError, resolve_backend
from workbench.cli import main
from workbench.models import offline_catalog
from workbench.usage_log import CallRecord, UsageLog

CANARY = "sk-ant-api03-" + "Canary0Key1Value2ForDrills3" + "-AbCdEf_GhIj-AA"
CATALOG = offline_catalog()


def body(**changes) -> dict:
    request = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Say hi."}]}
    request.update(changes)
    return request


@pytest.mark.parametrize("request_body, path", [
    (body(extra_headers={"anthropic-api-key": CANARY}), "$.extra_headers.anthropic-api-key"),
    (body(metadata={"user_id": CANARY}), "$.metadata.user_id"),
    (body(metadata={"user_id": f"Bearer {CANARY}"}), "$.metadata.user_id"),
    (body(messages=[{"role": "user", "content": f"my key is {CANARY}"}]), "$.messages[0].content"),
    (body(metadata={"api_key": "anything"}), "$.metadata.api_key"),
])
def test_a_key_shaped_value_or_field_anywhere_in_the_body_is_refused(request_body, path):
    verdict = preflight.check(request_body, CATALOG.get("claude-haiku-4-5"))
    refusals = [problem for problem in verdict.errors if problem.code in ("key_in_request", "credential_field")]
    assert [problem.path for problem in refusals] == [path]
    assert CANARY not in refusals[0].message and refusals[0].message.endswith(".")


@pytest.mark.parametrize("headers", [
    {"anthropic-api-key": "whatever"},
    {"X-Custom-Auth": CANARY},
    {"Proxy-Authorization": "Basic abc"},
])
def test_extra_headers_named_or_shaped_like_a_key_are_refused(headers):
    verdict = preflight.check(body(), CATALOG.get("claude-haiku-4-5"), headers=headers)
    assert [problem.code for problem in verdict.errors] == ["credential_header"]


def test_prompt_text_about_keys_is_fine():
    text = "Explain the x-api-key and authorization headers, and where sk-ant- keys come from."
    assert preflight.check(body(messages=[{"role": "user", "content": text}]), CATALOG.get("claude-haiku-4-5")).ok


@pytest.mark.parametrize("request_body", [
    {"model": "m", "anthropic-api-key": "placeholder"},
    {"model": "m", "metadata": {"note": CANARY}},
    {"model": "m", "extra_headers": {"x-goog-api-key": "placeholder"}},
])
def test_the_call_log_refuses_key_shapes_not_only_three_names(tmp_path, request_body):
    log = UsageLog(tmp_path / "calls.db")
    record = CallRecord(
        created_at="2026-03-01T10:00:00+00:00", source="cli", prompt_name=None, model="m", request_hash="h",
        input_tokens=1, output_tokens=1, cache_write_tokens=0, cache_read_tokens=0, ttft_ms=None,
        latency_ms=None, stop_reason=None, error_type=None, error_status=None, request_id=None, cost_usd=None,
        price_version=None, request_json=json.dumps(request_body), response_json=None)
    with pytest.raises(ValueError, match="refusing to store") as refused:
        log.append(record)
    assert CANARY not in str(refused.value)
    assert log.count() == 0


@pytest.mark.parametrize("key, said", [
    ("sk-ant-api03-abc\ndef", "line break at character 17"),
    ("sk-ant-api03-abc def", "a space at character 17"),
    ("sk-ant-api03-abcé", "U+00E9 at character 17"),
])
def test_a_key_with_invalid_characters_gets_a_message_about_the_key(key, said):
    with pytest.raises(BackendConfigError) as refused:
        resolve_backend({"ANTHROPIC_API_KEY": key}, dotenv_path="/nonexistent/.env")
    message = str(refused.value)
    assert "ANTHROPIC_API_KEY is not a usable key" in message and said in message
    assert "abc" not in message


def test_the_cli_says_the_key_is_bad_not_the_network(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-abc\ndef")
    assert main(["run", "-p", "Say hi", "--model", "claude-haiku-4-5"]) == 2
    err = capsys.readouterr().err
    assert "ANTHROPIC_API_KEY is not a usable key" in err and "network" not in err and "abc" not in err


def test_the_log_guard_is_not_fooled_by_escapes_or_case(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    for request_json in ('{"model": "m", "\\u0061pi_key": "x"}', '{"model": "m", "Client_Secret": "x"}'):
        record = CallRecord(
            created_at="2026-03-01T10:00:00+00:00", source="cli", prompt_name=None, model="m", request_hash="h",
            input_tokens=1, output_tokens=1, cache_write_tokens=0, cache_read_tokens=0, ttft_ms=None,
            latency_ms=None, stop_reason=None, error_type=None, error_status=None, request_id=None,
            cost_usd=None, price_version=None, request_json=request_json, response_json=None)
        with pytest.raises(ValueError, match="refusing to store"):
            log.append(record)


def test_the_cli_refuses_a_key_in_a_prompt_file_before_sending(tmp_path, capsys, monkeypatch, unreachable_base_url):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", unreachable_base_url)  # a send would fail with exit 1
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    path = tmp_path / "leaky.prompt.json"
    path.write_text(json.dumps({"format": "workbench.prompt/1", "name": "leaky", "variables": {},
                                "request": body(metadata={"user_id": CANARY})}))
    assert main(["run", str(path)]) == 2
    captured = capsys.readouterr()
    assert "$.metadata.user_id" in captured.err and "shaped like an API key" in captured.err
    assert CANARY not in captured.err + captured.out
    assert UsageLog().count() == 0
