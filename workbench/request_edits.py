"""Pure edits of a Messages API request body, the ones the editor's form makes (no streamlit here).

Every function takes a request dict and returns a new one; the input is never changed, so a
page can hand the result to `PromptSpec.with_request` / `dataclasses.replace` and keep the old
spec intact when something goes wrong.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Union

from workbench.preflight import credential_headers, model_options

ROLES = ("user", "assistant")
CACHE_TTLS = ("5m", "1h")

# A cache breakpoint can sit on the system prompt, on the tool list, or on message number N.
CacheTarget = Union[str, int]


# --- text of the system prompt and of turns ------------------------------------------------

def system_text(request: dict) -> str:
    """The system prompt's text as the form edits it (the first text block when it is a list)."""
    system = request.get("system")
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        for block in system:
            if isinstance(block, dict) and block.get("type") == "text":
                return block.get("text", "")
    return ""


def extra_system_blocks(request: dict) -> int:
    """How many system text blocks the form does not show (edited only in the raw JSON)."""
    system = request.get("system")
    return max(0, len(system) - 1) if isinstance(system, list) else 0


def set_system_text(request: dict, text: str) -> dict:
    """Replace the system prompt's text; an empty text removes the system prompt (and its breakpoint)."""
    edited = copy.deepcopy(request)
    system = edited.get("system")
    if isinstance(system, list) and len(system) > 1:
        system[0]["text"] = text  # other blocks are kept exactly as they are
        return edited
    if not text:
        edited.pop("system", None)
        return edited
    ttl = cache_ttl(request, "system")
    edited["system"] = text
    return set_cache_ttl(edited, "system", ttl) if ttl else edited


def message_text(message: dict) -> str:
    """A turn's text as the form edits it: the string content, or its first text block."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            return block.get("text", "")
    return ""


def other_blocks(message: dict) -> list[dict]:
    """A turn's blocks that are not its editable text (tool_use, tool_result, thinking, images...)."""
    content = message.get("content")
    if not isinstance(content, list):
        return []
    text_seen = False
    others = []
    for block in content:
        if isinstance(block, dict) and block.get("type") == "text" and not text_seen:
            text_seen = True
            continue
        others.append(block)
    return others


def set_message_text(request: dict, index: int, text: str) -> dict:
    """Replace turn `index`'s text, keeping its other blocks and its cache breakpoint."""
    edited = copy.deepcopy(request)
    message = edited["messages"][index]
    content = message.get("content")
    if isinstance(content, str):
        message["content"] = text
        return edited
    blocks = list(content or [])
    text_at = next((i for i, block in enumerate(blocks)
                    if isinstance(block, dict) and block.get("type") == "text"), None)
    if text_at is None:
        if text:
            blocks.append({"type": "text", "text": text})
    elif text or len(blocks) == 1:
        blocks[text_at]["text"] = text
    else:
        # The API rejects empty text blocks; the turn still has its other blocks.
        breakpoint_ = blocks[text_at].get("cache_control")
        del blocks[text_at]
        if breakpoint_ and "cache_control" not in blocks[-1]:
            blocks[-1]["cache_control"] = breakpoint_
    message["content"] = blocks
    edited["messages"][index] = _collapse_plain_text(message)
    return edited


def set_message_role(request: dict, index: int, role: str) -> dict:
    """Change turn `index`'s role (user or assistant)."""
    if role not in ROLES:
        raise ValueError(f"role must be user or assistant, got {role!r}")
    edited = copy.deepcopy(request)
    edited["messages"][index]["role"] = role
    return edited


def add_message(request: dict, role: str | None = None, text: str = "") -> dict:
    """Append a turn; by default with the role that alternates with the last one."""
    edited = copy.deepcopy(request)
    messages = edited.setdefault("messages", [])
    if role is None:
        role = "assistant" if messages and messages[-1].get("role") == "user" else "user"
    messages.append({"role": role, "content": text})
    return edited


def remove_message(request: dict, index: int) -> dict:
    """Remove turn `index`; the last remaining turn is emptied instead (a request needs one)."""
    edited = copy.deepcopy(request)
    messages = edited["messages"]
    if len(messages) == 1:
        messages[0] = {"role": "user", "content": ""}
    else:
        del messages[index]
    return edited


def move_message(request: dict, index: int, offset: int) -> dict:
    """Move turn `index` up (offset -1) or down (+1); a move past either end changes nothing."""
    edited = copy.deepcopy(request)
    messages = edited["messages"]
    target = index + offset
    if 0 <= index < len(messages) and 0 <= target < len(messages):
        messages[index], messages[target] = messages[target], messages[index]
    return edited


# --- prompt caching -----------------------------------------------------------------------

