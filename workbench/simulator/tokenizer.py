"""The one token counter: count_tokens and usage.input_tokens both come from request_segments().

Rule (documented, deliberately simple): a piece of text costs ceil(chars / 4 * ratio) tokens,
where ratio is 1.3 for models on the `newer_tokenizer` quirk list and 1.0 otherwise. A request
costs REQUEST_OVERHEAD_TOKENS, plus MESSAGE_OVERHEAD_TOKENS per message, plus every piece of
text in it: each tool definition (as compact JSON without cache_control), each system block,
each message content block (text, tool_use name + input JSON, tool_result contents), and the
output_config.format schema JSON. Images and base64 documents cost a flat IMAGE_TOKENS.
Thinking blocks from earlier turns cost nothing (the API strips them from the context).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from .catalog import tokenizer_ratio

CHARS_PER_TOKEN = 4
REQUEST_OVERHEAD_TOKENS = 3
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 1600
_UNCOUNTED_BLOCKS = {"thinking", "redacted_thinking"}


@dataclass(frozen=True)
class Segment:
    """One countable piece of a request, in the order the prompt cache sees it (tools, system, messages)."""

    key: str  # canonical text identifying the piece, for prefix hashing
    tokens: int
    cache_control: dict | None = None
    cacheable: bool = False  # whether the API lets a cache breakpoint sit here


def canonical_json(value: object) -> str:
    """Stable compact JSON used for hashing and for counting JSON text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text_tokens(text: str, model_id: str) -> int:
    """Tokens for a piece of text on this model: ceil(chars/4 x tokenizer ratio)."""
    if not text:
        return 0
    return math.ceil(len(text) * tokenizer_ratio(model_id) / CHARS_PER_TOKEN)


def _without_cache_control(block: dict) -> dict:
    return {key: value for key, value in block.items() if key != "cache_control"}


def block_text(block: object) -> str:
    """The countable text of one content block (also used to echo and quote user text)."""
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in _UNCOUNTED_BLOCKS:
        return ""
    if kind in ("tool_use", "server_tool_use"):
        return str(block.get("name", "")) + canonical_json(block.get("input", {}))
    if kind == "tool_result":
        content = block.get("content", "")
        if isinstance(content, list):
            return "".join(block_text(part) for part in content)
        return str(content)
    if kind == "document":
        source = block.get("source") or {}
        if source.get("type") == "text":
            return str(source.get("data", ""))
    return canonical_json(_without_cache_control(block))


def block_tokens(block: object, model_id: str) -> int:
    """Tokens for one content block; images and binary documents cost a flat amount."""
    if isinstance(block, dict):
        kind = block.get("type")
        source = block.get("source") or {}
        if kind == "image" or (kind == "document" and source.get("type") != "text"):
            return IMAGE_TOKENS
    return text_tokens(block_text(block), model_id)


def request_segments(request: dict) -> list[Segment]:
    """The request cut into countable pieces, in prompt-cache order: tools, system, messages."""
    model_id = str(request.get("model", ""))
    segments = [Segment("request", REQUEST_OVERHEAD_TOKENS)]
    for tool in request.get("tools") or []:
        if isinstance(tool, dict):
            definition = canonical_json(_without_cache_control(tool))
            segments.append(Segment(definition, text_tokens(definition, model_id), tool.get("cache_control"), True))
    system = request.get("system")
    if isinstance(system, str) and system:
        segments.append(Segment(canonical_json(system), text_tokens(system, model_id), None, True))
    elif isinstance(system, list):
        for block in system:
            if isinstance(block, dict):
                segments.append(_block_segment(block, model_id))
    for message in request.get("messages") or []:
        if not isinstance(message, dict):
            continue
        segments.append(Segment(f"role:{message.get('role')}", MESSAGE_OVERHEAD_TOKENS))
        content = message.get("content")
        if isinstance(content, str):
            # A string is shorthand for one text block, so a breakpoint may land on it.
            segments.append(Segment(canonical_json(content), text_tokens(content, model_id), None, True))
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    segments.append(_block_segment(block, model_id))
    schema = ((request.get("output_config") or {}).get("format") or {}).get("schema")
    if schema is not None:
        schema_json = canonical_json(schema)
        segments.append(Segment("format:" + schema_json, text_tokens(schema_json, model_id)))
    return segments


def _block_segment(block: dict, model_id: str) -> Segment:
    cacheable = block.get("type") not in _UNCOUNTED_BLOCKS
    return Segment(
        canonical_json(_without_cache_control(block)),
        block_tokens(block, model_id),
        block.get("cache_control") if cacheable else None,
        cacheable,
    )


def count_input_tokens(request: dict) -> int:
    """Total input tokens of a request: the number count_tokens returns and usage adds up to."""
    return sum(segment.tokens for segment in request_segments(request))
