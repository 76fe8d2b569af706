"""Statistics and cost of many runs of one prompt per model: what the Compare page and CLI report."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from workbench.pricing import PriceTable, UsageCounts

CALLS_PER_THOUSAND = 1000


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` (0..1) percentile by linear interpolation between closest ranks; None if empty.

    Linear interpolation (numpy's default) so p50 of an even count is the mean of the middle two
    and p95 of a handful of repeats still moves with the slowest call instead of jumping to it.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    rank = share * (len(ordered) - 1)
    lower = math.floor(rank)
    upper = math.ceil(rank)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


@dataclass(frozen=True)
class Spread:
    """p50 / p95 / min / max of one measurement over the runs that have it."""

    count: int
    p50: float | None
    p95: float | None
    min: float | None
    max: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"count": self.count, "p50": self.p50, "p95": self.p95, "min": self.min, "max": self.max}


def spread(values: Iterable[float | None]) -> Spread:
    """The Spread of the non-missing values."""
    present = [float(value) for value in values if value is not None]
    if not present:
        return Spread(count=0, p50=None, p95=None, min=None, max=None)
    return Spread(
        count=len(present),
        p50=percentile(present, 0.50),
        p95=percentile(present, 0.95),
        min=min(present),
        max=max(present),
    )


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the non-missing values; None when there are none."""
    present = [float(value) for value in values if value is not None]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class ModelStats:
    """Timing and size of one model's runs; failed runs count as errors, not as timings."""

    model: str
    calls: int
    errors: int
    ttft_ms: Spread
    latency_ms: Spread
    output_tokens_mean: float | None
    output_tokens_per_s_mean: float | None


def model_stats(model: str, results: Sequence[Any]) -> ModelStats:
    """Statistics of `results` (RunResults of one model).

    Only successful runs enter the timings: a 400 returns in milliseconds and a dropped stream
    stops early, and either would make the model look faster than it is.
    """
    succeeded = [result for result in results if result.ok]
    return ModelStats(
        model=model,
        calls=len(results),
        errors=len(results) - len(succeeded),
        ttft_ms=spread(result.ttft_ms for result in succeeded),
        latency_ms=spread(result.latency_ms for result in succeeded),
        output_tokens_mean=mean(result.usage.output_tokens for result in succeeded if result.usage),
        output_tokens_per_s_mean=mean(result.output_tokens_per_s for result in succeeded),
    )


def has_cache_breakpoint(request: dict) -> bool:
    """True when the request marks anything with cache_control (blocks, tools, or top level)."""
    if not isinstance(request, dict):
        return False
    if request.get("cache_control"):
        return True
    places: list[Any] = [request.get("system"), request.get("tools")]
    places += [message.get("content") for message in request.get("messages") or [] if isinstance(message, dict)]
    for place in places:
        if isinstance(place, list):
            for block in place:
                if isinstance(block, dict) and (block.get("cache_control") or _nested_cache_control(block)):
                    return True
    return False


def _nested_cache_control(block: dict) -> bool:
    """tool_result blocks may carry breakpoints inside their own content list."""
    content = block.get("content")
    return isinstance(content, list) and any(
        isinstance(inner, dict) and inner.get("cache_control") for inner in content
    )


def with_all_cacheable_read(usage: UsageCounts) -> UsageCounts:
    """The same call in steady state: every token that was cached (written or read) is read."""
    return UsageCounts(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=_cached_tokens(usage),
    )


@dataclass(frozen=True)
class CostRow:
    """Measured mean cost of one model's calls, three ways; None means unknown (see `note`)."""

    model: str
    measured_calls: int
    per_call_usd: float | None
    cached_per_call_usd: float | None  # None when the prompt sets no cache breakpoint
    batch_per_call_usd: float | None
    price_version: str
    note: str | None
    cache_breakpoint: bool = False

    @property
    def per_1000_usd(self) -> float | None:
        return _per_thousand(self.per_call_usd)

    @property
    def cached_per_1000_usd(self) -> float | None:
        return _per_thousand(self.cached_per_call_usd)

    @property
    def batch_per_1000_usd(self) -> float | None:
        return _per_thousand(self.batch_per_call_usd)


