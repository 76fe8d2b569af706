"""Client-side pacing by the API's rate-limit headers, so runs wait instead of collecting 429s.

The API reports three token buckets on every response (`anthropic-ratelimit-{requests,
input-tokens,output-tokens}-{limit,remaining,reset}`): how much is left, and when the bucket is
full again, from which the refill rate follows. One `Pacer` per endpoint and model reads those
headers from every response (an httpx event hook on the SDK client, so the 429s the SDK retries
by itself are seen too) and, before a run sends, spends one request and the run's estimated
tokens. When the budget is gone the run waits for the refill instead of sending. Estimates: input
tokens from the caller's count, output tokens from max_tokens (the API's own estimate at admission).

What a response says was true when the server admitted that request; the refill since then is
added, and the spending of runs the response may not include yet (not answered before that
request left) is subtracted.
"""
from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime

LIMIT_KINDS = ("requests", "input-tokens", "output-tokens")
KIND_LABELS = {"requests": "requests", "input-tokens": "input tokens", "output-tokens": "output tokens"}
# The API's limits are per minute; until a response shows a partly spent bucket, that is the refill.
LIMIT_PERIOD_S = 60.0
# A wait is taken in slices, so fresh headers from other runs can end it early.
MAX_WAIT_SLICE_S = 0.25
# Until the first response of an endpoint and model arrives, one request goes ahead alone.
FIRST_RESPONSE_WAIT_S = 5.0
FIRST_RESPONSE = "first-response"
FIRST_RESPONSE_SLICE_S = 0.01
_SENT_AT = "workbench_sent_at"  # request extension: monotonic time the request left


@dataclass(frozen=True)
class Spend:
    """What one request is expected to take from each bucket."""

    requests: int = 1
    input_tokens: int = 0
    output_tokens: int = 0

    def of(self, kind: str) -> int:
        return {"requests": self.requests, "input-tokens": self.input_tokens, "output-tokens": self.output_tokens}[kind]


@dataclass(frozen=True)
class RateLimitWait:
    """Runner event: this run waits `seconds` before sending, for the `kind` limit to refill."""

    kind: str
    seconds: float

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class _Bucket:
    """What the latest response said about one bucket."""

    limit: int
    remaining: int
    sent_at: float  # monotonic send time of the request whose response said it (orders views)
    seen_at: float  # monotonic time that response arrived: refill is counted from here (the safe side)
    rate_low: float = 0.0  # the refill rate is at least this...
    rate_high: float = math.inf  # ...and at most this (tokens per second)

    @property
    def refill_per_s(self) -> float:
        """The rate to plan with: the best lower bound; else the API's per-minute period.

        A bucket of one never yields a lower bound (its remaining is 0 or 1); the moment it is spent
        it is empty, so its upper bound, measured from the send, is (just under) the rate itself.
        """
        if self.rate_low > 0:
            return self.rate_low
        if self.limit == 1 and math.isfinite(self.rate_high):
            return self.rate_high
        return self.limit / LIMIT_PERIOD_S


class Reservation:
    """What one run spent before sending; counted against every view of the buckets that may miss it."""

    def __init__(self, spend: Spend) -> None:
        self.spend = spend
        self.answered_at: float | None = None  # monotonic time its reply started (or the run ended)

    def missing_from(self, view_sent_at: float) -> bool:
        """True unless a request sent after this one's answer arrived (so the server had counted it) gave the view."""
        return self.answered_at is None or self.answered_at >= view_sent_at


