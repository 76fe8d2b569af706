"""A logged call back as what it was: the RunResult to show again, and the prompt and values to edit again."""
from __future__ import annotations

import json
from dataclasses import dataclass

from workbench.pricing import Cost, UsageCounts
from workbench import present
from workbench.runner import RunError, RunResult
from workbench.spec import PromptFileError, PromptSpec, validate_request
from workbench.usage_log import CallRecord

# Why a logged row has no reply, by status.
_STATUS_ERRORS = {
    "interrupted": "The process making this call ended before the reply arrived (killed or crashed).",
    "pending": "This call is still running, or its process ended moments ago.",
}


@dataclass(frozen=True)
class RestoredPrompt:
    """The prompt of a logged call: its request with {{variables}} where the run had them, and their values."""

    spec: PromptSpec
    values: dict[str, str]
    exact: bool  # False when the log kept only the substituted request (a run from before templates were logged)


def result_from_record(record: CallRecord) -> RunResult:
    """The run result a logged call stands for, to show its reply, metrics and error again."""
    response = json.loads(record.response_json) if record.response_json else None
    content = (response or {}).get("content") or []
    usage = UsageCounts.from_dict(response["usage"]) if response and isinstance(response.get("usage"), dict) else (
        UsageCounts(input_tokens=record.input_tokens, output_tokens=record.output_tokens,
                    cache_write_5m_tokens=record.cache_write_tokens - record.cache_write_1h_tokens,
                    cache_write_1h_tokens=record.cache_write_1h_tokens, cache_read_tokens=record.cache_read_tokens)
        if record.status == "completed" else None
    )
    error = None
    if record.status != "completed":
        message = _STATUS_ERRORS.get(record.status, record.status)
        error = RunError(type=record.status, status=None, message=message, request_id=record.request_id,
                         retry_after=None, hint=message)
    elif record.error_type:
        message = f"{record.error_type} (as logged)"
        error = RunError(type=record.error_type, status=record.error_status, message=message,
                         request_id=record.request_id, retry_after=None,
                         hint=present.error_advice(record.error_type, record.error_status, message, None))
    text = "".join(block.get("text", "") for block in content if block.get("type") == "text")
    thinking = "".join(block.get("thinking", "") for block in content if block.get("type") == "thinking")
    tool_uses = [{"id": block.get("id"), "name": block.get("name"), "input": block.get("input") or {}}
                 for block in content if block.get("type") == "tool_use"]
    latency_ms = record.latency_ms or 0.0
    rate = None
    if usage and usage.output_tokens and record.ttft_ms is not None and latency_ms > record.ttft_ms:
        rate = usage.output_tokens / ((latency_ms - record.ttft_ms) / 1000.0)
    cost_reason = None if record.cost_usd is not None else "no price was known when this call was logged"
    return RunResult(
        model=record.model, request=json.loads(record.request_json), source=record.source,
        prompt_name=record.prompt_name, text=text, thinking=thinking, tool_uses=tool_uses, content=content,
        stop_reason=record.stop_reason, request_id=record.request_id, usage=usage,
        cost=Cost(usd=record.cost_usd, reason=cost_reason, price_version=record.price_version or ""),
        ttft_ms=record.ttft_ms, latency_ms=latency_ms, output_tokens_per_s=rate, error=error,
        partial=error is not None and bool(text), started_at=record.created_at, log_id=record.id,
        response=response,
        template=json.loads(record.template_json) if record.template_json else None,
        variables=json.loads(record.variables_json) if record.variables_json else None,
        sdk_retries=record.sdk_retries,
    )


def prompt_from_record(record: CallRecord) -> RestoredPrompt:
    """The exact request of a logged call (its template and variable values when logged) as a prompt to edit.

    Raises PromptFileError when the logged request is not one a prompt can hold.
    """
    exact = record.template_json is not None
    request = json.loads(record.template_json if exact else record.request_json)
    request.pop("stream", None)
    request = validate_request(request, f"call {record.id}", "$.request")
    values = json.loads(record.variables_json) if exact and record.variables_json else {}
    if not isinstance(values, dict):
        raise PromptFileError(f"call {record.id}", "$.variables", "the logged values are not an object")
    spec = PromptSpec(request=request, name=record.prompt_name or "untitled", variables={})
    return RestoredPrompt(spec=spec, values={str(k): str(v) for k, v in values.items()}, exact=exact)
