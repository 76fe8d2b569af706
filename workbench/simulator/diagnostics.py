"""`diagnostics.previous_message_id`: why the prompt cache could not reuse the previous request's prefix.

Each reply's prompt fingerprint is kept under its message id. A request naming a previous id gets
`diagnostics.cache_miss_reason` (the SDK 2.14 shapes: model_changed, tools_changed, system_changed,
messages_changed with `cache_missed_input_tokens`; previous_message_not_found; unavailable) when it
read less from the cache than the previous request had cached, and `diagnostics: null` otherwise.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .errors import invalid_request

REMEMBERED_MESSAGES = 10_000


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What of a request decides its cache prefix, and how much of it was cached."""

    model: str
    tools: str
    system: str
    messages: tuple[str, ...]
    other: str               # other prompt-affecting settings (thinking, tool_choice)
    cached_tokens: int       # read + written by this request: what the next one could read

    @classmethod
    def of(cls, request: dict, model_id: str, cached_tokens: int) -> "Fingerprint":
        return cls(model=_digest([model_id, request.get("speed") or "standard"]), tools=_digest(request.get("tools")),
                   system=_digest(request.get("system")),
                   messages=tuple(_digest(message) for message in request.get("messages") or []),
                   other=_digest([request.get("thinking"), request.get("tool_choice")]), cached_tokens=cached_tokens)


def check_diagnostics(request: dict) -> None:
    """400 for a malformed `diagnostics` object."""
    diagnostics = request.get("diagnostics")
    if diagnostics is None:
        return
    if not isinstance(diagnostics, dict):
        raise invalid_request("diagnostics: Input should be a valid dictionary")
    unknown = [key for key in diagnostics if key != "previous_message_id"]
    if unknown:
        raise invalid_request(f"diagnostics.{unknown[0]}: Extra inputs are not permitted")
    previous = diagnostics.get("previous_message_id")
    if previous is not None and not isinstance(previous, str):
        raise invalid_request("diagnostics.previous_message_id: Input should be a valid string")


class DiagnosticsBook:
    """Fingerprints of recent replies, by message id; thread-safe and bounded."""

    def __init__(self) -> None:
        self._by_id: OrderedDict[str, Fingerprint] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, message_id: str, fingerprint: Fingerprint) -> None:
        with self._lock:
            self._by_id[message_id] = fingerprint
            while len(self._by_id) > REMEMBERED_MESSAGES:
                self._by_id.popitem(last=False)

    def diagnose(self, request: dict, current: Fingerprint, read_tokens: int) -> dict | None:
        """The response's `diagnostics` value: None when not asked for or nothing diverged."""
        diagnostics = request.get("diagnostics")
        if not isinstance(diagnostics, dict) or diagnostics.get("previous_message_id") is None:
            return None
        with self._lock:
            previous = self._by_id.get(diagnostics["previous_message_id"])
        if previous is None:
            return {"cache_miss_reason": {"type": "previous_message_not_found"}}
        if not previous.cached_tokens or read_tokens >= previous.cached_tokens:
            return None
        missed = previous.cached_tokens - read_tokens
        for kind, changed in (("model_changed", previous.model != current.model),
                              ("tools_changed", previous.tools != current.tools),
                              ("system_changed", previous.system != current.system),
                              ("messages_changed", current.messages[:len(previous.messages)] != previous.messages)):
            if changed:
                return {"cache_miss_reason": {"type": kind, "cache_missed_input_tokens": missed}}
        # Same model, tools, system and messages: an expired entry or another setting (thinking,
        # tool_choice); the API gives no diagnosis for those.
        return {"cache_miss_reason": {"type": "unavailable"}}