@dataclass
class Pacer:
    """The shared limiter of one endpoint and model."""

    buckets: dict[str, _Bucket] = field(default_factory=dict)
    rejections: int = 0  # 429 responses seen, retried ones included
    _reservations: list = field(default_factory=list)  # Reservations some view may not include yet
    # Actual uncached input tokens per estimated one, from the latest reply (estimates are rough).
    input_scale: float = 1.0
    _probe_started: float | None = None
    _heard_back: bool = False  # some run has settled (with or without rate-limit headers)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- reading headers -------------------------------------------------------------------

    def observe(self, headers, sent_at: float, status: int) -> None:
        """Take the buckets from one response's headers (the newest response wins)."""
        with self._lock:
            if status == 429:
                self.rejections += 1
            for kind in LIMIT_KINDS:
                bucket = _bucket_from_headers(headers, kind, sent_at, self.buckets.get(kind))
                if bucket is not None and (kind not in self.buckets or sent_at >= self.buckets[kind].sent_at):
                    self.buckets[kind] = bucket
            if self.buckets:
                oldest_view = min(bucket.sent_at for bucket in self.buckets.values())
                self._reservations = [r for r in self._reservations if r.missing_from(oldest_view)]

    # -- spending before a send --------------------------------------------------------------

    def observe_response(self, headers, sent_at: float) -> None:
        """Headers of a response the runner itself received (also without the client's hooks)."""
        self.observe(headers, sent_at, 200)

    def _wait_s(self, spend: Spend, now: float) -> tuple[str | None, float]:
        """(kind, seconds) of the longest wait before `spend` fits; (None, 0) when it fits now."""
        if not self._heard_back and self._probe_started is not None:
            # Nothing known yet: one request has gone to find out (the headers, and how its input
            # estimate compares with the server's count); the others wait for its answer.
            if now - self._probe_started < FIRST_RESPONSE_WAIT_S:
                return FIRST_RESPONSE, FIRST_RESPONSE_SLICE_S
        longest = self._longest_wait(spend, now, self._reservations)
        in_flight = [r for r in self._reservations if r.answered_at is None]
        if longest[0] is not None and not in_flight:
            # Nothing is in flight, so no fresher view is coming: if only runs that may already be
            # counted stand in the way, one request goes ahead to bring a fresh view.
            if self._longest_wait(spend, now, in_flight)[0] is None:
                return None, 0.0
        return longest

    def _longest_wait(self, spend: Spend, now: float, reservations: list) -> tuple[str | None, float]:
        longest: tuple[str | None, float] = (None, 0.0)
        for kind, bucket in self.buckets.items():
            need = min(spend.of(kind), bucket.limit)
            refilled = bucket.remaining + bucket.refill_per_s * (now - bucket.seen_at)
            # A view shows every request the server admitted before it, and surely those answered
            # before its request was sent; the spending of any other run is subtracted again
            # (one the server did count is then counted twice until a fresher view: the safe side).
            uncounted = sum(r.spend.of(kind) for r in reservations if r.missing_from(bucket.sent_at))
            missing = need - (min(bucket.limit, refilled) - uncounted)
            if missing > 0:
                wait = missing / bucket.refill_per_s
                if wait > longest[1]:
                    longest = (kind, wait)
        return longest

    def calibrate_input(self, estimated: int, actual_uncached: int) -> None:
        """Learn from a reply's usage how the caller's input estimates compare with what the server counts."""
        if estimated > 0 and actual_uncached >= 0:
            with self._lock:
                self.input_scale = actual_uncached / estimated

    def settle(self, reservation: Reservation) -> None:
        """The run's reply started (its spending is in the headers now), or it ended without one."""
        with self._lock:
            self._heard_back = True
            if reservation.answered_at is None:
                reservation.answered_at = time.monotonic()

    def spend_when_ready(self, spend: Spend) -> Generator[RateLimitWait, None, Reservation]:
        """Wait (yielding one RateLimitWait per slice) until `spend` fits, then spend it.

        Returns the Reservation, which the caller settles once the request's response arrives.
        """
        while True:
            with self._lock:
                now = time.monotonic()
                scaled = Spend(spend.requests, math.ceil(spend.input_tokens * self.input_scale), spend.output_tokens)
                kind, wait = self._wait_s(scaled, now)
                if kind is None:
                    if not self._heard_back and self._probe_started is None:
                        self._probe_started = now
                    reservation = Reservation(scaled)
                    self._reservations.append(reservation)
                    return reservation
            if kind != FIRST_RESPONSE:  # waiting for the first headers is no rate limit to report
                yield RateLimitWait(kind, wait)
            time.sleep(min(wait, MAX_WAIT_SLICE_S))