def _per_thousand(per_call: float | None) -> float | None:
    return None if per_call is None else per_call * CALLS_PER_THOUSAND


def cost_row(model: str, results: Sequence[Any], prices: PriceTable, *, cache_breakpoint: bool) -> CostRow:
    """Mean cost per call from the usage the API measured, standard / cache hits / batch.

    Priced from each run's own usage (not list price × a guess), so output length, thinking and
    the model's tokenizer are all in the figure. The cache-hit column assumes the steady state
    where every token the API cached on these runs is read from cache on every call.
    """
    measured = [result for result in results if result.ok and result.usage is not None]
    if not measured:
        return CostRow(model, 0, None, None, None, prices.version, "no successful call to measure", cache_breakpoint)
    standard = [prices.cost(result.usage, model) for result in measured]
    unknown = next((cost for cost in standard if not cost.known), None)
    if unknown is not None:
        return CostRow(model, len(measured), None, None, None, prices.version, unknown.reason, cache_breakpoint)
    batch = [prices.cost(result.usage, model, batch=True) for result in measured]
    cached_per_call = None
    note = None
    if cache_breakpoint:
        cached = [prices.cost(with_all_cacheable_read(result.usage), model) for result in measured]
        cached_per_call = mean(cost.usd for cost in cached)
        if not any(_cached_tokens(result.usage) for result in measured):
            note = "cache breakpoint set but nothing was cached (prefix below the model's minimum?)"
    return CostRow(
        model=model,
        measured_calls=len(measured),
        per_call_usd=mean(cost.usd for cost in standard),
        cached_per_call_usd=cached_per_call,
        batch_per_call_usd=mean(cost.usd for cost in batch),
        price_version=prices.version,
        note=note,
        cache_breakpoint=cache_breakpoint,
    )


def _cached_tokens(usage: UsageCounts) -> int:
    return usage.cache_write_5m_tokens + usage.cache_write_1h_tokens + usage.cache_read_tokens


@dataclass(frozen=True)
class ProjectedCost:
    """Cost of one call before running: the exact input count priced, output from none to max_tokens."""

    model: str
    input_tokens: int
    input_exact: bool
    max_tokens: int
    input_only_usd: float | None  # the floor: a reply of zero tokens
    at_max_tokens_usd: float | None  # the ceiling: a reply that uses all of max_tokens
    typical_output_tokens: float | None  # measured mean output of earlier runs, if any
    typical_usd: float | None
    note: str | None

    def per_1000(self, per_call: float | None) -> float | None:
        return _per_thousand(per_call)


def projected_cost(
    model: str,
    token_count: Any,
    max_tokens: int,
    prices: PriceTable,
    *,
    typical_output_tokens: float | None = None,
) -> ProjectedCost:
    """Projection from a tokens.TokenCount; without measured output, a floor and a ceiling."""
    # Output length is unknown before running, so no single guessed number: the range from an
    # empty reply to max_tokens, plus a point figure once runs have measured the mean output.
    floor = prices.projected_cost(model, token_count.input_tokens, 0)
    ceiling = prices.projected_cost(model, token_count.input_tokens, max_tokens)
    typical = None
    if typical_output_tokens is not None:
        typical = prices.projected_cost(model, token_count.input_tokens, round(typical_output_tokens)).usd
    note = floor.reason if not floor.known else (None if token_count.exact else token_count.label)
    return ProjectedCost(
        model=model,
        input_tokens=token_count.input_tokens,
        input_exact=token_count.exact,
        max_tokens=max_tokens,
        input_only_usd=floor.usd,
        at_max_tokens_usd=ceiling.usd,
        typical_output_tokens=typical_output_tokens,
        typical_usd=typical,
        note=note,
    )
