"""Deterministic replies: the same request (and --seed) always gets the same content.

What the simulator says, and when (the rules tests and users can rely on):
- Text starts "[Simulated reply from MODEL]", quotes the start of the last user message, then
  adds stock sentences (each containing "the" and "and") up to 40-200 tokens.
- The reply depends on the request minus `stream`, `max_tokens` and `stop_sequences`, so those
  only cut the same reply short (stop_reason "max_tokens" / "stop_sequence").
- Tools: tool_choice `none` never calls a tool; `any` and `tool` always do (no text before the
  call); `auto` (the default when tools are given) calls the first tool whose name (or name with
  `_`/`-` read as spaces) or any 6+ letter word of whose description appears in the last user
  message, after one sentence of text. A last user message with `tool_result` blocks gets a
  text reply quoting the result (auto never calls a tool again then).
- `output_config.format` json_schema: the text is JSON valid against the schema.
- Thinking: `enabled` always thinks (within budget_tokens); `adaptive` / `between_tools`, and
  models that cannot disable thinking when `thinking` is omitted, think when the last user
  message contains "?" or the prompt is longer than ADAPTIVE_THINKING_MIN_CHARS characters.
  Thinking comes first, counts in output_tokens, and has a signature.
"""
from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from dataclasses import dataclass

from . import catalog
from .schema_values import generate_value
from .tokenizer import block_text, canonical_json, text_tokens

REPLY_TOKENS_RANGE = (40, 200)
ADAPTIVE_THINKING_TOKENS_RANGE = (30, 120)
ENABLED_THINKING_TOKENS_RANGE = (60, 240)
ADAPTIVE_THINKING_MIN_CHARS = 400
TOOL_TRIGGER_MIN_WORD_LENGTH = 6
ECHO_MAX_CHARS = 60
EFFORT_THINKING_FACTOR = {"low": 0.5, "medium": 0.8, "high": 1.0, "xhigh": 1.5, "max": 2.0}
# Fields that never change what the model "says", only where it stops or how it arrives.
# diagnostics asks the API to explain a cache miss; it changes what comes back about the cache, not the answer.
_FIELDS_NOT_AFFECTING_REPLY = {"stream", "max_tokens", "stop_sequences", "diagnostics"}

SENTENCES = (
    "This is a simulated answer, and the content is generated locally.",
    "The simulator picks these sentences from a fixed list and the order depends on the request.",
    "No model was called, and the token counts follow the simulator's own rule.",
    "Use the real API to see what the model would actually say about the question.",
    "The same request always gets the same reply, and that makes tests repeatable.",
    "Latency, usage and the stream events follow the shape of the real API.",
    "Think of the text as a placeholder and check the structure around it.",
    "The answer would normally address the prompt in detail and with care.",
    "Here the words are only filler, and the numbers are what matter.",
    "A change to the prompt gives a different reply, and the same prompt gives the same one.",
    "The simulator honours max_tokens and stop sequences just like the service.",
    "Every part of the reply is deterministic, from the first word to the last.",
    "Tools, thinking and structured output are simulated in the same spirit.",
    "In a real run the model would reason about the details and the context.",
)
THINKING_SENTENCES = (
    "Let me consider what the user is asking and what the best answer is.",
    "The request has a few parts, and I should handle them in order.",
    "I will check the constraints and the format before I answer.",
    "There may be an edge case here, and the answer should mention it.",
    "The simplest reading of the question is probably the right one.",
    "I should keep the answer short and focused on the main point.",
)


@dataclass
class ReplyPlan:
    """The finished reply: content blocks (API JSON), why it stopped, and output tokens."""

    content: list[dict]
    stop_reason: str
    stop_sequence: str | None
    output_tokens: int
    seed: int  # the request's deterministic seed, reused for latency jitter


@dataclass
class _Block:
    content: dict
    tokens: int


