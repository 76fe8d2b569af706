"""The one presentation module: dollars, milliseconds, tokens, error sentences, stop reasons, run JSON."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench import present
from workbench.pricing import Cost, UsageCounts
from workbench.runner import RunError, RunResult

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, shown", [
    (None, "unknown"),
    (0.0, "$0.00"),
    (0.0123, "$0.0123"),
    (0.0105, "$0.0105"),
    (0.0025, "$0.0025"),
    (0.00012345, "$0.000123"),
    (0.0000123, "$0.0000123"),
    (0.00007735, "$0.0000774"),
    (0.0002, "$0.0002"),
    (0.5, "$0.50"),
    (0.123456, "$0.123"),
    (1234.5, "$1,234.50"),
    (2500.0, "$2,500.00"),
    (-0.0042, "-$0.0042"),
])
def test_dollars_have_three_significant_digits_and_at_least_cents(value, shown):
    assert present.usd(value) == shown


@pytest.mark.parametrize("value", [1e-9, 3.3e-12, 1e-5, 7.5e-7, 1e15])
def test_dollars_are_never_in_scientific_notation(value):
    shown = present.usd(value)
    assert re.fullmatch(r"\$[0-9,]+\.[0-9]+", shown), shown
    assert "e" not in shown.lower()


def test_an_unknown_cost_is_unknown_never_zero_and_can_say_why():
    unknown = Cost(usd=None, reason="no price for model 'x'")
    assert present.cost(unknown) == "unknown"
    assert present.cost(unknown, with_reason=True) == "unknown (no price for model 'x')"
    assert present.cost(Cost(usd=0.0)) == "$0.00"


def test_milliseconds_tokens_and_speed():
    assert present.ms(1234.4) == "1,234 ms" and present.ms(None) == "—"
    assert present.ms_figure(85.6) == "86" and present.ms_figure(None) == "—"
    assert present.seconds(1234.0) == "1.23 s" and present.seconds(None) == "—"
    assert [present.percent(x) for x in (2 / 3, 0.055, 0.0042, 0.00000001, 0.0, None)] == [
        "67%", "5.5%", "0.42%", "<0.01%", "0.00%", "—"]
    assert present.tokens(12345) == "12,345" and present.tokens(2.5) == "2.5" and present.tokens(3.0) == "3"
    assert present.tokens(None) == "—"
    assert present.tokens_per_s(85.25) == "85.2 tokens/s" and present.tokens_per_s(None) == "—"
    assert [present.tokens_short(n) for n in (200_000, 1_000_000, 64_000, 500, None)] == ["200K", "1M", "64K", "500", "?"]
    assert present.price_per_mtok(3) == "$3" and present.price_per_mtok(0.8) == "$0.80"
    usage = UsageCounts(input_tokens=1200, output_tokens=35, cache_write_5m_tokens=10, cache_write_1h_tokens=5,
                        cache_read_tokens=2048)
    assert present.usage_line(usage) == "input 1,200 · output 35 · cache write 15 · cache read 2,048"
    assert present.usage_line(None) == "no usage reported"


def _error(**changes) -> RunError:
    fields = {"type": "rate_limit_error", "status": 429, "message": "Slow down.", "request_id": "req_1",
              "retry_after": 2.0, "hint": present.error_advice("rate_limit_error", 429, "Slow down.", 2.0)}
    return RunError(**{**fields, **changes})


def test_an_api_error_is_one_sentence_with_what_to_do():
    sentence = present.error_sentence(_error())
    assert sentence == ("rate_limit_error (HTTP 429): Slow down. Rate limited: wait 2 s and run again, "
                        "or lower the concurrency. (request-id req_1)")


def test_a_400_quotes_the_apis_message_once_and_a_local_error_has_no_status():
    message = "max_tokens: Extra inputs are not permitted"
    bad = _error(type="invalid_request_error", status=400, message=message, request_id=None,
                 hint=present.error_advice("invalid_request_error", 400, message, None))
    sentence = present.error_sentence(bad, request_id="req_9")
    assert sentence.count(message) == 1 and sentence.endswith("(request-id req_9)")
    dropped = _error(type="connection_error", status=None, message="Connection error.", request_id=None,
                     hint=present.error_advice("connection_error", None, "Connection error.", None))
    assert present.error_sentence(dropped) == ("connection_error (no HTTP status): Connection error. Could not "
                                               "reach the endpoint: check the network and ANTHROPIC_BASE_URL.")


def test_stop_reason_advice_names_the_fix_and_is_silent_for_a_normal_end():
    advice = present.stop_reason_advice("max_tokens", 1024, 64_000)
    assert "reached max_tokens (1,024)" in advice and "Raise max_tokens (this model allows up to 64,000)" in advice
    assert "declined" in present.stop_reason_advice("refusal", 100)
    assert "context window is full" in present.stop_reason_advice("model_context_window_exceeded", 100)
    assert present.stop_reason_advice("end_turn", 100) is None
    assert present.stop_reason_advice("tool_use", 100) is None


def _result(**changes) -> RunResult:
    fields = dict(model="claude-haiku-4-5", request={"max_tokens": 5}, source="cli", prompt_name="p", text="Hi",
                  thinking="", tool_uses=[], content=[], stop_reason="end_turn", request_id="req_2",
                  usage=UsageCounts(input_tokens=3, output_tokens=1), cost=Cost(usd=0.00001), ttft_ms=10.0,
                  latency_ms=20.0, output_tokens_per_s=50.0, error=None, partial=False, started_at="now", log_id=7)
    return RunResult(**{**fields, **changes})


RUN_JSON_KEYS = {"model", "ok", "text", "tool_uses", "stop_reason", "usage", "cost_usd", "cost_reason", "ttft_ms",
                 "latency_ms", "output_tokens_per_s", "request_id", "log_id", "partial", "error"}


def test_a_run_as_json_has_one_shape_for_success_and_failure():
    ok = present.run_json(_result())
    assert set(ok) == RUN_JSON_KEYS
    assert ok["ok"] and ok["cost_usd"] == 0.00001 and ok["usage"]["input_tokens"] == 3 and ok["error"] is None
    failed = present.run_json(_result(error=_error(), usage=None, cost=Cost(usd=None, reason="no usage")))
    assert set(failed) == RUN_JSON_KEYS
    assert not failed["ok"] and failed["cost_usd"] is None and failed["cost_reason"] == "no usage"
    assert failed["error"]["status"] == 429 and failed["error"]["hint"].startswith("Rate limited")


def test_no_page_component_or_cli_module_formats_dollars_or_milliseconds_itself():
    # The formatters live in workbench/present.py; anything else that shows a figure calls it.
    patterns = [r"f\"\$\{", r"\$\{[^}]*:[,.]", r":,\.0f\} ms", r"format=\"%\.0f ms\"", r"def _ms\(",
                r"def format_usd\(", r"\.format\(\)", r":\.2f\} s", r":\.0%\}", r"def _percent\("]
    files = [*REPO.glob("app_pages/*.py"), *REPO.glob("components/*.py"), *REPO.glob("workbench/cli*.py"),
             REPO / "app.py"]
    offenders = [f"{path.name}: {pattern}" for path in files for pattern in patterns
                 if re.search(pattern, path.read_text(encoding="utf-8"))]
    assert files and offenders == []


def test_large_counts_fit_a_tile_in_three_significant_digits():
    values = (0, 987, 1_000, 12_345, 999_999, 4_560_000, 1_200_000_000, -4_500, None)
    assert [present.count_compact(n) for n in values] == ["0", "987", "1K", "12.3K", "1M", "4.56M", "1.2B", "-4.5K", "—"]
