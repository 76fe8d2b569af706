"""Rate limits on POST /v1/messages (requests, input tokens, output tokens) and their headers.

Each limit is a token bucket, as the API describes its own: capacity refills continuously, so a
client can burst up to the bucket and then goes at the refill rate. Time is simulated: it runs
--speed times faster than the wall clock, so a bucket refills `speed` times faster per real
second and retry-after (real seconds) shrinks with it.

- requests (--rate-limit RPS): holds max(1, RPS) requests and refills RPS per simulated second.
- input tokens (--itpm N) and output tokens (--otpm N): hold N tokens and refill N per simulated
  minute. Input tokens are the uncached ones (input plus cache writes; cache reads are free, as
  on current models). Output tokens are estimated from max_tokens when a request is admitted and
  the unused part is given back when the reply ends, as the API documents.

The headers tell the truth about what is enforced: `-limit` is the bucket's capacity, `-remaining`
what is left now, `-reset` (RFC 3339, with milliseconds) when the bucket will be full again. A
limit that is not configured is not enforced; its headers report a generous nominal bucket.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MIN_RETRY_AFTER_S = 0.005
SIMULATED_MINUTE_S = 60.0
# Nominal buckets of limits nobody configured (never enforced): large enough for any test.
NOMINAL_REQUESTS_PER_MINUTE = 4000
NOMINAL_INPUT_TOKENS_PER_MINUTE = 2_000_000
NOMINAL_OUTPUT_TOKENS_PER_MINUTE = 2_000_000
LIMIT_KINDS = ("requests", "input-tokens", "output-tokens")
# What each kind is called in a 429's message, as the API words it.
_KIND_WORDS = {"requests": "requests", "input-tokens": "input tokens", "output-tokens": "output tokens"}


@dataclass(frozen=True)
class BucketState:
    """One bucket at one moment: what the headers say about it."""

    capacity: int
    remaining: int
    full_in_s: float  # real seconds until the bucket is full again


class Bucket:
    """A token bucket; `enforced=False` only keeps count (for truthful headers), never refuses."""

    def __init__(self, capacity: float, refill_per_real_s: float, *, enforced: bool) -> None:
        self.capacity = max(1.0, capacity)
        self.refill_per_s = refill_per_real_s
        self.enforced = enforced
        self._level = self.capacity
        self._updated = time.monotonic()

    def _refill(self, now: float) -> None:
        self._level = min(self.capacity, self._level + (now - self._updated) * self.refill_per_s)
        self._updated = now

    def shortfall_s(self, amount: float, now: float) -> float:
        """Real seconds until `amount` (at most the capacity) is available; 0 when it is now."""
        self._refill(now)
        if not self.enforced:
            return 0.0
        missing = min(amount, self.capacity) - self._level
        return 0.0 if missing <= 0 else missing / self.refill_per_s

    def take(self, amount: float) -> None:
        # An unenforced bucket may go below zero in use; its headers then show 0 remaining.
        self._level -= min(amount, self.capacity)

    def give_back(self, amount: float, now: float) -> None:
        self._refill(now)
        self._level = min(self.capacity, self._level + amount)

    def state(self, now: float) -> BucketState:
        self._refill(now)
        level = max(0.0, self._level)
        return BucketState(int(self.capacity), int(level), (self.capacity - level) / self.refill_per_s)


@dataclass(frozen=True)
class Admission:
    """The limiter's answer for one request, with every bucket's state for the headers."""

    allowed: bool
    states: dict[str, BucketState]
    refused_by: str | None = None  # the limit kind that refused it
    retry_after_s: float = 0.0

    def refusal_message(self) -> str:
        state = self.states[self.refused_by]
        if self.refused_by == "requests":
            return (f"This request would exceed your organization's rate limit of {state.capacity:,} "
                    "requests (simulated). Wait for retry-after, or lower the request rate.")
        return (f"This request would exceed your organization's rate limit of {state.capacity:,} "
                f"{_KIND_WORDS[self.refused_by]} per minute (simulated). Wait for retry-after, or send "
                "fewer tokens per minute.")


class RateLimiter:
    """The three buckets of POST /v1/messages; the settings come from a SimulatorConfig, which checks them."""

    def __init__(self, *, requests_per_second: float | None, input_tokens_per_minute: int | None,
                 output_tokens_per_minute: int | None, speed: float) -> None:
        per_minute = speed / SIMULATED_MINUTE_S
        if requests_per_second is None:
            requests = Bucket(NOMINAL_REQUESTS_PER_MINUTE, NOMINAL_REQUESTS_PER_MINUTE * per_minute, enforced=False)
        else:
            requests = Bucket(max(1.0, requests_per_second), requests_per_second * speed, enforced=True)
        self._buckets = {
            "requests": requests,
            "input-tokens": _minute_bucket(input_tokens_per_minute, NOMINAL_INPUT_TOKENS_PER_MINUTE, per_minute),
            "output-tokens": _minute_bucket(output_tokens_per_minute, NOMINAL_OUTPUT_TOKENS_PER_MINUTE, per_minute),
        }
        self._lock = threading.Lock()

    def admit(self, input_tokens: int, output_estimate: int) -> Admission:
        """Take one request and its tokens if every bucket has room; else say which refused and for how long."""
        wanted = {"requests": 1, "input-tokens": input_tokens, "output-tokens": output_estimate}
        with self._lock:
            now = time.monotonic()
            waits = {kind: self._buckets[kind].shortfall_s(amount, now) for kind, amount in wanted.items()}
            refused_by = max(waits, key=waits.get)
            if waits[refused_by] > 0:
                return Admission(False, self._states(now), refused_by, max(MIN_RETRY_AFTER_S, waits[refused_by]))
            for kind, amount in wanted.items():
                self._buckets[kind].take(amount)
            return Admission(True, self._states(now))

    def give_back_output(self, unused_tokens: int) -> None:
        """The reply ended below its max_tokens estimate: return the difference to the output bucket."""
        if unused_tokens > 0:
            with self._lock:
                self._buckets["output-tokens"].give_back(unused_tokens, time.monotonic())

    def status(self) -> Admission:
        """Current state without taking anything (for headers of other responses)."""
        with self._lock:
            return Admission(True, self._states(time.monotonic()))

    def _states(self, now: float) -> dict[str, BucketState]:
        return {kind: bucket.state(now) for kind, bucket in self._buckets.items()}


def _minute_bucket(per_minute_limit: int | None, nominal: int, minutes_per_real_s: float) -> Bucket:
    limit = nominal if per_minute_limit is None else per_minute_limit
    return Bucket(limit, limit * minutes_per_real_s, enforced=per_minute_limit is not None)


def _rfc3339_in(seconds: float) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=max(0.0, seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rate_limit_headers(admission: Admission) -> dict[str, str]:
    """The anthropic-ratelimit-* headers (and retry-after when refused)."""
    headers: dict[str, str] = {}
    for kind in LIMIT_KINDS:
        state = admission.states[kind]
        headers[f"anthropic-ratelimit-{kind}-limit"] = str(state.capacity)
        headers[f"anthropic-ratelimit-{kind}-remaining"] = str(state.remaining)
        headers[f"anthropic-ratelimit-{kind}-reset"] = _rfc3339_in(state.full_in_s)
    # The combined tokens headers describe the most restrictive of the two token limits.
    tightest = min((admission.states["input-tokens"], admission.states["output-tokens"]),
                   key=lambda state: state.remaining)
    headers["anthropic-ratelimit-tokens-limit"] = str(tightest.capacity)
    headers["anthropic-ratelimit-tokens-remaining"] = str(tightest.remaining)
    headers["anthropic-ratelimit-tokens-reset"] = _rfc3339_in(tightest.full_in_s)
    if not admission.allowed:
        headers.update(retry_after_headers(admission.retry_after_s))
    return headers


def retry_after_headers(seconds: float) -> dict[str, str]:
    """retry-after in (possibly fractional) seconds plus retry-after-ms, which the SDK reads first.

    The API sends whole seconds; scaled-down waits need fractions, which the SDK accepts.
    """
    seconds = max(MIN_RETRY_AFTER_S, seconds)
    whole_ms = math.ceil(seconds * 1000)
    return {"retry-after": f"{whole_ms / 1000:g}", "retry-after-ms": str(whole_ms)}