def cache_control_for(ttl: str) -> dict:
    """The cache_control object for a TTL; 5m is the API's default, so it carries no ttl field."""
    if ttl not in CACHE_TTLS:
        raise ValueError(f"cache TTL must be one of {', '.join(CACHE_TTLS)}, got {ttl!r}")
    return {"type": "ephemeral"} if ttl == "5m" else {"type": "ephemeral", "ttl": ttl}


def cache_ttl(request: dict, target: CacheTarget) -> str | None:
    """The TTL of the breakpoint on the target's last block ("5m", "1h"), or None without one."""
    blocks = _target_blocks(request, target)
    if not blocks or not isinstance(blocks[-1], dict):
        return None
    control = blocks[-1].get("cache_control")
    if not isinstance(control, dict):
        return None
    return control.get("ttl") or "5m"


def set_cache_ttl(request: dict, target: CacheTarget, ttl: str | None) -> dict:
    """Put (or with None remove) a cache breakpoint on the last block of the system prompt, tools or a turn."""
    edited = copy.deepcopy(request)
    if target == "system":
        system = edited.get("system")
        if not system:
            return edited
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        _set_last_control(system, ttl)
        edited["system"] = _collapse_system(system)
    elif target == "tools":
        tools = edited.get("tools")
        if tools:
            _set_last_control(tools, ttl)
    else:
        message = edited["messages"][target]
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if content:
            _set_last_control(content, ttl)
        message["content"] = content
        edited["messages"][target] = _collapse_plain_text(message)
    return edited


# --- settings -------------------------------------------------------------------------------

def stop_sequences_from_text(text: str) -> list[str]:
    """One stop sequence per line; blank lines ignored (a stop sequence must not be empty)."""
    return [line for line in text.splitlines() if line.strip()]


def set_stop_sequences(request: dict, stops: list[str]) -> dict:
    """Set stop_sequences; an empty list removes the key."""
    edited = copy.deepcopy(request)
    if stops:
        edited["stop_sequences"] = list(stops)
    else:
        edited.pop("stop_sequences", None)
    return edited


def thinking_type(request: dict) -> str | None:
    """The thinking type the request asks for, or None when it leaves it to the model."""
    thinking = request.get("thinking")
    return thinking.get("type") if isinstance(thinking, dict) else None


def set_thinking(request: dict, kind: str | None, budget_tokens: int | None = None) -> dict:
    """Set thinking to {"type": kind} (with budget_tokens for "enabled"); None removes the key.

    Without a budget, "enabled" keeps the previous one or takes the rule book's default for max_tokens.
    """
    edited = copy.deepcopy(request)
    if kind is None:
        edited.pop("thinking", None)
        return edited
    thinking: dict = {"type": kind}
    if kind == "enabled":
        previous = request.get("thinking") or {}
        thinking["budget_tokens"] = int(budget_tokens or previous.get("budget_tokens")
                                        or model_options(None).thinking_budget_default(int(request.get("max_tokens", 0))))
    edited["thinking"] = thinking
    return edited


def effort_level(request: dict) -> str | None:
    """output_config.effort, or None when the model's default is used."""
    config = request.get("output_config")
    return config.get("effort") if isinstance(config, dict) else None


def set_effort(request: dict, level: str | None) -> dict:
    """Set output_config.effort; None removes it (and output_config when it is left empty)."""
    return _set_output_config(request, "effort", level)


def output_schema(request: dict) -> dict | None:
    """The JSON schema of output_config.format, or None without structured output."""
    config = request.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return fmt.get("schema")
    return None


def set_output_schema(request: dict, schema: dict | None) -> dict:
    """Ask for JSON output matching `schema` (output_config.format); None removes it."""
    value = None if schema is None else {"type": "json_schema", "schema": copy.deepcopy(schema)}
    return _set_output_config(request, "format", value)


def set_max_tokens(request: dict, max_tokens: int) -> dict:
    """Set max_tokens."""
    edited = copy.deepcopy(request)
    edited["max_tokens"] = int(max_tokens)
    return edited


def adapt_to_model(request: dict, entry) -> tuple[dict, list[str]]:
    """Switch `request` to model `entry` (a ModelEntry), dropping what that model would reject.

    Returns the new request and one sentence per change, so the page can say what it did.
    """
    options = model_options(entry)
    edited = copy.deepcopy(request)
    edited["model"] = entry.id
    changes: list[str] = []
    name = options.display_name
    max_tokens = int(edited.get("max_tokens", 0))
    if options.clamp_max_tokens(max_tokens) < max_tokens:
        edited["max_tokens"] = options.clamp_max_tokens(max_tokens)
        changes.append(f"max_tokens lowered to {edited['max_tokens']:,}, the most {name} can write.")
    kind = thinking_type(edited)
    if kind is not None and kind not in options.thinking_types:
        edited = set_thinking(edited, None)
        changes.append(f"Thinking setting \"{kind}\" removed: {name} does not accept it.")
    budget = (edited.get("thinking") or {}).get("budget_tokens")
    if isinstance(budget, int) and budget >= edited["max_tokens"]:
        edited["thinking"]["budget_tokens"] = options.thinking_budget_max(edited["max_tokens"])
    level = effort_level(edited)
    if level is not None and level not in options.effort_levels:
        edited = set_effort(edited, None)
        changes.append(f"Effort \"{level}\" removed: {name} does not support it.")
    if output_schema(edited) is not None and not options.structured_outputs:
        edited = set_output_schema(edited, None)
        changes.append(f"Structured output removed: {name} does not support it.")
    return edited, changes


