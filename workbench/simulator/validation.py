"""The documented 400s (and 404s) of POST /v1/messages and /v1/messages/count_tokens, per model."""
from __future__ import annotations

import re

from . import catalog
from .cache import MAX_BREAKPOINTS, TTL_SECONDS, breakpoints
from .content_blocks import check_block
from .errors import invalid_request
from .schema_rules import check_json_schema, check_structured_schema
from .tokenizer import count_input_tokens, request_segments

# Top-level fields the API knows; anything else is "Extra inputs are not permitted", as the API says.
KNOWN_FIELDS = {
    "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
    "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "output_config",
    "cache_control", "container", "diagnostics", "inference_geo", "service_tier", "speed",
    "mcp_servers", "context_management", "user_profile_id", "workspace_id", "output_format",
}
COUNT_TOKENS_EXCLUDED = {"max_tokens", "stream", "stop_sequences", "metadata", "temperature", "top_p", "top_k",
                         "service_tier", "container", "inference_geo", "user_profile_id", "workspace_id"}
MIN_THINKING_BUDGET = 1024
TOOL_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # the tool-use docs' pattern
TOOL_CHOICE_TYPES = {"auto", "any", "tool", "none"}
FORCED_TOOL_CHOICES = {"any", "tool"}
DEFAULT_TEMPERATURE = 1.0


def validate_message_request(body: object) -> dict:
    """Check a POST /v1/messages body; returns the model's catalog entry or raises ApiError."""
    request = _require_object(body)
    _reject_unknown_fields(request, KNOWN_FIELDS)
    if "max_tokens" not in request:
        raise invalid_request("max_tokens: Field required")
    if "messages" not in request:
        raise invalid_request("messages: Field required")
    model = catalog.model_for_request(request.get("model"))
    max_tokens = request["max_tokens"]
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        raise invalid_request("max_tokens: Input should be a valid integer")
    if max_tokens < 0:
        raise invalid_request("max_tokens: Input should be greater than or equal to 0")
    if model.get("max_tokens") and max_tokens > model["max_tokens"]:
        raise invalid_request(
            f"max_tokens: {max_tokens} > {model['max_tokens']}, which is the maximum allowed number of "
            f"output tokens for {model['id']}"
        )
    if "stream" in request and not isinstance(request["stream"], bool):
        raise invalid_request("stream: Input should be a valid boolean")
    _check_stop_sequences(request.get("stop_sequences"))
    _check_sampling(request, model)
    _check_common(request, model)
    return model


def validate_count_tokens_request(body: object) -> dict:
    """Check a POST /v1/messages/count_tokens body; returns the model's catalog entry."""
    request = _require_object(body)
    _reject_unknown_fields(request, KNOWN_FIELDS - COUNT_TOKENS_EXCLUDED)
    if "messages" not in request:
        raise invalid_request("messages: Field required")
    model = catalog.model_for_request(request.get("model"))
    _check_common(request, model)
    return model


def _require_object(body: object) -> dict:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object")
    return body


def _reject_unknown_fields(request: dict, known: set[str]) -> None:
    for key in request:
        if key not in known:
            raise invalid_request(f"{key}: Extra inputs are not permitted")


def _check_common(request: dict, model: dict) -> None:
    """Checks shared by messages and count_tokens."""
    _check_messages(request.get("messages"), model)
    _check_system(request.get("system"))
    tool_names = _check_tools(request.get("tools"))
    _check_tool_choice(request, model, tool_names)
    _check_thinking(request, model)
    _check_output_config(request.get("output_config"), model)
    _check_cache_control(request)
    total = count_input_tokens(request)
    limit = model.get("max_input_tokens")
    if limit and total > limit:
        raise invalid_request(f"prompt is too long: {total} tokens > {limit} maximum")


