"""The Messages streaming event sequence for a finished message, and its wire format."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator

WORDS_PER_TEXT_DELTA = 3
CHARS_PER_JSON_DELTA = 16
PING_EVERY_DELTAS = 20  # besides the ping right after the first content_block_start


@dataclass(frozen=True)
class StreamEvent:
    """One SSE event, with how many output tokens it carries (for pacing)."""

    name: str
    data: dict
    tokens: float = 0.0

    def encode(self) -> bytes:
        """`event: NAME` + `data: JSON` (compact, on one line) + blank line, as the API sends them."""
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"event: {self.name}\ndata: {data}\n\n".encode()


def text_pieces(text: str) -> list[str]:
    """Text cut into small deltas of a few words each (whitespace kept, so pieces join back exactly)."""
    words = re.findall(r"\s*\S+\s*", text) or ([text] if text else [])
    return ["".join(words[i : i + WORDS_PER_TEXT_DELTA]) for i in range(0, len(words), WORDS_PER_TEXT_DELTA)]


def json_pieces(value: object) -> list[str]:
    """Tool input JSON cut into partial_json chunks; the API starts with an empty one."""
    encoded = json.dumps(value, ensure_ascii=False)
    return [""] + [encoded[i : i + CHARS_PER_JSON_DELTA] for i in range(0, len(encoded), CHARS_PER_JSON_DELTA)]


def message_events(message: dict, start_usage: dict) -> Iterator[StreamEvent]:
    """message_start, per-block start/deltas/stop, message_delta, message_stop, and pings."""
    opening = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    yield StreamEvent("message_start", {"type": "message_start", "message": opening})
    if not message["content"]:
        # The API pings right after the first content_block_start; a reply with no blocks at all
        # (max_tokens 0, a stop sequence at the very start) still gets its ping.
        yield StreamEvent("ping", {"type": "ping"})
    deltas_sent = 0
    for index, block in enumerate(message["content"]):
        yield StreamEvent("content_block_start", {"type": "content_block_start", "index": index,
                                                  "content_block": _empty_block(block)})
        if index == 0:
            yield StreamEvent("ping", {"type": "ping"})
        pieces = list(_block_deltas(block))
        total_tokens = _block_tokens_share(message, block)
        for delta in pieces:
            share = total_tokens / max(1, len(pieces))
            yield StreamEvent("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}, share)
            deltas_sent += 1
            if deltas_sent % PING_EVERY_DELTAS == 0:
                yield StreamEvent("ping", {"type": "ping"})
        yield StreamEvent("content_block_stop", {"type": "content_block_stop", "index": index})
    usage = message["usage"]
    final_usage = {key: usage[key] for key in ("input_tokens", "cache_creation_input_tokens",
                                               "cache_read_input_tokens", "output_tokens") if key in usage}
    yield StreamEvent("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"],
                  "stop_details": None},
        "usage": final_usage,
    })
    yield StreamEvent("message_stop", {"type": "message_stop"})


def _empty_block(block: dict) -> dict:
    """A block as content_block_start announces it: same shape, content still empty."""
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "text": ""}
    if kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if kind == "tool_use":
        return {**block, "input": {}}
    return block


def _block_deltas(block: dict) -> Iterator[dict]:
    kind = block["type"]
    if kind == "text":
        for piece in text_pieces(block["text"]):
            yield {"type": "text_delta", "text": piece}
    elif kind == "thinking":
        for piece in text_pieces(block["thinking"]):
            yield {"type": "thinking_delta", "thinking": piece}
        yield {"type": "signature_delta", "signature": block["signature"]}
    elif kind == "tool_use":
        for piece in json_pieces(block["input"]):
            yield {"type": "input_json_delta", "partial_json": piece}


def _block_tokens_share(message: dict, block: dict) -> float:
    """Pacing weight of a block: its share of output_tokens by characters (close enough for timing)."""
    sizes = [_block_chars(b) for b in message["content"]]
    total = sum(sizes) or 1
    return message["usage"]["output_tokens"] * _block_chars(block) / total


def _block_chars(block: dict) -> int:
    if block["type"] == "text":
        return len(block["text"])
    if block["type"] == "thinking":
        return max(len(block["thinking"]), 1)
    return len(json.dumps(block.get("input", {})))