# --- continuing a conversation ------------------------------------------------------------------

@dataclass(frozen=True)
class ToolResultInput:
    """What the user typed as the result of one tool call."""

    tool_use_id: str
    content: str
    is_error: bool = False


def reply_blocks(content: list[dict]) -> list[dict]:
    """A reply's content blocks as request blocks: null fields (e.g. citations) dropped."""
    cleaned = []
    for block in content:
        cleaned.append({key: value for key, value in block.items() if value is not None})
    return cleaned


def append_reply(request: dict, content: list[dict]) -> dict:
    """Append a reply (its content blocks) as an assistant turn; a plain-text reply becomes a string."""
    edited = copy.deepcopy(request)
    blocks = reply_blocks(content)
    message = _collapse_plain_text({"role": "assistant", "content": blocks})
    edited.setdefault("messages", []).append(message)
    return edited


def append_tool_results(request: dict, reply_content: list[dict], results: list[ToolResultInput]) -> dict:
    """Append the reply that asked for tools and a user turn answering every tool call."""
    edited = append_reply(request, reply_content)
    blocks = []
    for result in results:
        block = {"type": "tool_result", "tool_use_id": result.tool_use_id, "content": result.content}
        if result.is_error:
            block["is_error"] = True
        blocks.append(block)
    edited["messages"].append({"role": "user", "content": blocks})
    return edited


# --- helpers ------------------------------------------------------------------------------------

def _target_blocks(request: dict, target: CacheTarget) -> list | None:
    if target == "system":
        system = request.get("system")
        return system if isinstance(system, list) else None
    if target == "tools":
        return request.get("tools") or None
    messages = request.get("messages") or []
    if not 0 <= target < len(messages):
        return None
    content = messages[target].get("content")
    return content if isinstance(content, list) else None


def _set_last_control(blocks: list, ttl: str | None) -> None:
    if ttl is None:
        blocks[-1].pop("cache_control", None)
    else:
        blocks[-1]["cache_control"] = cache_control_for(ttl)


def _collapse_plain_text(message: dict) -> dict:
    """A turn holding one plain text block (no breakpoint) is written as a string, like people write it."""
    content = message.get("content")
    if (isinstance(content, list) and len(content) == 1 and isinstance(content[0], dict)
            and set(content[0]) == {"type", "text"} and content[0]["type"] == "text"):
        message["content"] = content[0]["text"]
    return message


def _collapse_system(system: list) -> list | str:
    if len(system) == 1 and set(system[0]) == {"type", "text"}:
        return system[0]["text"]
    return system


def _set_output_config(request: dict, key: str, value) -> dict:
    edited = copy.deepcopy(request)
    config = dict(edited.get("output_config") or {})
    if value is None:
        config.pop(key, None)
    else:
        config[key] = value
    if config:
        edited["output_config"] = config
    else:
        edited.pop("output_config", None)
    return edited


# --- extra headers (typed in the Editor; the rule book refuses credentials) --------------------

class CredentialHeaderError(ValueError):
    """Extra headers that carry a credential; the typed text should be thrown away, not kept."""


def parse_extra_headers(text: str) -> dict[str, str]:
    """Extra HTTP headers typed as a JSON object; raises ValueError with a sentence saying what to fix."""
    if not text.strip():
        return {}
    try:
        headers = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"Not valid JSON: {error.msg} (column {error.colno}).") from None
    if not isinstance(headers, dict) or not all(isinstance(value, str) for value in headers.values()):
        raise ValueError('Give a JSON object of header name → text, e.g. {"anthropic-beta": "..."}.')
    credentials = credential_headers(headers)
    if credentials:
        raise CredentialHeaderError(f"Don't put credentials in headers ({', '.join(credentials)}): set ANTHROPIC_API_KEY "
                         "in the environment, a .env file or Streamlit secrets.")
    return headers


def set_sampling(request: dict, name: str, value: float | int | None) -> dict:
    """Set a sampling parameter (temperature, top_p, top_k) as a top-level body field; None removes it.
    The SDK 2.x has no argument for them: the runner sends them through extra_body."""
    updated = copy.deepcopy(request)
    if value is None:
        updated.pop(name, None)
    else:
        updated[name] = int(value) if name == "top_k" else float(value)
    return updated