def _bucket_from_headers(headers, kind: str, sent_at: float, previous: _Bucket | None) -> _Bucket | None:
    try:
        limit = int(headers[f"anthropic-ratelimit-{kind}-limit"])
        remaining = int(headers[f"anthropic-ratelimit-{kind}-remaining"])
    except (KeyError, TypeError, ValueError):
        return None
    if limit < 1:
        return None
    known = previous if previous is not None and previous.limit == limit else None
    rate_low, rate_high = (known.rate_low, known.rate_high) if known is not None else (0.0, math.inf)
    # The refill rate is what a partly spent bucket needs to be full by its reset time. Both
    # figures are rounded (remaining down to a whole number, reset to the header's precision), so
    # each response bounds the rate from below and above; the bounds tighten as responses come.
    # Measured from when the request left (about when the server decided), not from when its
    # answer arrived: a slow answer would otherwise make the bucket look faster than it is.
    sent_wall = time.time() - (time.monotonic() - sent_at)
    full_in = _seconds_after(headers.get(f"anthropic-ratelimit-{kind}-reset"), sent_wall)
    if full_in is not None and full_in > 0 and remaining < limit:
        precision = _reset_precision(headers, kind)
        rate_low = max(rate_low, (limit - remaining - 1) / (full_in + precision))
        rate_high = min(rate_high, (limit - remaining) / max(full_in - precision, precision))
    return _Bucket(limit, max(0, remaining), sent_at, time.monotonic(), rate_low, max(rate_low, rate_high))


def _reset_precision(headers, kind: str) -> float:
    """Seconds of rounding in a reset time: 1 for whole seconds (the API's), 0.001 for milliseconds."""
    raw = headers.get(f"anthropic-ratelimit-{kind}-reset") or ""
    return 0.001 if "." in raw else 1.0


def _seconds_after(raw: str | None, moment: float) -> float | None:
    """Seconds from `moment` (a time.time()) to an RFC 3339 time; None when it can't be read."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.timestamp() - moment


# -- one pacer per endpoint and model, fed by the SDK client's HTTP hooks ------------------------

_pacers: dict[tuple[str, str], Pacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(base_url: str, model: str) -> Pacer:
    """The process-wide pacer of POST /v1/messages on `base_url` for `model`."""
    key = (str(base_url).rstrip("/"), model)
    with _pacers_lock:
        return _pacers.setdefault(key, Pacer())


def rejections(base_url: str, models) -> int:
    """429 responses seen so far for these models on this endpoint (for a run summary's delta)."""
    return sum(pacer_for(base_url, model).rejections for model in models)


def _messages_base(url) -> str | None:
    """The base URL of a POST /v1/messages request, or None for any other endpoint."""
    text = str(url).split("?", 1)[0]
    suffix = "/v1/messages"
    return text[: -len(suffix)].rstrip("/") if text.endswith(suffix) else None


def _stamp_request(request) -> None:
    request.extensions[_SENT_AT] = time.monotonic()


def _read_response(response) -> None:
    request = response.request
    if request.method != "POST" or _messages_base(request.url) is None:
        return
    try:
        model = json.loads(request.content)["model"]
    except (ValueError, KeyError, TypeError):
        return
    if not isinstance(model, str):
        return
    sent_at = request.extensions.get(_SENT_AT, time.monotonic())
    pacer_for(_messages_base(request.url), model).observe(response.headers, sent_at, response.status_code)


def event_hooks() -> dict[str, list]:
    """httpx event hooks that feed every /v1/messages response's rate-limit headers to its pacer."""
    return {"request": [_stamp_request], "response": [_read_response]}
