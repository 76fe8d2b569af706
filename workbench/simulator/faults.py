"""Fault injection: the `x-simulator-fault: KIND[;times=N]` header and random faults from --fault-rate.

The header fails the first N attempts of a request (attempt number from the SDK's
`x-stainless-retry-count`, 0 on the first try); without `times`, every attempt fails.
Random faults (--fault-rate F) hit a fraction F of attempts, chosen by hashing the seed, the
request and the attempt number, so a run is reproducible; their kinds are RANDOM_KINDS.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping

from .errors import ApiError
from .ratelimit import retry_after_headers

FAULT_HEADER = "x-simulator-fault"
ATTEMPT_HEADER = "x-stainless-retry-count"
DISCONNECT = "disconnect"      # drops the connection mid-body (mid-stream for a stream)
STREAM_ERROR = "stream_error"  # HTTP 200, a few deltas, then an SSE `event: error` (overloaded_error)
RESET = "reset"                # closes the connection before any response headers
# Kinds that are not an error response but something done to the connection or the stream.
WIRE_KINDS = (DISCONNECT, STREAM_ERROR, RESET)

# kind -> (error type, message). `permission` and `too_large` go beyond the documented kinds so
# that every error status can be exercised.
ERROR_FAULTS: dict[str, tuple[str, str]] = {
    "overloaded": ("overloaded_error", "Overloaded"),
    "rate_limit": ("rate_limit_error", "This request would exceed your organization's rate limit (simulated)."),
    "server_error": ("api_error", "Internal server error"),
    "auth": ("authentication_error", "invalid x-api-key"),
    "permission": ("permission_error", "Your API key does not have permission to use the specified resource."),
    "too_large": ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
}
KINDS = (*ERROR_FAULTS, *WIRE_KINDS)
# What --fault-rate draws from: the transient failures a production client meets.
RANDOM_KINDS = ("overloaded", "rate_limit", "server_error", DISCONNECT, STREAM_ERROR, RESET)
FAULT_RETRY_AFTER_S = 1.0  # simulated seconds, divided by --speed on the wire


@dataclass(frozen=True)
class Fault:
    """A fault to inject into this attempt."""

    kind: str

    @property
    def is_error_response(self) -> bool:
        return self.kind in ERROR_FAULTS

    def as_error(self, speed: float) -> ApiError:
        """The error response for an error kind. `stream_error` outside a stream is the error it would
        have carried (529 overloaded), as the API answers a non-streaming request that fails."""
        kind = "overloaded" if self.kind == STREAM_ERROR else self.kind
        error_type, message = ERROR_FAULTS[kind]
        headers = {}
        if kind in ("overloaded", "rate_limit", "server_error"):
            # Scaled so the SDK's honest wait stays short in tests.
            headers = retry_after_headers(FAULT_RETRY_AFTER_S / speed)
        return ApiError(error_type, message, headers=headers)


def parse_fault_header(value: str) -> tuple[str, int | None]:
    """'KIND' or 'KIND;times=N' -> (kind, N or None); unknown kinds are a 400."""
    parts = [part.strip() for part in value.split(";") if part.strip()]
    kind = parts[0].lower() if parts else ""
    if kind not in KINDS:
        raise ApiError("invalid_request_error", f"{FAULT_HEADER}: unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
    times = None
    for part in parts[1:]:
        key, _, number = part.partition("=")
        if key.strip().lower() == "times":
            try:
                times = int(number)
            except ValueError:
                raise ApiError("invalid_request_error", f"{FAULT_HEADER}: times must be an integer") from None
    return kind, times


def attempt_number(headers: Mapping[str, str]) -> int:
    """0 for the first attempt, 1 for the first retry, ... (from x-stainless-retry-count)."""
    try:
        return max(0, int(headers.get(ATTEMPT_HEADER) or 0))
    except ValueError:
        return 0


def choose_fault(headers: Mapping[str, str], request_key: str, *, fault_rate: float, seed: int) -> Fault | None:
    """The fault this attempt suffers, if any: the header first, then a random fault."""
    attempt = attempt_number(headers)
    header = headers.get(FAULT_HEADER)
    if header:
        kind, times = parse_fault_header(header)
        return Fault(kind) if times is None or attempt < times else None
    if fault_rate <= 0:
        return None
    digest = hashlib.sha256(f"{seed}:{request_key}:{attempt}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    if draw >= fault_rate:
        return None
    return Fault(RANDOM_KINDS[digest[8] % len(RANDOM_KINDS)])
