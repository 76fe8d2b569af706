"""Request rate limiting (token bucket) and the anthropic-ratelimit-* headers of every response.

--rate-limit RPS is in simulated time, which runs --speed times faster than the wall clock: the
bucket refills at RPS x speed per real second and holds max(1, RPS) requests, so retry-after
(real seconds until a slot frees) is naturally scaled by speed and the SDK's wait is honest.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MIN_RETRY_AFTER_S = 0.005
UNLIMITED_REQUESTS_PER_MINUTE = 4000
TOKENS_PER_MINUTE = 2_000_000
INPUT_TOKENS_PER_MINUTE = 2_000_000
OUTPUT_TOKENS_PER_MINUTE = 400_000


@dataclass(frozen=True)
class Admission:
    """The limiter's answer for one request."""

    allowed: bool
    limit_per_minute: int
    remaining: int
    reset_in_s: float  # real seconds until the bucket is full again
    retry_after_s: float = 0.0


class RequestRateLimiter:
    """Token bucket over POST /v1/messages; without a rate it admits everything.

    The rate (None or > 0) and speed (> 0) come from a SimulatorConfig, which checks them.
    """

    def __init__(self, requests_per_second: float | None, speed: float) -> None:
        self.rate = requests_per_second
        self.speed = speed
        self.capacity = max(1.0, self.rate or 1.0)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def admit(self) -> Admission:
        """Take a slot if one is free; otherwise say how long until one frees."""
        if self.rate is None:
            return Admission(True, UNLIMITED_REQUESTS_PER_MINUTE, UNLIMITED_REQUESTS_PER_MINUTE - 1, 0.0)
        refill_per_s = self.rate * self.speed
        limit = max(1, round(self.rate * 60))
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * refill_per_s)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return Admission(True, limit, int(self._tokens), (self.capacity - self._tokens) / refill_per_s)
            wait = max(MIN_RETRY_AFTER_S, (1.0 - self._tokens) / refill_per_s)
            return Admission(False, limit, 0, (self.capacity - self._tokens) / refill_per_s, wait)

    def status(self) -> Admission:
        """Current state without taking a slot (for headers on other endpoints)."""
        if self.rate is None:
            return Admission(True, UNLIMITED_REQUESTS_PER_MINUTE, UNLIMITED_REQUESTS_PER_MINUTE, 0.0)
        refill_per_s = self.rate * self.speed
        with self._lock:
            tokens = min(self.capacity, self._tokens + (time.monotonic() - self._updated) * refill_per_s)
        return Admission(True, max(1, round(self.rate * 60)), int(tokens), (self.capacity - tokens) / refill_per_s)


def _rfc3339_in(seconds: float) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=max(0.0, seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rate_limit_headers(admission: Admission, input_tokens: int = 0, output_tokens: int = 0) -> dict[str, str]:
    """The anthropic-ratelimit-* headers (and retry-after when refused)."""
    headers = {
        "anthropic-ratelimit-requests-limit": str(admission.limit_per_minute),
        "anthropic-ratelimit-requests-remaining": str(admission.remaining),
        "anthropic-ratelimit-requests-reset": _rfc3339_in(admission.reset_in_s),
        "anthropic-ratelimit-tokens-limit": str(TOKENS_PER_MINUTE),
        "anthropic-ratelimit-tokens-remaining": str(max(0, TOKENS_PER_MINUTE - input_tokens - output_tokens)),
        "anthropic-ratelimit-tokens-reset": _rfc3339_in(0),
        "anthropic-ratelimit-input-tokens-limit": str(INPUT_TOKENS_PER_MINUTE),
        "anthropic-ratelimit-input-tokens-remaining": str(max(0, INPUT_TOKENS_PER_MINUTE - input_tokens)),
        "anthropic-ratelimit-input-tokens-reset": _rfc3339_in(0),
        "anthropic-ratelimit-output-tokens-limit": str(OUTPUT_TOKENS_PER_MINUTE),
        "anthropic-ratelimit-output-tokens-remaining": str(max(0, OUTPUT_TOKENS_PER_MINUTE - output_tokens)),
        "anthropic-ratelimit-output-tokens-reset": _rfc3339_in(0),
    }
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
