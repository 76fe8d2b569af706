"""How Workbench shows things: one formatter each for dollars, milliseconds, tokens, API errors,
stop reasons and a run result as JSON, so every page and the CLI say the same thing the same way.

Imports neither streamlit nor the SDK: the CLI uses it before it decides to make a call.
"""
from __future__ import annotations

import dataclasses
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.pricing import Cost, UsageCounts
    from workbench.runner import RunError, RunResult

# Shown where a figure was not measured (no first token, no successful call).
NOT_MEASURED = "—"
# Shown for a cost we cannot price; never "$0".
UNKNOWN_COST = "unknown"
# printf format for Streamlit NumberColumn cells holding milliseconds: the same figure as ms().
MS_COLUMN_FORMAT = "%.0f ms"
# Significant digits shown for dollar amounts below one cent's precision.
USD_SIGNIFICANT_DIGITS = 3


# ---------------------------------------------------------------- numbers


def usd(value: float | None) -> str:
    """Dollars to 3 significant digits, at least to the cent, never in scientific notation; None is "unknown".

    $0.0105, $0.000123, $0.50, $2,500.00. Costs per call are tiny, so cents alone would say $0.00.
    """
    if value is None:
        return UNKNOWN_COST
    if value < 0:
        return "-" + usd(-value)
    if value == 0:
        return "$0.00"
    decimals = max(2, USD_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(value)))
    # Round the number as written (0.00007735 -> 0.0000774), not its binary approximation.
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, fraction = f"{rounded:,f}".split(".")
    return f"${whole}.{fraction.rstrip('0').ljust(2, '0')}"


def cost(value: Cost, *, with_reason: bool = False) -> str:
    """A Cost as usd(); an unknown one can carry its reason: "unknown (no price for model x)"."""
    if value.usd is None and with_reason and value.reason:
        return f"{UNKNOWN_COST} ({value.reason})"
    return usd(value.usd)


def price_per_mtok(value: float | None) -> str:
    """A price per million tokens as the price list writes it: "$3", "$0.80", "$3.75", "$0.125"; None is
    "unknown". Cents get both digits, so "$0.10 in / $0.50 out" reads as money."""
    if value is None:
        return UNKNOWN_COST
    if value == int(value):
        return f"${int(value)}"
    return f"${value:.2f}" if round(value, 2) == value else f"${value:g}"


def ms_figure(value: float | None) -> str:
    """Milliseconds as a bare figure for a column headed "ms": "1,234", or "—" when not measured."""
    return NOT_MEASURED if value is None else f"{value:,.0f}"


def ms(value: float | None) -> str:
    """Milliseconds with their unit: "1,234 ms", or "—" when not measured."""
    return NOT_MEASURED if value is None else f"{value:,.0f} ms"


def seconds(value_ms: float | None) -> str:
    """A wall time given in milliseconds, in seconds: "1.23 s"; "—" when not measured."""
    return NOT_MEASURED if value_ms is None else f"{value_ms / 1000:,.2f} s"


def percent(fraction: float | None) -> str:
    """A share as a percentage: "67%", "5.5%", "0.42%", "<0.01%"; "—" when there is none."""
    if fraction is None:
        return NOT_MEASURED
    share = 100 * fraction
    if 0 < share < 0.01:
        return "<0.01%"
    if share < 1:
        return f"{share:.2f}%"
    if share < 10:
        return f"{share:.1f}%"
    return f"{share:.0f}%"


def tokens(value: float | None) -> str:
    """A token count with thousands separators ("12,345"); a mean keeps one decimal; "—" when none."""
    if value is None:
        return NOT_MEASURED
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def tokens_short(value: int | None) -> str:
    """A model limit in the catalog's shorthand: "200K", "1M", "64K"; "?" when the catalog does not say."""
    if value is None:
        return "?"
    if value >= 1_000_000 and value % 1_000_000 == 0:
        return f"{value // 1_000_000}M"
    if value >= 1000:
        return f"{value / 1000:g}K"
    return str(value)


def count_compact(value: int | None) -> str:
    """A large count in three significant digits for a narrow tile: "987", "12.3K", "4.56M", "1.2B"; "—" when none."""
    if value is None:
        return NOT_MEASURED
    if abs(value) < 1000:
        return f"{value:,}"
    for limit, suffix in ((1_000, "K"), (1_000_000, "M"), (1_000_000_000, "B")):
        scaled = float(f"{value / limit:.3g}")  # three significant digits, rounded once
        if abs(scaled) < 1000 or suffix == "B":
            text = f"{scaled:,.2f}".rstrip("0").rstrip(".")
            return text + suffix
    raise AssertionError("unreachable")


def tokens_per_s(value: float | None) -> str:
    """Output speed: "85.3 tokens/s", or "—" when not measured."""
    return NOT_MEASURED if value is None else f"{value:,.1f} tokens/s"