def _check_messages(messages: object, model: dict) -> None:
    if not isinstance(messages, list):
        raise invalid_request("messages: Input should be a valid list")
    if not messages:
        raise invalid_request("messages: at least one message is required")
    for index, message in enumerate(messages):
        where = f"messages.{index}"
        if not isinstance(message, dict):
            raise invalid_request(f"{where}: Input should be a valid dictionary")
        if message.get("role") not in ("user", "assistant"):
            raise invalid_request(f"{where}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        if isinstance(content, str):
            blocks = [{"type": "text", "text": content}]
        elif isinstance(content, list):
            blocks = content
        else:
            raise invalid_request(f"{where}.content: Input should be a valid string or list of content blocks")
        is_final = index == len(messages) - 1
        if not blocks or (isinstance(content, str) and not content and not (is_final and message["role"] == "assistant")):
            raise invalid_request(
                f"{where}: all messages must have non-empty content except for the optional final assistant message"
            )
        if isinstance(content, str) and content and not content.strip():
            raise invalid_request(f"{where}.content: text content blocks must contain non-whitespace text")
        if isinstance(content, list):
            for block_index, block in enumerate(blocks):
                check_block(block, f"{where}.content.{block_index}")
        last = blocks[-1] if blocks else None
        if (is_final and message["role"] == "assistant" and isinstance(last, dict) and last.get("type") == "text"
                and isinstance(last.get("text"), str) and last["text"] != last["text"].rstrip()):
            raise invalid_request("messages: final assistant content cannot end with trailing whitespace")
    if messages[-1].get("role") == "assistant" and catalog.has_quirk("prefill_rejected", model["id"]):
        raise invalid_request(
            "This model does not support assistant message prefill. The conversation must end with a user message."
        )
    _check_tool_pairs(messages)


def _merged_turns(messages: list) -> list[tuple[str, list]]:
    """Consecutive same-role messages combined into one turn, as the API does."""
    turns: list[tuple[str, list]] = []
    for message in messages:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        if turns and turns[-1][0] == message["role"]:
            turns[-1][1].extend(blocks)
        else:
            turns.append((message["role"], blocks))
    return turns


def _check_tool_pairs(messages: list) -> None:
    """Every tool_result answers a tool_use of the turn just before; every tool_use gets its result."""
    turns = _merged_turns(messages)
    for index, (role, blocks) in enumerate(turns):
        if role == "user":
            result_ids = [b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"]
            previous = turns[index - 1][1] if index > 0 and turns[index - 1][0] == "assistant" else []
            use_ids = {b.get("id") for b in previous if b.get("type") == "tool_use"}
            unexpected = [tool_id for tool_id in result_ids if tool_id not in use_ids]
            if unexpected:
                raise invalid_request(
                    f"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{unexpected[0]}. Each `tool_result` block must have a corresponding `tool_use` block "
                    "in the previous message."
                )
        elif index + 1 < len(turns):
            use_ids = [b.get("id") for b in blocks if b.get("type") == "tool_use"]
            answered = {b.get("tool_use_id") for b in turns[index + 1][1] if b.get("type") == "tool_result"}
            missing = [tool_id for tool_id in use_ids if tool_id not in answered]
            if missing:
                raise invalid_request(
                    f"messages.{index + 1}: `tool_use` ids were found without `tool_result` blocks immediately "
                    f"after: {missing[0]}. Each `tool_use` block must have a corresponding `tool_result` block "
                    "in the next message."
                )


def _check_system(system: object) -> None:
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise invalid_request("system: Input should be a valid string or list of text blocks")
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text" or not isinstance(block.get("text"), str):
            raise invalid_request(f"system.{index}: Input should be a text block")
        if not block["text"]:
            raise invalid_request(f"system.{index}: text content blocks must be non-empty")


def _check_tools(tools: object) -> list[str]:
    """Validates tool definitions; returns the custom tools' names."""
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise invalid_request("tools: Input should be a valid list")
    names: list[str] = []
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise invalid_request(f"tools.{index}.name: Field required")
        if tool.get("type") not in (None, "custom"):
            names.append(tool["name"])  # a server tool: accepted as is
            continue
        if not TOOL_NAME_PATTERN.match(tool["name"]):
            raise invalid_request(f"tools.{index}.name: String should match pattern '{TOOL_NAME_PATTERN.pattern}'")
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            raise invalid_request(f"tools.{index}.input_schema: Field required")
        if schema.get("type") != "object":
            raise invalid_request(f"tools.{index}.input_schema.type: Input should be 'object'")
        check_json_schema(schema, f"tools.{index}.input_schema")
        if tool.get("strict"):
            check_structured_schema(schema, f"tools.{index}.input_schema")
        names.append(tool["name"])
    if len(set(names)) != len(names):
        raise invalid_request("tools: Tool names must be unique.")
    return names


def _check_tool_choice(request: dict, model: dict, tool_names: list[str]) -> None:
    choice = request.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict) or not isinstance(choice.get("type"), str) or choice["type"] not in TOOL_CHOICE_TYPES:
        raise invalid_request("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    kind = choice["type"]
    if kind in FORCED_TOOL_CHOICES and not tool_names:
        raise invalid_request(f"tool_choice: tool_choice of type '{kind}' requires tools")
    if kind == "tool" and choice.get("name") not in tool_names:
        raise invalid_request(f"tool_choice.name: no tool named {choice.get('name')!r} in tools")
    if kind in FORCED_TOOL_CHOICES and catalog.has_quirk("forced_tool_choice_rejected", model["id"]):
        raise invalid_request(
            f"tool_choice: forced tool use (type '{kind}') is not supported on {model['id']}; "
            "use tool_choice 'auto', or output_config.format for structured output"
        )
    thinking = request.get("thinking") or {}
    if kind in FORCED_TOOL_CHOICES and isinstance(thinking, dict) and thinking.get("type") == "enabled":
        raise invalid_request("Thinking may not be enabled when tool_choice forces tool use.")


def _check_thinking(request: dict, model: dict) -> None:
    thinking = request.get("thinking")
    if thinking is None:
        return
    if not isinstance(thinking, dict) or not isinstance(thinking.get("type"), str):
        raise invalid_request("thinking.type: Field required")
    kind = thinking["type"]
    accepted = catalog.thinking_types(model)
    if kind not in accepted:
        raise invalid_request(
            f"thinking.type: '{kind}' is not supported on {model['id']}"
            + (f"; accepted: {', '.join(sorted(accepted))}" if accepted else "")
        )
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise invalid_request("thinking.enabled.budget_tokens: Field required")
        if budget < MIN_THINKING_BUDGET:
            raise invalid_request(f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_THINKING_BUDGET}")
        max_tokens = request.get("max_tokens")
        if isinstance(max_tokens, int) and budget >= max_tokens:
            raise invalid_request("`max_tokens` must be greater than `thinking.budget_tokens`.")
    display = thinking.get("display")
    if display not in (None, "summarized", "omitted"):
        raise invalid_request("thinking.display: Input should be 'summarized' or 'omitted'")


def _check_output_config(config: object, model: dict) -> None:
    if config is None:
        return
    if not isinstance(config, dict):
        raise invalid_request("output_config: Input should be a valid dictionary")
    effort = config.get("effort")
    if effort is not None:
        levels = catalog.effort_levels(model)
        if not levels:
            raise invalid_request(f"output_config.effort: effort is not supported on {model['id']}")
        if not isinstance(effort, str) or effort not in levels:
            raise invalid_request(
                f"output_config.effort: '{effort}' is not supported on {model['id']}; accepted: {', '.join(sorted(levels))}"
            )
    output_format = config.get("format")
    if output_format is not None:
        if not catalog.supports_structured_outputs(model):
            raise invalid_request(f"output_config.format: structured outputs are not supported on {model['id']}")
        if not isinstance(output_format, dict) or output_format.get("type") != "json_schema":
            raise invalid_request("output_config.format.type: Input should be 'json_schema'")
        if not isinstance(output_format.get("schema"), dict):
            raise invalid_request("output_config.format.schema: Field required")
        check_json_schema(output_format["schema"], "output_config.format.schema")
        check_structured_schema(output_format["schema"], "output_config.format.schema")


def _check_sampling(request: dict, model: dict) -> None:
    for name, low, high in (("temperature", 0.0, 1.0), ("top_p", 0.0, 1.0), ("top_k", 0, None)):
        value = request.get(name)
        if value is None:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < low or (high is not None and value > high):
            raise invalid_request(f"{name}: Input should be a number in range")
    if catalog.has_quirk("sampling_parameters_rejected", model["id"]):
        changed = [name for name in ("top_p", "top_k") if request.get(name) is not None]
        if request.get("temperature") not in (None, DEFAULT_TEMPERATURE):
            changed.insert(0, "temperature")
        if changed:
            raise invalid_request(f"{changed[0]} is deprecated for this model")
    if catalog.has_quirk("sampling_pair_rejected", model["id"]) and request.get("temperature") is not None \
            and request.get("top_p") is not None:
        raise invalid_request("`temperature` and `top_p` cannot both be specified for this model")


def _check_stop_sequences(stop_sequences: object) -> None:
    if stop_sequences is None:
        return
    if not isinstance(stop_sequences, list) or not all(isinstance(item, str) for item in stop_sequences):
        raise invalid_request("stop_sequences: Input should be a valid list of strings")
    if any(not item.strip() for item in stop_sequences):
        raise invalid_request("stop_sequences: each stop sequence must contain non-whitespace")


def _check_cache_control(request: dict) -> None:
    segments = request_segments(request)
    for segment in segments:
        _check_one_cache_control(segment.cache_control)
    top_level = request.get("cache_control")
    _check_one_cache_control(top_level)
    explicit = sum(1 for segment in segments if segment.cache_control)
    if explicit > MAX_BREAKPOINTS:
        raise invalid_request(f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {explicit}.")
    seen_short = False
    for point in breakpoints(segments, top_level):
        if point.ttl == "5m":
            seen_short = True
        elif seen_short:
            raise invalid_request("a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block")


def _check_one_cache_control(cache_control: object) -> None:
    if cache_control is None:
        return
    if not isinstance(cache_control, dict) or cache_control.get("type") != "ephemeral":
        raise invalid_request("cache_control.type: Input should be 'ephemeral'")
    if cache_control.get("ttl") not in (None, *TTL_SECONDS):
        raise invalid_request("cache_control.ttl: Input should be '5m' or '1h'")
