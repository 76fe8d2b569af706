"""Prompt-cache accounting: which part of a request's input is written to or read from the cache.

Rules (explicit, close to the API's):
- Breakpoints are the blocks carrying `cache_control` (tools, system blocks, message content
  blocks) plus, with top-level `cache_control`, the last cacheable block. At most 4 explicit ones.
- A breakpoint's prefix is every segment up to and including it (tools, system, messages order).
  Prefixes shorter than the model's minimum (model_quirks.json: 4,096 on Haiku 4.5 and Opus 4.5-4.8,
  512 on the Fable / Mythos line and Opus 5, 1,024 by default) are not cached, and that is no error.
- The longest cached, unexpired prefix is read (and its TTL refreshed); every later breakpoint's
  prefix is written, the tokens between two breakpoints billed at the later breakpoint's TTL.
- Entries are keyed by model + prefix hash, kept in memory, expiring after 5 minutes or 1 hour of
  real wall time (never scaled by --speed, as the issue asks).
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from .catalog import min_cacheable_tokens
from .tokenizer import Segment

MAX_BREAKPOINTS = 4
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}


@dataclass(frozen=True)
class Breakpoint:
    """A cache breakpoint: the segment index it sits on and its TTL ("5m" or "1h")."""

    index: int
    ttl: str


@dataclass(frozen=True)
class CacheUsage:
    """The cache part of `usage`; input_tokens is the total minus these."""

    read_tokens: int = 0
    write_5m_tokens: int = 0
    write_1h_tokens: int = 0

    @property
    def write_tokens(self) -> int:
        return self.write_5m_tokens + self.write_1h_tokens


def breakpoints(segments: list[Segment], top_level: dict | None) -> list[Breakpoint]:
    """Breakpoints in prefix order; the top-level one lands on the last cacheable segment."""
    found = [
        Breakpoint(index, (segment.cache_control or {}).get("ttl") or "5m")
        for index, segment in enumerate(segments)
        if segment.cache_control
    ]
    if top_level:
        last = max((i for i, segment in enumerate(segments) if segment.cacheable), default=None)
        if last is not None and all(bp.index != last for bp in found):
            found.append(Breakpoint(last, top_level.get("ttl") or "5m"))
    return sorted(found, key=lambda bp: bp.index)


class PromptCache:
    """In-memory prompt cache of one simulator server; thread-safe."""

    def __init__(self) -> None:
        self._expiry_by_key: dict[str, float] = {}
        self._lock = threading.Lock()

    def account(self, model_id: str, segments: list[Segment], top_level: dict | None, *,
                commit: bool = True) -> CacheUsage:
        """Look the request's prefixes up, store the new ones, and say what was read and written.

        With commit=False nothing is stored or refreshed: what the request would read and write.
        """
        points = breakpoints(segments, top_level)
        if not points:
            return CacheUsage()
        prefix_tokens, prefix_keys = _prefixes(model_id, segments)
        minimum = min_cacheable_tokens(model_id)
        points = [bp for bp in points if prefix_tokens[bp.index] >= minimum]
        now = time.monotonic()
        with self._lock:
            hit_position = -1
            for position in range(len(points) - 1, -1, -1):
                key = prefix_keys[points[position].index]
                if self._expiry_by_key.get(key, 0.0) > now:
                    hit_position = position
                    break
            read = 0
            if hit_position >= 0:
                hit = points[hit_position]
                read = prefix_tokens[hit.index]
                key = prefix_keys[hit.index]
                # A hit refreshes the entry's lifetime.
                if commit:
                    self._expiry_by_key[key] = max(self._expiry_by_key[key], now + TTL_SECONDS[hit.ttl])
            written = {"5m": 0, "1h": 0}
            covered = read
            for bp in points[hit_position + 1 :]:
                written[bp.ttl] += prefix_tokens[bp.index] - covered
                covered = prefix_tokens[bp.index]
                key = prefix_keys[bp.index]
                if commit:
                    self._expiry_by_key[key] = max(self._expiry_by_key.get(key, 0.0), now + TTL_SECONDS[bp.ttl])
            if commit:
                self._drop_expired(now)
        return CacheUsage(read, written["5m"], written["1h"])

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, expiry in self._expiry_by_key.items() if expiry <= now]:
            del self._expiry_by_key[key]


def _prefixes(model_id: str, segments: list[Segment]) -> tuple[list[int], list[str]]:
    """Running token totals and running prefix hashes (model included) after each segment."""
    digest = hashlib.sha256(model_id.encode())
    totals: list[int] = []
    keys: list[str] = []
    running = 0
    for segment in segments:
        digest.update(b"\x00" + segment.key.encode())
        running += segment.tokens
        totals.append(running)
        keys.append(digest.copy().hexdigest())
    return totals, keys
