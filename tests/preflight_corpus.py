"""One shared corpus of requests, valid and invalid, across models: the rule book and the simulator
(which stands for the API) must give each the same verdict. Each entry: (label, request body)."""
from __future__ import annotations

import copy

HI = [{"role": "user", "content": "Say hi."}]
TOOL = {"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
STRICT_SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
                 "additionalProperties": False}
FORMAT = {"type": "json_schema", "schema": STRICT_SCHEMA}
TOOL_TURNS = [
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                       "input": {"city": "Paris"}}]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C, sunny"}]},
]


def body(model: str, **changes) -> dict:
    request = {"model": model, "max_tokens": 2048, "messages": copy.deepcopy(HI)}
    request.update(copy.deepcopy(changes))
    return request


def prefill(model: str, text: str = "Hi") -> dict:
    return body(model, messages=[*HI, {"role": "assistant", "content": text}])


def cached(ttls: list[str]) -> list[dict]:
    """A user turn of text blocks, one cache breakpoint (with that ttl) per block."""
    return [{"role": "user", "content": [
        {"type": "text", "text": f"Part {index}.", "cache_control": {"type": "ephemeral", "ttl": ttl}}
        for index, ttl in enumerate(ttls)]}]


CORPUS: list[tuple[str, dict]] = [
    # --- plain requests on every kind of model -------------------------------------------------
    *[(f"plain {model}", body(model)) for model in (
        "claude-haiku-4-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-sonnet-5", "claude-opus-4-8",
        "claude-3-5-haiku-20241022", "claude-sonnet-4", "claude-fable-5-1", "claude-opus-4-5", "claude-mythos-5",
        "claude-sonnet-4-5", "claude-haiku-5-5")],
    ("retired model", body("claude-opus-4-1")),
    ("another retired model", body("claude-opus-4")),
    # --- max_tokens ------------------------------------------------------------------------------
    ("max_tokens at the limit", body("claude-haiku-4-5", max_tokens=64_000)),
    ("max_tokens over the limit", body("claude-haiku-4-5", max_tokens=64_001)),
    ("max_tokens over a 128k limit", body("claude-sonnet-5-5", max_tokens=200_000)),
    ("max_tokens over Opus 4.5's limit", body("claude-opus-4-5", max_tokens=64_001)),
    ("max_tokens 1", body("claude-opus-4-8", max_tokens=1)),
    # max_tokens 0 is left out on purpose: the API takes it (a cache warm-up), Workbench does not
    # (a run needs a reply, and prompt files require 1 or more).
    ("max_tokens negative", body("claude-sonnet-5-5", max_tokens=-5)),
    ("max_tokens a string", body("claude-sonnet-5-5", max_tokens="100")),
    # --- turns -----------------------------------------------------------------------------------
    ("empty user turn", body("claude-haiku-4-5", messages=[{"role": "user", "content": ""}])),
    ("whitespace-only user turn", body("claude-sonnet-5-5", messages=[{"role": "user", "content": "   "}])),
    ("newline-only user turn", body("claude-opus-4-8", messages=[{"role": "user", "content": "\n\n"}])),
    ("empty block list", body("claude-haiku-4-5", messages=[{"role": "user", "content": []}])),
    ("empty text block", body("claude-haiku-4-5", messages=[{"role": "user", "content": [{"type": "text", "text": ""}]}])),
    ("whitespace text block", body("claude-sonnet-5-5", messages=[
        {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "  "}]}])),
    ("empty middle assistant turn", body("claude-haiku-4-5", messages=[
        *HI, {"role": "assistant", "content": ""}, {"role": "user", "content": "Again"}])),
    ("two user turns in a row", body("claude-sonnet-5-5", messages=[*HI, {"role": "user", "content": "And more."}])),
    ("text blocks", body("claude-opus-5-5", messages=[{"role": "user", "content": [{"type": "text", "text": "Hi"}]}])),
    ("multi-turn", body("claude-opus-5-5", messages=[
        *HI, {"role": "assistant", "content": "Hi!"}, {"role": "user", "content": "Again"}])),
    ("prefill on Haiku 4.5", prefill("claude-haiku-4-5")),
    ("prefill on Sonnet 4", prefill("claude-sonnet-4")),
    ("prefill on Opus 4.8", prefill("claude-opus-4-8")),
    ("prefill on Sonnet 5.5", prefill("claude-sonnet-5-5")),
    ("empty final assistant on Haiku 4.5", prefill("claude-haiku-4-5", "")),
    ("prefill with a trailing space", prefill("claude-haiku-4-5", "Sure ")),
    ("prefill with a trailing newline", prefill("claude-sonnet-4", "Sure\n")),
    ("empty system block", body("claude-haiku-4-5", system=[{"type": "text", "text": ""}])),
    ("system prompt", body("claude-haiku-4-5", system="You are terse.")),
    ("system blocks", body("claude-sonnet-5-5", system=[{"type": "text", "text": "You are terse."}])),
    # --- thinking --------------------------------------------------------------------------------
    ("enabled thinking on Haiku 4.5", body("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 1024})),
    ("budget missing", body("claude-haiku-4-5", thinking={"type": "enabled"})),
    ("budget below 1024", body("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 1023})),
    ("budget equal to max_tokens", body("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 2048})),
    ("budget above max_tokens", body("claude-opus-4-8", thinking={"type": "enabled", "budget_tokens": 4096})),
    ("budget a string", body("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": "1024"})),
    ("budget a float", body("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 1500.5})),
    ("unknown thinking type", body("claude-sonnet-5-5", thinking={"type": "sometimes"})),
    ("thinking without type", body("claude-sonnet-5-5", thinking={"budget_tokens": 2000})),
    ("adaptive on Sonnet 5", body("claude-sonnet-5", thinking={"type": "adaptive"})),
    ("enabled on Sonnet 5", body("claude-sonnet-5", thinking={"type": "enabled", "budget_tokens": 1024})),
    ("disabled on Opus 5.5", body("claude-opus-5-5", thinking={"type": "disabled"})),
    ("adaptive on Haiku 4.5", body("claude-haiku-4-5", thinking={"type": "adaptive"})),
    ("between_tools on Sonnet 5.5", body("claude-sonnet-5-5", thinking={"type": "between_tools"})),
    ("between_tools on Opus 4.8", body("claude-opus-4-8", thinking={"type": "between_tools"})),
    ("enabled on Fable 5", body("claude-fable-5", thinking={"type": "enabled", "budget_tokens": 1024})),
    ("disabled on Mythos 5.2", body("claude-mythos-5-2", thinking={"type": "disabled"})),
    ("temperature with top_p on Haiku 4.5", body("claude-haiku-4-5", temperature=0.5, top_p=0.9)),
    ("temperature on Opus 4.7", body("claude-opus-4-7", temperature=0.5)),
    ("dated snapshot id", body("claude-haiku-4-5-20251001")),
    ("display omitted", body("claude-opus-5-5", thinking={"type": "adaptive", "display": "omitted"})),
    ("display unknown", body("claude-opus-5-5", thinking={"type": "adaptive", "display": "full"})),
    # --- effort and structured output --------------------------------------------------------------
    ("effort on Haiku 4.5", body("claude-haiku-4-5", output_config={"effort": "high"})),
    ("xhigh on Sonnet 5.5", body("claude-sonnet-5-5", output_config={"effort": "xhigh"})),
    ("xhigh on Opus 5.5", body("claude-opus-5-5", output_config={"effort": "xhigh"})),
    ("low on Sonnet 5", body("claude-sonnet-5", output_config={"effort": "low"})),
    ("format on Sonnet 4", body("claude-sonnet-4", output_config={"format": FORMAT})),
    ("format on Opus 5.5", body("claude-opus-5-5", output_config={"format": FORMAT})),
    ("format with an open object", body("claude-opus-5-5", output_config={"format": {
        "type": "json_schema", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}})),
    ("format with an invalid schema", body("claude-haiku-4-5", output_config={"format": {
        "type": "json_schema", "schema": {"type": "object", "properties": 5, "additionalProperties": False}}})),
    ("format of the wrong type", body("claude-haiku-4-5", output_config={"format": {"type": "xml"}})),
    # --- tools -----------------------------------------------------------------------------------
    ("a tool", body("claude-haiku-4-5", tools=[TOOL])),
    ("tool name with a space", body("claude-haiku-4-5", tools=[{**TOOL, "name": "get weather"}])),
    ("tool name with a dot", body("claude-sonnet-5-5", tools=[{**TOOL, "name": "weather.get"}])),
    ("tool name of 64", body("claude-haiku-4-5", tools=[{**TOOL, "name": "t" * 64}])),
    ("tool name of 65", body("claude-haiku-4-5", tools=[{**TOOL, "name": "t" * 65}])),
    ("tool without input_schema", body("claude-haiku-4-5", tools=[{"name": "ping", "description": "Ping"}])),
    ("tool schema not an object type", body("claude-sonnet-5-5", tools=[{"name": "ping", "input_schema": {"type": "string"}}])),
    ("tool schema invalid", body("claude-haiku-4-5", tools=[
        {"name": "ping", "input_schema": {"type": "object", "properties": {"a": {"type": "nonsense"}}}}])),
    ("tool schema properties not an object", body("claude-opus-4-8", tools=[
        {"name": "ping", "input_schema": {"type": "object", "properties": 5}}])),
    ("strict tool, open object", body("claude-haiku-4-5", tools=[{**TOOL, "strict": True}])),
    ("strict tool, closed object", body("claude-haiku-4-5", tools=[
        {"name": "answer", "strict": True, "input_schema": STRICT_SCHEMA}])),
    ("two tools with one name", body("claude-haiku-4-5", tools=[TOOL, TOOL])),
    ("tool_choice any on Haiku 4.5", body("claude-haiku-4-5", tools=[TOOL], tool_choice={"type": "any"})),
    ("tool_choice any on Opus 5.5", body("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "any"})),
    ("tool_choice tool on Fable 5.1", body("claude-fable-5-1", tools=[TOOL],
                                           tool_choice={"type": "tool", "name": "get_weather"})),
    ("tool_choice tool on Opus 4.8", body("claude-opus-4-8", tools=[TOOL],
                                          tool_choice={"type": "tool", "name": "get_weather"})),
    ("tool_choice names a missing tool", body("claude-haiku-4-5", tools=[TOOL],
                                              tool_choice={"type": "tool", "name": "nope"})),
    ("tool_choice any without tools", body("claude-haiku-4-5", tool_choice={"type": "any"})),
    ("tool_choice auto on Sonnet 5.5", body("claude-sonnet-5-5", tools=[TOOL], tool_choice={"type": "auto"})),
    ("tool_choice none", body("claude-haiku-4-5", tools=[TOOL], tool_choice={"type": "none"})),
    ("tool_choice of unknown type", body("claude-haiku-4-5", tools=[TOOL], tool_choice={"type": "some"})),
    ("forced tool with thinking", body("claude-haiku-4-5", tools=[TOOL], tool_choice={"type": "any"},
                                       thinking={"type": "enabled", "budget_tokens": 1024})),
    ("tool results answered", body("claude-haiku-4-5", tools=[TOOL], messages=TOOL_TURNS)),
    ("tool_use left unanswered", body("claude-haiku-4-5", tools=[TOOL], messages=[
        *TOOL_TURNS[:2], {"role": "user", "content": "Never mind."}])),
    ("tool_result for no tool_use", body("claude-haiku-4-5", tools=[TOOL], messages=[
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"}]}])),
    # --- sampling, stop sequences, unknown fields ---------------------------------------------------
    ("temperature on Haiku 4.5", body("claude-haiku-4-5", temperature=0.2)),
    ("temperature above 1", body("claude-haiku-4-5", temperature=1.5)),
    ("top_k on Sonnet 5", body("claude-sonnet-5", top_k=5)),
    ("temperature on Sonnet 5", body("claude-sonnet-5", temperature=0.2)),
    ("default temperature on Sonnet 5", body("claude-sonnet-5", temperature=1.0)),
    ("negative top_p", body("claude-opus-4-5", top_p=-0.1)),
    ("stop sequences", body("claude-haiku-4-5", stop_sequences=["END"])),
    ("blank stop sequence", body("claude-haiku-4-5", stop_sequences=["END", "  "])),
    ("unknown top-level field", body("claude-haiku-4-5", max_token=100)),
    ("metadata", body("claude-haiku-4-5", metadata={"user_id": "u-1"})),
    # --- cache breakpoints ----------------------------------------------------------------------------
    ("one breakpoint", body("claude-sonnet-5-5", messages=cached(["5m"]))),
    ("four breakpoints", body("claude-sonnet-5-5", messages=cached(["5m"] * 4))),
    ("five breakpoints", body("claude-sonnet-5-5", messages=cached(["5m"] * 5))),
    ("1h before 5m", body("claude-haiku-4-5", messages=cached(["1h", "5m"]))),
    ("1h after 5m", body("claude-haiku-4-5", messages=cached(["5m", "1h"]))),
    ("unknown ttl", body("claude-haiku-4-5", messages=cached(["10m"]))),
    ("cache_control of unknown type", body("claude-haiku-4-5", messages=[{"role": "user", "content": [
        {"type": "text", "text": "Hi", "cache_control": {"type": "forever"}}]}])),
]
