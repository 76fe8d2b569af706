"""Why a run that should have read the prompt cache wrote it again: the ★ cache-miss explanation.

Given the previous run and this one (requests as sent, usage, times) and the API's own
`diagnostics.cache_miss_reason` when it gave one, say in words what changed before the cache
breakpoint, with a diff of the prefix. Pure functions: the Editor renders the result.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from workbench.model_quirks import prompt_cache_minimum, snapshot_alias
from workbench.pricing import UsageCounts

TTL_SECONDS = {"5m": 300, "1h": 3600}
DIFF_LINES = 60  # enough to see the change, short enough to read
LONG_LINE = 100
SENTENCE_END = re.compile(r"(?<=[.!?]) (?=\S)")

# The API's reasons (SDK 2.14 CacheMissReason), as sentences.
REASON_SENTENCES = {
    "model_changed": "the model (or speed) changed since the previous run, and each model has its own cache",
    "tools_changed": "the tools changed (added, removed, edited or reordered); they come first in the prefix",
    "system_changed": "the system prompt changed, so nothing after the tools matched the cached prefix",
    "messages_changed": "an earlier turn changed instead of turns only being added at the end",
    "previous_message_not_found": "the API has no record of the previous run to compare with",
    "unavailable": "the API could not tell why (for example the cache entry expired, or thinking or tool_choice changed)",
}


@dataclass(frozen=True)
class CacheMissExplanation:
    """One sentence on what happened, the reasons in words, and a diff of the prefix (may be empty)."""

    headline: str
    reasons: list[str] = field(default_factory=list)
    diff: str = ""
    source: str = "logged previous request"  # or "API diagnostics"


def prefix_parts(request: dict) -> dict:
    """The parts of a request that make up its cacheable prefix, in the order the cache reads them."""
    return {"model": request.get("model"), "tools": request.get("tools") or [],
            "system": request.get("system") or "", "messages": request.get("messages") or []}


def _ttls(request: dict) -> list[str]:
    found = []

    def visit(value: object) -> None:
        if isinstance(value, dict):
            control = value.get("cache_control")
            if isinstance(control, dict):
                found.append(control.get("ttl") or "5m")
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit({key: request.get(key) for key in ("tools", "system", "messages")})
    top = request.get("cache_control")
    if isinstance(top, dict):
        found.append(top.get("ttl") or "5m")
    return found


def _pretty(parts: dict) -> list[str]:
    """The prefix as indented JSON, a long text cut after each sentence: an edited word then shows as
    the one sentence that changed, not as the whole system prompt on one line."""
    lines = []
    for line in json.dumps(parts, indent=2, ensure_ascii=False, sort_keys=True, default=str).splitlines():
        if len(line) <= LONG_LINE:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        first, *rest = SENTENCE_END.split(line)
        lines += [first, *(indent + piece for piece in rest)]
    return lines


def prefix_diff(previous: dict, current: dict) -> str:
    """A unified diff of the two prefixes (model, tools, system, messages), at most DIFF_LINES lines."""
    lines = list(difflib.unified_diff(_pretty(prefix_parts(previous)), _pretty(prefix_parts(current)),
                                      fromfile="previous run", tofile="this run", lineterm="", n=2))
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more lines)"]
    return "\n".join(lines)


def _first_changed_message(previous: list, current: list) -> int | None:
    for index, message in enumerate(previous):
        if index >= len(current) or current[index] != message:
            return index
    return None


def _compared_reasons(previous: dict, current: dict, seconds_between: float | None) -> list[str]:
    """What differs in the prefix, from the two requests alone (no API diagnostics)."""
    reasons = []
    if snapshot_alias(str(previous.get("model"))) != snapshot_alias(str(current.get("model"))) \
            or previous.get("speed") != current.get("speed"):
        reasons.append(f"the model changed from {previous.get('model')} to {current.get('model')}; "
                       "each model has its own cache")
    if (previous.get("tools") or []) != (current.get("tools") or []):
        names = lambda tools: [tool.get("name") for tool in tools if isinstance(tool, dict)]  # noqa: E731
        reasons.append(f"the tools changed ({', '.join(map(str, names(previous.get('tools') or []))) or 'none'} → "
                       f"{', '.join(map(str, names(current.get('tools') or []))) or 'none'}); "
                       "tools come first in the prefix, so everything after them missed")
    if (previous.get("system") or "") != (current.get("system") or ""):
        reasons.append("the system prompt changed; even one character before the breakpoint starts a new cache entry")
    changed = _first_changed_message(previous.get("messages") or [], current.get("messages") or [])
    if changed is not None and not reasons:
        reasons.append(f"turn {changed + 1} changed; only turns added at the end keep the cached prefix")
    if not reasons and seconds_between is not None:
        ttl = max((TTL_SECONDS.get(ttl, 300) for ttl in _ttls(previous)), default=300)
        if seconds_between > ttl:
            reasons.append(f"the cache entry expired: {seconds_between / 60:.0f} minutes passed since the previous "
                           f"run, more than its {ttl // 60}-minute TTL")
    if not reasons and (previous.get("thinking"), previous.get("tool_choice")) != \
            (current.get("thinking"), current.get("tool_choice")):
        reasons.append("thinking or tool_choice changed, which also changes the cached prompt")
    return reasons


def explain_cache_miss(previous_request: dict, previous_usage: UsageCounts | None, previous_at: str | None,
                       request: dict, usage: UsageCounts | None, at: str | None,
                       diagnostics: dict | None = None) -> CacheMissExplanation | None:
    """Why this run read less from the cache than the previous run had cached; None when it didn't
    (or when the previous run cached nothing, so no read was to be expected)."""
    if previous_usage is None or usage is None or not _ttls(request):
        return None
    cached_before = previous_usage.cache_write_tokens + previous_usage.cache_read_tokens
    if not cached_before or usage.cache_read_tokens >= cached_before:
        return None
    headline = (f"Expected to read about {cached_before:,} tokens from the cache, read {usage.cache_read_tokens:,}"
                + (f" and wrote {usage.cache_write_tokens:,} again" if usage.cache_write_tokens else "") + ".")
    diff = prefix_diff(previous_request, request)
    reason = (diagnostics or {}).get("cache_miss_reason") if isinstance(diagnostics, dict) else None
    if isinstance(reason, dict) and reason.get("type") in REASON_SENTENCES:
        sentence = REASON_SENTENCES[reason["type"]]
        missed = reason.get("cache_missed_input_tokens")
        if isinstance(missed, int):
            sentence += f" (about {missed:,} tokens missed the cache)"
        reasons = [sentence]
        if reason["type"] in ("unavailable", "previous_message_not_found"):
            reasons += _compared_reasons(previous_request, request, _seconds_between(previous_at, at))
        return CacheMissExplanation(headline, reasons, diff, source="API diagnostics")
    reasons = _compared_reasons(previous_request, request, _seconds_between(previous_at, at))
    if not reasons:
        minimum = prompt_cache_minimum(str(request.get("model")))
        total = usage.prompt_tokens
        reasons = ([f"the prompt ({total:,} tokens) is below {request.get('model')}'s {minimum:,}-token caching minimum"]
                   if total < minimum else ["nothing before the breakpoint changed; the cache may have been evicted"])
    return CacheMissExplanation(headline, reasons, diff)


def _seconds_between(earlier: str | None, later: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(str(later)) - datetime.fromisoformat(str(earlier))).total_seconds()
    except (TypeError, ValueError):
        return None
