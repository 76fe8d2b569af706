"""Input token counts: count_tokens with a per-request cache, or an offline estimate that says it is one."""
from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from workbench import preflight
from workbench.models import describe_api_error, quirk_applies, quirk_rule
from workbench.preflight import Problem
from workbench.spec import request_hash
from workbench.templating import filled_values, find_variables, substitute

if TYPE_CHECKING:  # the SDK loads with the first count, not with this module (the Editor's form needs none)
    import anthropic

# The request fields count_tokens takes; max_tokens, stop_sequences, metadata don't change the count.
COUNT_FIELDS = (
    "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "cache_control", "speed",
)
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class TokenCount:
    """How many input tokens a request has, and whether the number is exact."""

    input_tokens: int
    exact: bool
    source: Literal["count_tokens", "estimate"]
    note: str | None = None
    # The API's own reason when count_tokens refused the request (a 4xx other than 429): the same
    # request would be refused by messages.create too, so the Editor shows it as a warning.
    refusal: str | None = None

    @property
    def label(self) -> str:
        if self.exact:
            return f"{self.input_tokens:,} tokens"
        return f"≈{self.input_tokens:,} tokens (estimate: {self.note or 'offline'})"


def _texts_in_content(content: object) -> list[str]:
    """Every piece of text in a message content (str or blocks), including tool inputs and results."""
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    if not isinstance(content, list):
        return texts
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "thinking":
            texts.append(str(block.get("thinking", "")))
        elif kind in ("tool_use", "server_tool_use"):
            texts.append(str(block.get("name", "")))
            texts.append(json.dumps(block.get("input", {}), ensure_ascii=False))
        elif kind == "tool_result":
            texts += _texts_in_content(block.get("content", ""))
    return texts


def _request_texts(request: dict) -> list[str]:
    system = request.get("system")
    texts = _texts_in_content(system) if system is not None else []
    for message in request.get("messages") or []:
        if isinstance(message, dict):
            texts += _texts_in_content(message.get("content"))
    for tool in request.get("tools") or []:
        # A tool costs its whole definition: name, description and schema.
        texts.append(json.dumps(tool, ensure_ascii=False, sort_keys=True))
    output_config = request.get("output_config")
    output_format = output_config.get("format") if isinstance(output_config, dict) else None
    if output_format:
        texts.append(json.dumps(output_format, ensure_ascii=False, sort_keys=True))
    return texts


def estimate_input_tokens(request: dict) -> int:
    """≈ characters / 4 over all request text; ×1.3 on models with the newer tokenizer."""
    characters = sum(len(text) for text in _request_texts(request))
    tokens = characters / CHARS_PER_TOKEN
    # Count per model: Claude 4.7+ tokenizer yields about 30% more tokens for the same text.
    if quirk_applies("newer_tokenizer", str(request.get("model"))):
        tokens *= float(quirk_rule("newer_tokenizer").get("ratio", 1.0))
    return max(1, math.ceil(tokens))


def _prompt_pieces(request: dict) -> list[tuple[int, object]]:
    """(characters, cache_control) of each piece a breakpoint can sit on, in prompt-cache order."""
    pieces: list[tuple[int, object]] = []
    for tool in request.get("tools") or []:
        if isinstance(tool, dict):
            pieces.append((len(json.dumps(tool, ensure_ascii=False, sort_keys=True)), tool.get("cache_control")))
    system = request.get("system")
    blocks: list = [system] if isinstance(system, str) else list(system or [])
    for message in request.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        blocks += [content] if isinstance(content, str) else list(content or [])
    for block in blocks:
        control = block.get("cache_control") if isinstance(block, dict) else None
        pieces.append((sum(len(text) for text in _texts_in_content([block] if isinstance(block, dict) else block)),
                       control))
    return pieces


def cached_prefix_tokens(request: dict, input_tokens: int) -> dict[str, int]:
    """How many of `input_tokens` sit before a cache breakpoint, by TTL ("5m", "1h"); {} without one.

    The split is estimated from the text's length (count_tokens gives only the total). A first call
    writes these tokens to the cache (at a premium); a call within the TTL reads them.
    """
    pieces = _prompt_pieces(request)
    total = sum(size for size, _ in pieces)
    top_level = request.get("cache_control")
    if isinstance(top_level, dict):  # automatic caching: the whole prompt is the prefix
        return {top_level.get("ttl") or "5m": input_tokens}
    ends = {"5m": 0, "1h": 0}  # characters up to the last breakpoint of each TTL
    seen = 0
    for size, control in pieces:
        seen += size
        if isinstance(control, dict):
            ends[control.get("ttl") or "5m"] = seen
    if not total or not any(ends.values()):
        return {}
    # 1h breakpoints come first (the API requires it); what lies after the last one, up to the last
    # 5m breakpoint, is written for 5 minutes.
    hour = round(input_tokens * ends["1h"] / total)
    five = max(0, round(input_tokens * ends["5m"] / total) - hour)
    return {ttl: tokens for ttl, tokens in (("1h", hour), ("5m", five)) if tokens}