def usage_line(usage: UsageCounts | None) -> str:
    """Every token kind of one call: "input 1,200 · output 35 · cache write 0 · cache read 1,024"."""
    if usage is None:
        return "no usage reported"
    return (f"input {tokens(usage.input_tokens)} · output {tokens(usage.output_tokens)} · "
            f"cache write {tokens(usage.cache_write_tokens)} · cache read {tokens(usage.cache_read_tokens)}")


# ---------------------------------------------------------------- errors and stop reasons


def error_advice(error_type: str, status: int | None, message: str, retry_after: float | None) -> str:
    """One sentence on what to do about an API or connection error."""
    if status == 429 or error_type == "rate_limit_error":
        wait = f"wait {retry_after:g} s" if retry_after is not None else "wait a minute"
        return f"Rate limited: {wait} and run again, or lower the concurrency."
    if status == 401 or error_type == "authentication_error":
        return "The API key was rejected: check ANTHROPIC_API_KEY (environment, .env file or Streamlit secrets)."
    if status == 403 or error_type == "permission_error":
        return "This key may not use this model or feature: check the key's workspace and permissions."
    if status == 404 or error_type == "not_found_error":
        return "Not found: check the model name against the model list, and the endpoint URL."
    if status == 413 or error_type == "request_too_large":
        return "The request is too large: shorten the prompt or its attachments."
    if status == 400 or error_type == "invalid_request_error":
        return f"The API rejected the request: {message}"
    if status == 529 or error_type == "overloaded_error":
        return "The API is overloaded: retry in a little while."
    if (status is not None and status >= 500) or error_type == "api_error":
        return "The API had a server error: retry later."
    if error_type == "stream_interrupted":
        return "The connection dropped mid-reply; the partial output is kept. Run again for the full reply."
    if error_type == "timeout_error":
        return "The request timed out: run again, or lower max_tokens."
    if error_type == "connection_error":
        return "Could not reach the endpoint: check the network and ANTHROPIC_BASE_URL."
    return f"Unexpected error: {message}"


def error_heading(error: RunError) -> str:
    """What failed, in the API's terms: "rate_limit_error (HTTP 429)"."""
    status = f"HTTP {error.status}" if error.status is not None else "no HTTP status"
    return f"{error.type} ({status})"


def error_sentence(error: RunError, request_id: str | None = None) -> str:
    """The error, the API's message and what to do, in one line; the request-id when there is one."""
    # A 400's advice already quotes the API's message: say it once.
    if not error.message or error.message in error.hint:
        detail = error.hint
    else:
        detail = f"{error.message.rstrip('.')}. {error.hint}"
    request_id = error.request_id or request_id
    where = f" (request-id {request_id})" if request_id else ""
    return f"{error_heading(error)}: {detail}{where}"


def stop_reason_advice(stop_reason: str | None, max_tokens: int | None, model_max: int | None = None) -> str | None:
    """What a stop_reason that needs action means, and the fix; None for a reply that ended normally."""
    if stop_reason == "max_tokens":
        limit = f" (this model allows up to {model_max:,})" if model_max else ""
        return (f"The reply was cut off because it reached max_tokens ({max_tokens or 0:,}). "
                f"Raise max_tokens{limit} or ask for a shorter answer, then run again.")
    if stop_reason == "refusal":
        return ("The model declined to answer this request (stop_reason \"refusal\"). Rephrase the prompt or "
                "remove what it objected to, then run again.")
    if stop_reason == "model_context_window_exceeded":
        return "The reply stopped because the context window is full. Shorten the prompt or start a new conversation."
    return None


# ---------------------------------------------------------------- a run as JSON


def run_json(result: RunResult) -> dict[str, Any]:
    """One run as JSON: `run --json` prints it, and each run in `compare --json` has these keys.

    Costs are dollars (`cost_usd`), null with `cost_reason` when unknown; times are milliseconds.
    """
    error = result.error
    return {
        "model": result.model,
        "ok": result.ok,
        "text": result.text,
        "tool_uses": result.tool_uses,
        "stop_reason": result.stop_reason,
        "usage": None if result.usage is None else dataclasses.asdict(result.usage),
        "cost_usd": result.cost.usd,
        "cost_reason": result.cost.reason,
        "ttft_ms": result.ttft_ms,
        "latency_ms": result.latency_ms,
        "output_tokens_per_s": result.output_tokens_per_s,
        "request_id": result.request_id,
        "log_id": result.log_id,
        "partial": result.partial,
        "error": None if error is None else {
            "type": error.type, "status": error.status, "message": error.message,
            "request_id": error.request_id, "retry_after": error.retry_after, "hint": error.hint,
        },
    }


def batch_projection(projection) -> str:
    """A batch's projected cost (a batches.BatchProjection) at batch prices against live, one sentence for page and CLI."""
    if projection.batch_ceiling_usd is None:
        return f"projected cost unknown ({projection.note})"
    note = f" ({projection.note})" if projection.note else ""
    return (f"projected cost at batch prices {usd(projection.batch_floor_usd)}–{usd(projection.batch_ceiling_usd)} "
            f"vs live {usd(projection.live_floor_usd)}–{usd(projection.live_ceiling_usd)} "
            f"(from every reply empty to every reply at max_tokens){note}")