def reply_seed(request: dict, seed: int) -> int:
    """Deterministic seed from the request (minus stream/max_tokens/stop_sequences) and --seed."""
    relevant = {key: value for key, value in request.items() if key not in _FIELDS_NOT_AFFECTING_REPLY}
    digest = hashlib.sha256(f"{canonical_json(relevant)}|seed={seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def plan_reply(request: dict, model: dict, seed: int) -> ReplyPlan:
    """Generate the whole reply, then apply stop_sequences and max_tokens."""
    base = reply_seed(request, seed)
    model_id = model["id"]
    blocks: list[_Block] = []
    thinking = _thinking_block(request, model, random.Random(f"{base}:thinking"))
    if thinking:
        blocks.append(thinking)
    blocks.extend(_answer_blocks(request, model_id, base))
    kept, stop_reason, stop_sequence = _cut(blocks, request, model_id)
    output_tokens = sum(block.tokens for block in kept)
    if request.get("max_tokens", 1) > 0:
        output_tokens = max(1, output_tokens)  # the API never reports 0 output tokens for a reply
    return ReplyPlan([block.content for block in kept], stop_reason, stop_sequence, output_tokens, base)


# --- what the last user turn says ---------------------------------------------------------

def _last_user_blocks(request: dict) -> list:
    for message in reversed(request.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            return [content] if isinstance(content, str) else list(content or [])
    return []


def _last_user_text(request: dict) -> str:
    return " ".join(
        block if isinstance(block, str) else block.get("text", "")
        for block in _last_user_blocks(request)
        if isinstance(block, str) or block.get("type") == "text"
    ).strip()


def _excerpt(text: str, limit: int = ECHO_MAX_CHARS) -> str:
    """The start of a text on one line, cut at a word boundary, with an ellipsis if cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut + "..."


def _prompt_chars(request: dict) -> int:
    system = request.get("system")
    chars = len(system) if isinstance(system, str) else sum(len(block_text(b)) for b in system or [])
    for message in request.get("messages") or []:
        content = message.get("content")
        chars += len(content) if isinstance(content, str) else sum(len(block_text(b)) for b in content or [])
    return chars


# --- thinking ------------------------------------------------------------------------------

def _thinking_mode(request: dict, model: dict) -> str | None:
    config = request.get("thinking")
    kind = config.get("type") if isinstance(config, dict) else None
    if kind is None:
        return "adaptive" if catalog.thinks_by_default(model) else None
    if kind == "disabled":
        return None
    return "enabled" if kind == "enabled" else "adaptive"


def _thinking_block(request: dict, model: dict, rng: random.Random) -> _Block | None:
    mode = _thinking_mode(request, model)
    if mode is None:
        return None
    config = request.get("thinking") if isinstance(request.get("thinking"), dict) else {}
    if mode == "enabled":
        target = min(config["budget_tokens"], rng.randint(*ENABLED_THINKING_TOKENS_RANGE))
    else:
        if "?" not in _last_user_text(request) and _prompt_chars(request) <= ADAPTIVE_THINKING_MIN_CHARS:
            return None
        effort = (request.get("output_config") or {}).get("effort") or "high"
        target = max(10, round(rng.randint(*ADAPTIVE_THINKING_TOKENS_RANGE) * EFFORT_THINKING_FACTOR.get(effort, 1.0)))
    lead = f'[Simulated thinking of {model["id"]}] The request says: "{_excerpt(_last_user_text(request))}".'
    text = _fill(lead, THINKING_SENTENCES, target, model["id"], rng)
    if mode == "enabled":  # whole sentences, but never past the budget
        text = _truncate_to_tokens(text, config["budget_tokens"], model["id"])
    signature = base64.b64encode(hashlib.sha512(f"simulated-signature|{text}".encode()).digest()).decode()
    shown = "" if config.get("display") == "omitted" else text
    return _Block({"type": "thinking", "thinking": shown, "signature": signature}, text_tokens(text, model["id"]))


# --- the answer ----------------------------------------------------------------------------

def _answer_blocks(request: dict, model_id: str, base: int) -> list[_Block]:
    rng = random.Random(f"{base}:answer")
    tool = _tool_to_call(request, random.Random(f"{base}:tool"))
    header = f"[Simulated reply from {model_id}]"
    if tool is not None:
        blocks = []
        if not _tool_choice_forced(request):
            blocks.append(_text_block(f"{header} I will call the {tool['name']} tool.", model_id))
        return blocks + [_tool_use_block(tool, base, model_id)]
    output_format = (request.get("output_config") or {}).get("format")
    if isinstance(output_format, dict) and isinstance(output_format.get("schema"), dict):
        value = generate_value(output_format["schema"], random.Random(f"{base}:json"), name="result")
        return [_text_block(json.dumps(value, ensure_ascii=False), model_id)]
    results = [b for b in _last_user_blocks(request) if isinstance(b, dict) and b.get("type") == "tool_result"]
    if results:
        quoted = _excerpt(block_text(results[0]) or "(empty)", 80)
        lead = f'{header} The tool result says: "{quoted}".'
    else:
        lead = f'{header} You wrote: "{_excerpt(_last_user_text(request)) or "(no text)"}".'
    target = rng.randint(*REPLY_TOKENS_RANGE)
    return [_text_block(_fill(lead, SENTENCES, target, model_id, rng), model_id)]


def _text_block(text: str, model_id: str) -> _Block:
    return _Block({"type": "text", "text": text}, text_tokens(text, model_id))


def _tool_use_block(tool: dict, base: int, model_id: str) -> _Block:
    tool_input = generate_value(tool["input_schema"], random.Random(f"{base}:input:{tool['name']}"), name="input")
    if not isinstance(tool_input, dict):
        tool_input = {}
    tool_id = "toolu_sim_" + hashlib.sha256(f"{base}:{tool['name']}".encode()).hexdigest()[:24]
    tokens = text_tokens(tool["name"] + canonical_json(tool_input), model_id)
    return _Block({"type": "tool_use", "id": tool_id, "name": tool["name"], "input": tool_input}, tokens)


def _fill(lead: str, bank: tuple[str, ...], target_tokens: int, model_id: str, rng: random.Random) -> str:
    """Lead sentence plus stock sentences until the text reaches target_tokens."""
    parts = [lead]
    while text_tokens(" ".join(parts), model_id) < target_tokens:
        parts.append(rng.choice(bank))
    return " ".join(parts)


# --- tools ---------------------------------------------------------------------------------

def _custom_tools(request: dict) -> list[dict]:
    return [tool for tool in request.get("tools") or [] if isinstance(tool.get("input_schema"), dict)]


def _tool_choice_forced(request: dict) -> bool:
    return (request.get("tool_choice") or {}).get("type") in ("any", "tool")


def _mentions_tool(text: str, tool: dict) -> bool:
    """The documented auto rule: the tool's name, or a 6+ letter word of its description, appears."""
    lowered = text.lower()
    name = tool["name"].lower()
    if name in lowered or re.sub(r"[_-]+", " ", name) in lowered:
        return True
    words = set(re.findall(rf"[a-z]{{{TOOL_TRIGGER_MIN_WORD_LENGTH},}}", str(tool.get("description", "")).lower()))
    said = set(re.findall(r"[a-z]+", lowered))
    return bool(words & said)


def _tool_to_call(request: dict, rng: random.Random) -> dict | None:
    tools = _custom_tools(request)
    choice = request.get("tool_choice") or {"type": "auto"}
    if not tools or choice.get("type") == "none":
        return None
    if choice.get("type") == "tool":
        return next((tool for tool in tools if tool["name"] == choice.get("name")), None)
    text = _last_user_text(request)
    mentioned = next((tool for tool in tools if _mentions_tool(text, tool)), None)
    if choice.get("type") == "any":
        return mentioned or rng.choice(tools)
    answering_result = any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in _last_user_blocks(request)
    )
    return None if answering_result else mentioned


# --- stopping ------------------------------------------------------------------------------

def _cut(blocks: list[_Block], request: dict, model_id: str) -> tuple[list[_Block], str, str | None]:
    """Apply stop_sequences to text, then the max_tokens budget, in generation order."""
    stop_sequences = [s for s in request.get("stop_sequences") or [] if s]
    stop_reason = "tool_use" if any(b.content["type"] == "tool_use" for b in blocks) else "end_turn"
    stop_sequence = None
    for index, block in enumerate(blocks):
        if block.content["type"] != "text":
            continue
        text = block.content["text"]
        hits = [(text.find(s), s) for s in stop_sequences if s in text]
        if hits:
            position, stop_sequence = min(hits)
            # Text before the stop sequence; nothing at all if it stopped right at the start.
            blocks = blocks[:index] + ([_text_block(text[:position], model_id)] if position else [])
            stop_reason = "stop_sequence"
            break
    budget = max(0, int(request.get("max_tokens", 0)))
    kept: list[_Block] = []
    for block in blocks:
        if block.tokens <= budget:
            kept.append(block)
            budget -= block.tokens
            continue
        shortened = _shorten(block, budget, model_id)
        if shortened is not None:
            kept.append(shortened)
        return kept, "max_tokens", None
    return kept, stop_reason, stop_sequence


def _shorten(block: _Block, budget: int, model_id: str) -> _Block | None:
    """The block cut to `budget` tokens; a tool call that does not fit is dropped."""
    kind = block.content["type"]
    if budget <= 0 or kind == "tool_use":
        return None
    if kind == "text":
        return _text_block(_truncate_to_tokens(block.content["text"], budget, model_id), model_id)
    thinking = dict(block.content)
    if thinking["thinking"]:
        thinking["thinking"] = _truncate_to_tokens(thinking["thinking"], budget, model_id)
        return _Block(thinking, text_tokens(thinking["thinking"], model_id))
    return _Block(thinking, budget)


def _truncate_to_tokens(text: str, budget: int, model_id: str) -> str:
    """The longest prefix of text that costs at most `budget` tokens."""
    if text_tokens(text, model_id) <= budget:
        return text
    ratio = catalog.tokenizer_ratio(model_id)
    end = int(budget * 4 / ratio)
    while end > 0 and text_tokens(text[:end], model_id) > budget:
        end -= 1
    return text[:end]