def count_relevant_fields(request: dict) -> dict:
    """The part of a request that decides its input token count (and so the cache key)."""
    return {name: request[name] for name in COUNT_FIELDS if name in request}


def _failure_is_permanent(error: Exception) -> bool:
    # A 4xx other than 429 answers the same for the same request; rate limits and outages may pass.
    import anthropic

    return isinstance(error, anthropic.APIStatusError) and 400 <= error.status_code < 500 and error.status_code != 429


def _api_reason(error: anthropic.APIStatusError) -> str:
    """The message the API gave for refusing a request (its error body), else the SDK's summary."""
    return error.api_message or error.message or f"HTTP {error.status_code}"


class TokenCounter:
    """Counts input tokens with client.messages.count_tokens, never twice for an unchanged request."""

    def __init__(self, client: anthropic.Anthropic):
        self.client = client
        self.calls = 0
        self._counts: dict[str, TokenCount] = {}
        # One counter may serve several Streamlit sessions (cache_resource), so guard the cache.
        self._lock = threading.Lock()
        # One lock per request hash: a second thread asking for a count already in flight waits
        # for it instead of sending the same count_tokens call again.
        self._key_locks: dict[str, threading.Lock] = {}

    def count(self, request: dict) -> TokenCount:
        """Exact count from the API (cached by request hash), or a labelled estimate when counting fails."""
        fields = count_relevant_fields(request)
        key = request_hash(fields)
        with self._lock:
            cached = self._counts.get(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        if cached is not None:
            return cached
        if "model" not in fields or "messages" not in fields:
            note = "the request has no model or messages to count"
            return TokenCount(estimate_input_tokens(request), exact=False, source="estimate", note=note)
        with key_lock:
            with self._lock:
                cached = self._counts.get(key)
            if cached is not None:
                return cached  # counted by another thread while this one waited
            return self._count_now(key, fields, request)

    def _count_now(self, key: str, fields: dict, request: dict) -> TokenCount:
        """One count_tokens call; caches exact counts and estimates for permanent failures."""
        import anthropic  # loaded already: the caller holds a client
        import httpx2

        try:
            with self._lock:
                self.calls += 1
            answer = self.client.messages.count_tokens(**fields)
        except (anthropic.APIError, httpx2.HTTPError) as error:
            note = f"count_tokens failed: {describe_api_error(error)}"
            permanent = _failure_is_permanent(error)
            estimate = TokenCount(estimate_input_tokens(request), exact=False, source="estimate", note=note,
                                  refusal=_api_reason(error) if permanent else None)
            if permanent:
                with self._lock:
                    self._counts[key] = estimate
            return estimate
        result = TokenCount(answer.input_tokens, exact=True, source="count_tokens", note=None)
        with self._lock:
            self._counts[key] = result
        return result


def count_refusal(request: dict) -> Problem | None:
    """The first problem the rule book finds in the fields count_tokens takes (it would refuse them too)."""
    for problem in preflight.check(count_relevant_fields(request), None).errors:
        field = problem.path.removeprefix("$.").split(".")[0].split("[")[0]
        if field in COUNT_FIELDS:
            return problem
    return None


def count_for_preview(counter: TokenCounter | None, request: dict, values: dict[str, str], *, live: bool,
                      unavailable_reason: str | None = None) -> tuple[TokenCount, list[str]]:
    """Input tokens of the request as it would be sent (variables filled), and the variables still unfilled.

    count_tokens is asked only when it can answer: live counting on, a counter (a backend) at hand, and
    nothing the rule book says it would refuse (an empty turn, a bad tool); otherwise the labelled estimate says why. `unavailable_reason` says why `counter`
    is None (e.g. the backend's configuration problem).
    """
    names = find_variables(request)
    filled = filled_values(values, names)
    missing = [name for name in names if name not in filled]
    # Unfilled variables are counted as written; the caller's label says so.
    to_count = substitute(request, {**{name: "{{" + name + "}}" for name in missing}, **filled})
    refused = count_refusal(to_count)
    if refused is not None:
        # The rule book already knows count_tokens would refuse this: don't spend a call to hear it.
        note = f"{refused.message.rstrip('.')}, then the count is exact"
    elif not live:
        note = "live count is off"
    elif counter is None:
        note = unavailable_reason or "no API backend to count with"
    else:
        # TokenCounter caches by request hash: an unchanged request is never counted twice.
        return counter.count(to_count), missing
    return TokenCount(estimate_input_tokens(to_count), exact=False, source="estimate", note=note), missing
