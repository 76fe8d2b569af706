"""The rule book: every check made before a request is sent, and the options each model allows.

One owner for what the Messages API accepts. The Editor, Compare, the Tools page and the CLI
ask `check(request, entry, values)`; none of them decides a rule of its own. The simulator is
the exception on purpose: it stands for the API and keeps its own, independent validation (a
parity test runs one corpus through both).

Adding a rule is one small function decorated with `@rule`: it receives a `Subject` (the request
as it would be sent, the template, the model's catalog entry and options, the variable values,
the extra headers, the counted input tokens) and yields `Problem`s.

This module imports neither streamlit nor anthropic, so the CLI can answer a bad request before
the SDK is loaded.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from workbench.key_shapes import has_key_value, is_key_name, key_shaped_paths
from workbench.model_quirks import prompt_cache_minimum, quirk_applies, quirk_rule
from workbench.templating import filled_values, find_variables, substitute

if TYPE_CHECKING:  # only the type: importing workbench.models would load the SDK
    from workbench.models import ModelEntry

Severity = Literal["error", "warning"]

# --- the API's fixed rules (limits and defaults that don't depend on the model) -----------------
THINKING_BUDGET_MIN = 1024  # thinking.budget_tokens must be at least this
THINKING_BUDGET_DEFAULT_CAP = 16_000  # a new budget is half of max_tokens, at most this
MAX_TOKENS_MIN = 1  # Workbench runs need a reply; the API also takes 0 (a cache warm-up)
MAX_TOKENS_DEFAULT = 1024  # a new prompt's max_tokens
TOOL_CHOICE_TYPES = ("auto", "any", "tool", "none")
FORCED_TOOL_CHOICES = ("any", "tool")
SAMPLING_RANGES: dict[str, tuple[float, float | None]] = {"temperature": (0.0, 1.0), "top_p": (0.0, 1.0),
                                                          "top_k": (0, None)}
DEFAULT_TEMPERATURE = 1.0  # the value models that refuse sampling parameters still accept
MAX_CACHE_BREAKPOINTS = 4
CACHE_TTLS = ("5m", "1h")
THINKING_DISPLAYS = ("summarized", "omitted")
# Headers the client sets from the configured key; a typed one would put a key on screen and in state.
CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization"})
# Top-level body fields the Messages API knows (the SDK's params, beta included, plus sampling).
MESSAGES_API_FIELDS = frozenset({
    "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "temperature", "top_p", "top_k",
    "tools", "tool_choice", "thinking", "output_config", "cache_control", "container", "diagnostics",
    "inference_geo", "service_tier", "speed", "mcp_servers", "context_management", "user_profile_id",
    "workspace_id", "output_format",
})


@dataclass(frozen=True)
class Problem:
    """One reason the request would be refused (error) or may not do what was meant (warning)."""

    code: str
    path: str  # JSON path into the request body, e.g. "$.thinking.budget_tokens"
    message: str  # one sentence saying what to do
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def line(self) -> str:
        """The problem as one line for the CLI and logs."""
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class ModelOptions:
    """What a model allows, for forms to offer only that (and for rules to check against)."""

    model: str
    known: bool  # False when the model is not in the catalog: nothing below is known then
    display_name: str
    thinking_types: tuple[str, ...]
    effort_levels: tuple[str, ...]
    structured_outputs: bool
    max_tokens_min: int
    max_tokens_max: int | None
    context_window: int | None
    thinking_budget_min: int
    forced_tool_choice: bool
    prefill: bool
    sampling_parameters: tuple[str, ...]
    forbidden_sampling_pairs: tuple[tuple[str, str], ...]
    tool_choice_types: tuple[str, ...] = TOOL_CHOICE_TYPES

    @property
    def max_tokens_default(self) -> int:
        """max_tokens for a new prompt on this model."""
        return self.clamp_max_tokens(MAX_TOKENS_DEFAULT)

    def clamp_max_tokens(self, value: int) -> int:
        """`value` within what the model accepts: what a form shows is then what is sent."""
        value = max(self.max_tokens_min, int(value))
        return min(value, self.max_tokens_max) if self.max_tokens_max else value

    def thinking_budget_max(self, max_tokens: int) -> int:
        """The largest thinking budget for this max_tokens (it must stay below max_tokens)."""
        return max(self.thinking_budget_min, int(max_tokens) - 1)

    def thinking_budget_default(self, max_tokens: int) -> int:
        """A budget the API accepts for this max_tokens (half of it, within the minimum and a cap)."""
        return max(self.thinking_budget_min, min(int(max_tokens) // 2, THINKING_BUDGET_DEFAULT_CAP))

    @property
    def allowed_tool_choices(self) -> tuple[str, ...]:
        """The tool_choice types a form should offer: forced ones only where the model takes them."""
        return tuple(kind for kind in self.tool_choice_types
                     if self.forced_tool_choice or kind not in FORCED_TOOL_CHOICES)

    @property
    def thinking_configurable(self) -> bool:
        """Whether a form should offer a thinking choice at all (something besides "disabled")."""
        return any(kind != "disabled" for kind in self.thinking_types)


def model_options(entry: ModelEntry | None, model_id: str = "") -> ModelOptions:
    """The options `entry` allows; for an unknown model, only the model-independent ones."""
    if entry is None:
        return ModelOptions(
            model=model_id, known=False, display_name=model_id, thinking_types=(), effort_levels=(),
            structured_outputs=False, max_tokens_min=MAX_TOKENS_MIN, max_tokens_max=None, context_window=None,
            thinking_budget_min=THINKING_BUDGET_MIN, forced_tool_choice=True, prefill=True,
            sampling_parameters=tuple(SAMPLING_RANGES), forbidden_sampling_pairs=(),
        )
    sampling_rejected = quirk_applies("sampling_parameters_rejected", entry.id)
    return ModelOptions(
        model=entry.id,
        known=True,
        display_name=entry.display_name or entry.id,
        thinking_types=tuple(entry.thinking_types),
        effort_levels=tuple(entry.effort_levels),
        structured_outputs=entry.supports_structured_outputs,
        max_tokens_min=MAX_TOKENS_MIN,
        max_tokens_max=entry.max_tokens or None,
        context_window=entry.max_input_tokens or None,
        thinking_budget_min=THINKING_BUDGET_MIN,
        forced_tool_choice=not quirk_applies("forced_tool_choice_rejected", entry.id),
        prefill=not quirk_applies("prefill_rejected", entry.id),
        sampling_parameters=() if sampling_rejected else tuple(SAMPLING_RANGES),
        forbidden_sampling_pairs=_forbidden_pairs(entry.id),
    )


def _forbidden_pairs(model_id: str) -> tuple[tuple[str, str], ...]:
    """Sampling parameters the model refuses together (model_quirks.json "sampling_pair_rejected")."""
    if not quirk_applies("sampling_pair_rejected", model_id):
        return ()
    rule = quirk_rule("sampling_pair_rejected")
    return tuple(tuple(pair) for pair in rule.get("pairs", [["temperature", "top_p"]]))  # type: ignore[misc]


@dataclass(frozen=True)
class Subject:
    """What the rules look at."""

    request: dict  # as it would be sent: filled variables substituted, unfilled ones left as written
    template: dict  # as written, {{variables}} and all
    entry: ModelEntry | None
    options: ModelOptions
    values: Mapping[str, str] | None  # None: the request is final, variables are not checked
    headers: Mapping[str, str] | None
    input_tokens: int | None
    tokens_exact: bool


@dataclass(frozen=True)
class Preflight:
    """The verdict on one request: its problems, the options of its model, and the request as sent."""

    problems: tuple[Problem, ...]
    options: ModelOptions
    request: dict = field(repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    @property
    def ok(self) -> bool:
        """True when nothing would make the API refuse the request."""
        return not self.errors

    def messages(self, severity: Severity = "error") -> list[str]:
        return [problem.message for problem in self.problems if problem.severity == severity]


Rule = Callable[[Subject], Iterable[Problem]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a rule; rules run in the order they are defined."""
    RULES.append(function)
    return function


def check(request: dict, entry: ModelEntry | None, values: Mapping[str, object] | None = None, *,
          headers: Mapping[str, str] | None = None, input_tokens: int | None = None,
          tokens_exact: bool = True) -> Preflight:
    """Every problem the rule book finds in `request` for the model `entry` (None: not in the catalog).

    `values` are the {{variable}} values (None when `request` is already filled in); `headers` the
    extra HTTP headers; `input_tokens` the counted (or, not `tokens_exact`, estimated) prompt size.
    """
    model_id = request.get("model") if isinstance(request, dict) else None
    options = model_options(entry, model_id if isinstance(model_id, str) else "")
    sent = _fill(request, values) if isinstance(request, dict) else request
    subject = Subject(request=sent, template=request, entry=entry, options=options,
                      values=None if values is None else {name: str(value) for name, value in values.items()},
                      headers=headers, input_tokens=input_tokens, tokens_exact=tokens_exact)
    if not isinstance(request, dict):
        problem = Problem("request_not_object", "$", "The request body must be a JSON object.")
        return Preflight((problem,), options, {})
    problems = tuple(problem for one_rule in RULES for problem in one_rule(subject))
    return Preflight(problems, options, sent)


def effective_values(defaults: Mapping[str, object] | None, given: Mapping[str, object] | None) -> dict[str, str]:
    """The values a run uses: the defaults, then the given values on top; a blank one is no value."""
    return {**filled_values(defaults), **filled_values(given)}


def unfilled_variables(request: dict, values: Mapping[str, object] | None) -> list[str]:
    """The request's variables with no value, or only a blank one, in order of appearance."""
    names = find_variables(request)
    filled = filled_values(values, names)
    return [name for name in names if name not in filled]


def _fill(request: dict, values: Mapping[str, object] | None) -> dict:
    """The request with every filled variable substituted; unfilled ones stay as {{name}}."""
    if values is None:
        return request
    names = find_variables(request)
    filled = filled_values(values, names)
    return substitute(request, {**{name: "{{" + name + "}}" for name in names if name not in filled}, **filled})


def credential_headers(headers: Mapping[str, object] | None) -> list[str]:
    """Names of extra headers that would carry a credential (set the key in the environment instead):
    named like one (x-api-key, anthropic-api-key, authorization, ...) or holding a key-shaped value."""
    return sorted(str(name) for name, value in (headers or {}).items()
                  if str(name).strip().lower() in CREDENTIAL_HEADERS or is_key_name(name) or has_key_value(value))


def blank_text(text: object) -> bool:
    """True for text the API treats as empty: nothing, or only whitespace."""
    return isinstance(text, str) and not text.strip()


# --- helpers for rules ---------------------------------------------------------------------------

def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _name(subject: Subject) -> str:
    return subject.options.display_name or str(subject.request.get("model", ""))


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _forced_tool_choice(request: dict) -> str | None:
    kind = _dict(request.get("tool_choice")).get("type")
    return kind if kind in FORCED_TOOL_CHOICES else None


# --- the rules -----------------------------------------------------------------------------------

@rule
def unknown_fields(subject: Subject) -> Iterator[Problem]:
    """The API refuses top-level fields it does not know ("Extra inputs are not permitted")."""
    for key in subject.request:
        if key == "stream":
            yield Problem("stream_field", "$.stream", "Remove stream: Workbench decides whether to stream.")
        elif key not in MESSAGES_API_FIELDS:
            yield Problem("unknown_field", f"$.{key}",
                          f"{key!r} is not a Messages API field and the API refuses unknown fields: "
                          "check its spelling or remove it.")


@rule
def model_lifecycle(subject: Subject) -> Iterator[Problem]:
    model = subject.request.get("model")
    if not isinstance(model, str) or not model.strip():
        yield Problem("model_missing", "$.model", "Name a model, e.g. \"claude-sonnet-5-5\".")
        return
    entry = subject.entry
    if entry is None:
        yield Problem("model_unknown", "$.model",
                      f"{model!r} is not in the model catalog: check the name (the API answers 404 for an "
                      "unknown model).", "warning")
    elif entry.lifecycle == "retired":
        yield Problem("model_retired", "$.model",
                      f"{entry.display_name} ({entry.id}) is retired and no longer answers: pick another model.")
    elif entry.lifecycle == "deprecated":
        when = f" on {entry.retires_at[:10]}" if entry.retires_at else ""
        yield Problem("model_deprecated", "$.model",
                      f"{entry.display_name} is deprecated and retires{when}: plan a move to a newer model.",
                      "warning")


@rule
def max_tokens_limits(subject: Subject) -> Iterator[Problem]:
    request, options = subject.request, subject.options
    if "max_tokens" not in request:
        yield Problem("max_tokens_missing", "$.max_tokens", "Set max_tokens, the most tokens the reply may use.")
        return
    max_tokens = request["max_tokens"]
    # Workbench's own floor: the API also takes 0 (a cache warm-up with no reply), which is not a run.
    if not _is_int(max_tokens) or max_tokens < options.max_tokens_min:
        yield Problem("max_tokens_invalid", "$.max_tokens",
                      f"max_tokens must be a positive whole number (got {max_tokens!r}).")
    elif options.max_tokens_max and max_tokens > options.max_tokens_max:
        yield Problem("max_tokens_over_limit", "$.max_tokens",
                      f"max_tokens is {max_tokens:,} but {_name(subject)} writes at most "
                      f"{options.max_tokens_max:,} tokens: lower it.")


@rule
def messages_present(subject: Subject) -> Iterator[Problem]:
    messages = subject.request.get("messages")
    if not isinstance(messages, list):
        yield Problem("messages_missing", "$.messages", "Add messages: a list with at least one user turn.")
    elif not messages:
        yield Problem("messages_empty", "$.messages", "Add at least one turn to the conversation.")


@rule
def turn_content(subject: Subject) -> Iterator[Problem]:
    """Only a final assistant turn may be empty; text may not be whitespace alone."""
    messages = _list(subject.request.get("messages"))
    for index, message in enumerate(messages):
        where = f"$.messages[{index}]"
        if not isinstance(message, dict):
            yield Problem("turn_not_object", where, f"Turn {index + 1} must be an object with role and content.")
            continue
        role = message.get("role")
        if role not in ("user", "assistant"):
            yield Problem("turn_role", f"{where}.role", f"Turn {index + 1}'s role must be \"user\" or \"assistant\".")
            continue
        final_assistant = index == len(messages) - 1 and role == "assistant"
        content = message.get("content")
        label = f"Turn {index + 1} ({role})"
        if isinstance(content, str):
            if content == "" and final_assistant:
                continue
            if blank_text(content):
                yield Problem("empty_turn", f"{where}.content",
                              f"{label} is {'empty' if not content else 'only whitespace'}: write it or remove it.")
            elif final_assistant and content != content.rstrip():
                yield Problem("prefill_trailing_whitespace", f"{where}.content",
                              f"{label} ends with whitespace, which the API refuses in a final assistant turn: "
                              "remove the trailing spaces or newlines.")
        elif isinstance(content, list):
            if not content:
                yield Problem("empty_turn", f"{where}.content", f"{label} is empty: write it or remove it.")
            for block_index, block in enumerate(content):
                if isinstance(block, dict) and block.get("type") == "text" and blank_text(block.get("text")):
                    yield Problem("empty_text_block", f"{where}.content[{block_index}].text",
                                  f"{label} has a text block that is {'empty' if not block.get('text') else 'only whitespace'}: "
                                  "write it or remove the block.")
            last = content[-1] if content else None
            if (final_assistant and isinstance(last, dict) and last.get("type") == "text"
                    and isinstance(last.get("text"), str) and last["text"].strip()
                    and last["text"] != last["text"].rstrip()):
                yield Problem("prefill_trailing_whitespace", f"{where}.content[{len(content) - 1}].text",
                              f"{label} ends with whitespace, which the API refuses in a final assistant turn: "
                              "remove the trailing spaces or newlines.")
        else:
            yield Problem("turn_content", f"{where}.content",
                          f"{label} needs content: a string or a list of content blocks.")


@rule
def prefill_support(subject: Subject) -> Iterator[Problem]:
    messages = _list(subject.request.get("messages"))
    if (messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant"
            and subject.options.known and not subject.options.prefill):
        yield Problem("prefill_rejected", f"$.messages[{len(messages) - 1}]",
                      f"{_name(subject)} does not support prefill (a final assistant turn): end with a user turn.")


@rule
def system_blocks(subject: Subject) -> Iterator[Problem]:
    for index, block in enumerate(_list(subject.request.get("system"))):
        if isinstance(block, dict) and block.get("type") == "text" and block.get("text") == "":
            yield Problem("empty_system_block", f"$.system[{index}].text",
                          "A system prompt text block is empty: write it or remove the block.")


@rule
def blank_variables(subject: Subject) -> Iterator[Problem]:
    if subject.values is None:
        return
    for name in unfilled_variables(subject.template, subject.values):
        yield Problem("variable_blank", "$", f"Give {{{{{name}}}}} a value (a blank or whitespace-only value counts as none).")


@rule
def thinking_settings(subject: Subject) -> Iterator[Problem]:
    request, options = subject.request, subject.options
    if "thinking" not in request or request["thinking"] is None:
        return
    thinking = request["thinking"]
    kind = _dict(thinking).get("type")
    if not isinstance(kind, str):
        yield Problem("thinking_type_missing", "$.thinking.type",
                      "thinking needs a type, e.g. {\"type\": \"adaptive\"}, or remove thinking.")
        return
    if options.known and kind not in options.thinking_types:
        accepted = ", ".join(options.thinking_types) or "none"
        yield Problem("thinking_type_unsupported", "$.thinking.type",
                      f"{_name(subject)} does not accept thinking type {kind!r} (it accepts: {accepted}).")
        return
    if not options.known and kind not in ("enabled", "adaptive", "disabled", "between_tools"):
        yield Problem("thinking_type_unsupported", "$.thinking.type",
                      f"{kind!r} is not a thinking type: use enabled, adaptive, disabled or between_tools.")
        return
    display = thinking.get("display")
    if display is not None and display not in THINKING_DISPLAYS:
        yield Problem("thinking_display", "$.thinking.display",
                      f"thinking.display must be one of {', '.join(THINKING_DISPLAYS)} (got {display!r}).")
    if kind != "enabled":
        return
    budget = thinking.get("budget_tokens")
    minimum = options.thinking_budget_min
    if budget is None:
        yield Problem("thinking_budget_missing", "$.thinking.budget_tokens",
                      f"Thinking type \"enabled\" needs thinking.budget_tokens: at least {minimum:,} and below max_tokens.")
    elif not _is_int(budget):
        yield Problem("thinking_budget_not_integer", "$.thinking.budget_tokens",
                      f"thinking.budget_tokens must be a whole number of at least {minimum:,} (got {budget!r}).")
    elif budget < minimum:
        yield Problem("thinking_budget_too_small", "$.thinking.budget_tokens",
                      f"thinking.budget_tokens must be at least {minimum:,} (got {budget:,}).")
    elif _is_int(request.get("max_tokens")) and budget >= request["max_tokens"]:
        yield Problem("thinking_budget_not_below_max_tokens", "$.thinking.budget_tokens",
                      f"thinking.budget_tokens ({budget:,}) must be less than max_tokens ({request['max_tokens']:,}): "
                      "lower the budget or raise max_tokens.")


@rule
def effort_setting(subject: Subject) -> Iterator[Problem]:
    effort = _dict(subject.request.get("output_config")).get("effort")
    if effort is None or not subject.options.known:
        return
    levels = subject.options.effort_levels
    if not levels:
        yield Problem("effort_unsupported", "$.output_config.effort",
                      f"{_name(subject)} does not support output_config.effort: remove it.")
    elif effort not in levels:
        yield Problem("effort_level_unsupported", "$.output_config.effort",
                      f"{_name(subject)} does not support effort {effort!r} (it supports: {', '.join(levels)}).")


@rule
def structured_output(subject: Subject) -> Iterator[Problem]:
    config = subject.request.get("output_config")
    if config is not None and not isinstance(config, dict):
        yield Problem("output_config_not_object", "$.output_config", "output_config must be an object.")
        return
    output_format = _dict(config).get("format")
    if output_format is None:
        return
    if subject.options.known and not subject.options.structured_outputs:
        yield Problem("structured_output_unsupported", "$.output_config.format",
                      f"{_name(subject)} does not support structured outputs: pick another model or remove "
                      "output_config.format.")
        return
    if not isinstance(output_format, dict) or output_format.get("type") != "json_schema":
        yield Problem("output_format_type", "$.output_config.format.type",
                      "output_config.format must be {\"type\": \"json_schema\", \"schema\": {...}}.")
        return
    for sentence in output_schema_problems(output_format.get("schema")):
        yield Problem("output_schema_invalid", "$.output_config.format.schema", sentence)


@rule
def tool_definitions(subject: Subject) -> Iterator[Problem]:
    """Each tool's definition, checked by the tools' own validator (workbench.tools_schema)."""
    tools = subject.request.get("tools")
    if tools is None:
        return
    from workbench import tools_schema  # imported here: it loads jsonschema, which only tools need

    for finding in tools_schema.validate_tools(tools, "$.tools"):
        yield Problem(finding.code, finding.path, f"{finding.message} {finding.fix}".strip(), finding.severity)
    if not subject.options.known or subject.options.structured_outputs:
        return
    for index, tool in enumerate(_list(tools)):
        if isinstance(tool, dict) and tool.get("strict") is True:
            yield Problem("strict_tool_unsupported", f"$.tools[{index}].strict",
                          f"{_name(subject)} does not support strict tools: remove \"strict\" or pick a model "
                          "with structured outputs.")


@rule
def tool_choice_setting(subject: Subject) -> Iterator[Problem]:
    request = subject.request
    choice = request.get("tool_choice")
    if choice is None:
        return
    kind = _dict(choice).get("type")
    if kind not in TOOL_CHOICE_TYPES:
        yield Problem("tool_choice_type", "$.tool_choice.type",
                      f"tool_choice.type must be one of {', '.join(TOOL_CHOICE_TYPES)} (got {kind!r}).")
        return
    tool_names = [tool.get("name") for tool in _list(request.get("tools")) if isinstance(tool, dict)]
    if kind in FORCED_TOOL_CHOICES and not tool_names:
        yield Problem("tool_choice_without_tools", "$.tool_choice",
                      f"tool_choice {kind!r} needs tools: add a tool or set tool_choice to auto.")
    elif kind == "tool" and choice.get("name") not in tool_names:
        yield Problem("tool_choice_unknown_tool", "$.tool_choice.name",
                      f"tool_choice names {choice.get('name')!r}, which is not among the tools.")
    if kind in FORCED_TOOL_CHOICES and subject.options.known and not subject.options.forced_tool_choice:
        yield Problem("forced_tool_choice_rejected", "$.tool_choice",
                      f"{_name(subject)} rejects forced tool use (tool_choice {kind!r}): use auto, or "
                      "output_config.format for structured output.")
    elif kind in FORCED_TOOL_CHOICES and _dict(request.get("thinking")).get("type") == "enabled":
        yield Problem("forced_tool_choice_with_thinking", "$.tool_choice",
                      "Forced tool use does not work with thinking enabled: set tool_choice to auto or turn "
                      "thinking off.")


def _turn_blocks(message: object) -> list:
    content = _dict(message).get("content")
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


@rule
def tool_results_answer_tool_uses(subject: Subject) -> Iterator[Problem]:
    """Each tool_result answers a tool_use of the turn before; each tool_use is answered in the next turn."""
    # Consecutive turns of one role count as one turn, as the API merges them.
    turns: list[tuple[str, list[tuple[int, dict]]]] = []
    for index, message in enumerate(_list(subject.request.get("messages"))):
        role = _dict(message).get("role")
        blocks = [(index, block) for block in _turn_blocks(message)]
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    for position, (role, blocks) in enumerate(turns):
        if role == "user":
            before = turns[position - 1][1] if position > 0 and turns[position - 1][0] == "assistant" else []
            asked = {block.get("id") for _, block in before if block.get("type") == "tool_use"}
            for index, block in blocks:
                if block.get("type") == "tool_result" and block.get("tool_use_id") not in asked:
                    yield Problem("tool_result_unmatched", f"$.messages[{index}]",
                                  f"Turn {index + 1} answers tool call {block.get('tool_use_id')!r}, which the "
                                  "turn before it did not make: remove the tool_result or fix its tool_use_id.")
        elif position + 1 < len(turns):
            answered = {block.get("tool_use_id") for _, block in turns[position + 1][1]
                        if block.get("type") == "tool_result"}
            for index, block in blocks:
                if block.get("type") == "tool_use" and block.get("id") not in answered:
                    yield Problem("tool_use_unanswered", f"$.messages[{index}]",
                                  f"Tool call {block.get('id')!r} in turn {index + 1} has no tool_result in the "
                                  "next turn: answer it there, or remove the call.")


@rule
def sampling_parameters(subject: Subject) -> Iterator[Problem]:
    request, options = subject.request, subject.options
    given = [name for name in SAMPLING_RANGES if request.get(name) is not None]
    for name in given:
        low, high = SAMPLING_RANGES[name]
        value = request[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < low \
                or (high is not None and value > high):
            limits = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"
            yield Problem("sampling_out_of_range", f"$.{name}", f"{name} must be a number {limits} (got {value!r}).")
    if options.known and not options.sampling_parameters:
        changed = [name for name in given if not (name == "temperature" and request[name] == DEFAULT_TEMPERATURE)]
        if changed:
            yield Problem("sampling_rejected", f"$.{changed[0]}",
                          f"{_name(subject)} accepts no sampling parameters ({', '.join(changed)}): remove them.")
            return
    for first, second in options.forbidden_sampling_pairs:
        if first in given and second in given:
            yield Problem("sampling_pair_rejected", f"$.{second}",
                          f"{_name(subject)} refuses {first} and {second} together: keep only one.")


@rule
def stop_sequences(subject: Subject) -> Iterator[Problem]:
    stops = subject.request.get("stop_sequences")
    if stops is None:
        return
    if not isinstance(stops, list) or not all(isinstance(item, str) for item in stops):
        yield Problem("stop_sequences_not_strings", "$.stop_sequences", "stop_sequences must be a list of strings.")
        return
    for index, item in enumerate(stops):
        if not item.strip():
            yield Problem("stop_sequence_blank", f"$.stop_sequences[{index}]",
                          "A stop sequence must contain something besides whitespace: remove the blank one.")


def _cache_controls(request: dict) -> Iterator[tuple[str, object]]:
    """(JSON path, cache_control) of every block that may carry a breakpoint, in prompt order."""
    for index, tool in enumerate(_list(request.get("tools"))):
        if isinstance(tool, dict) and tool.get("cache_control") is not None:
            yield f"$.tools[{index}].cache_control", tool["cache_control"]
    for index, block in enumerate(_list(request.get("system"))):
        if isinstance(block, dict) and block.get("cache_control") is not None:
            yield f"$.system[{index}].cache_control", block["cache_control"]
    for message_index, message in enumerate(_list(request.get("messages"))):
        for index, block in enumerate(_list(_dict(message).get("content"))):
            if isinstance(block, dict) and block.get("cache_control") is not None:
                yield f"$.messages[{message_index}].content[{index}].cache_control", block["cache_control"]


@rule
def cache_breakpoints(subject: Subject) -> Iterator[Problem]:
    controls = list(_cache_controls(subject.request))
    top = subject.request.get("cache_control")
    if top is not None:
        controls.append(("$.cache_control", top))
    for path, control in controls:
        if not isinstance(control, dict) or control.get("type") != "ephemeral":
            yield Problem("cache_control_type", path, "cache_control must be {\"type\": \"ephemeral\"}.")
        elif control.get("ttl") not in (None, *CACHE_TTLS):
            yield Problem("cache_control_ttl", f"{path}.ttl", f"cache_control.ttl must be 5m or 1h (got {control.get('ttl')!r}).")
    explicit = len(controls) - (1 if top is not None else 0)
    if explicit > MAX_CACHE_BREAKPOINTS:
        yield Problem("cache_breakpoints_too_many", "$",
                      f"{explicit} cache breakpoints is more than the API's {MAX_CACHE_BREAKPOINTS}: remove "
                      f"{explicit - MAX_CACHE_BREAKPOINTS}.")
    seen_short = False
    for path, control in controls:
        ttl = _dict(control).get("ttl") or "5m"
        if ttl == "5m":
            seen_short = True
        elif seen_short:
            yield Problem("cache_ttl_order", path,
                          "A 1h cache breakpoint cannot come after a 5m one: make the earlier ones 1h too.")
            break


def _prefix_sizes(request: dict) -> tuple[list[tuple[str, int]], int]:
    """(breakpoint path, characters of the prompt up to and including its block) in prompt order
    (tools, system, messages, as the cache reads them), and the characters of the whole prompt."""
    points: list[tuple[str, int]] = []
    running = 0

    def size(block: object) -> int:
        if isinstance(block, str):
            return len(block)
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            return len(block["text"])
        return len(json.dumps(block, ensure_ascii=False, default=str))

    for index, tool in enumerate(_list(request.get("tools"))):
        running += size(tool)
        if isinstance(tool, dict) and tool.get("cache_control") is not None:
            points.append((f"$.tools[{index}].cache_control", running))
    system = request.get("system")
    for index, block in enumerate(system if isinstance(system, list) else [system] if system else []):
        running += size(block)
        if isinstance(block, dict) and block.get("cache_control") is not None:
            points.append((f"$.system[{index}].cache_control", running))
    for message_index, message in enumerate(_list(request.get("messages"))):
        content = _dict(message).get("content")
        for index, block in enumerate(content if isinstance(content, list) else [content]):
            running += size(block)
            if isinstance(block, dict) and block.get("cache_control") is not None:
                points.append((f"$.messages[{message_index}].content[{index}].cache_control", running))
    if request.get("cache_control") is not None:
        points.append(("$.cache_control", running))
    return points, running


def cache_minimum_warnings(request: dict, entry: ModelEntry | None, input_tokens: int | None,
                           tokens_exact: bool = True) -> list[Problem]:
    """Only the "breakpoint below the model's caching minimum" warnings, for a page that learns the
    token count per model after its other checks (Compare)."""
    return [problem for problem in check(request, entry, input_tokens=input_tokens, tokens_exact=tokens_exact).warnings
            if problem.code == "cache_below_minimum"]


@rule
def cache_minimum(subject: Subject) -> Iterator[Problem]:
    """A breakpoint on a prefix shorter than the model's minimum caches nothing: not an error, but
    "cache write 0" after Run would be a surprise, so say it before."""
    tokens, options = subject.input_tokens, subject.options
    if not options.known or not tokens:
        return
    points, total_chars = _prefix_sizes(subject.request)
    if not points or not total_chars:
        return
    minimum = prompt_cache_minimum(options.model)
    for path, chars in points:
        # The count covers the whole prompt; a prefix gets its share by length (exact for the last).
        prefix_tokens = tokens if chars >= total_chars else round(tokens * chars / total_chars)
        if prefix_tokens < minimum:
            about = "" if chars >= total_chars and subject.tokens_exact else "about "
            yield Problem("cache_below_minimum", path,
                          f"The cache breakpoint covers {about}{prefix_tokens:,} tokens, below {_name(subject)}'s "
                          f"{minimum:,}-token minimum for prompt caching: nothing will be cached (cache write 0). "
                          f"Move it after more content, or remove it.", severity="warning")


@rule
def context_window(subject: Subject) -> Iterator[Problem]:
    window = subject.options.context_window
    tokens = subject.input_tokens
    if not window or tokens is None or tokens <= window:
        return
    size = f"{tokens:,} tokens" if subject.tokens_exact else f"about {tokens:,} tokens (estimated)"
    yield Problem("context_window_exceeded", "$.messages",
                  f"The prompt is {size}, more than {_name(subject)}'s {window:,}-token context window: shorten it "
                  f"by {tokens - window:,} tokens or more, or pick a model with a larger window.")


@rule
def extra_headers(subject: Subject) -> Iterator[Problem]:
    credentials = credential_headers(subject.headers)
    if credentials:
        yield Problem("credential_header", "headers",
                      f"Don't put credentials in headers ({', '.join(credentials)}): set ANTHROPIC_API_KEY in the "
                      "environment, a .env file or Streamlit secrets.")


@rule
def key_shaped_values(subject: Subject) -> Iterator[Problem]:
    """No API key travels in a request body: the client sends the configured key in its own header.

    A key in the body would go to the API in plain sight and could not be logged (the call log
    refuses it), so the call would vanish from the log.
    """
    for path, kind in key_shaped_paths(subject.request):
        if kind == "name":
            yield Problem("credential_field", path,
                          f"{path} is named like a credential: remove it; Workbench sends the API key itself "
                          "(set ANTHROPIC_API_KEY in the environment, a .env file or Streamlit secrets).")
        else:
            yield Problem("key_in_request", path,
                          f"{path} holds text shaped like an API key (sk-ant-...): remove it; a key never "
                          "belongs in a request.")


# --- JSON Schema checks (shared by tools and structured output) ------------------------------------

def json_schema_problem(schema: object) -> str | None:
    """Why `schema` is not a usable JSON Schema (draft 2020-12), as a sentence, or None."""
    # Imported here: only requests with schemas need jsonschema. The check also refuses a $ref that
    # points outside the schema (jsonschema would fetch it) or to nothing.
    from workbench.json_schemas import schema_problems

    problems = schema_problems(schema)
    return problems[0] if problems else None


def output_schema_problems(schema: object) -> list[str]:
    """Why the API would refuse `schema` as output_config.format (JSON Schema + structured-output rules)."""
    from workbench.tools_schema import open_object_paths  # one walk for closed objects (strict tools too)

    if not isinstance(schema, dict):
        return ["The schema must be a JSON object."]
    invalid = json_schema_problem(schema)
    if invalid:
        return [invalid]
    return [f"{where}: an object schema needs \"additionalProperties\": false for structured output."
            for where in open_object_paths(schema, "$")]


# --- Message Batches: the limits of one batch (batch-processing docs) ----------------------------

BATCH_MAX_REQUESTS = 100_000
BATCH_MAX_BYTES = 256 * 1024 * 1024
BATCH_CUSTOM_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def batch_limit_problems(request_count: int, body_bytes: int) -> list[Problem]:
    """Why the API would refuse a batch of this many requests and this many bytes, with the number to cut."""
    problems = []
    if request_count < 1:
        problems.append(Problem("batch_empty", "$.requests", "A batch needs at least one request."))
    if request_count > BATCH_MAX_REQUESTS:
        cut = request_count - BATCH_MAX_REQUESTS
        problems.append(Problem(
            "batch_too_many_requests", "$.requests",
            f"{request_count:,} requests is over the API's limit of {BATCH_MAX_REQUESTS:,} per batch: "
            f"cut {cut:,} requests (fewer cases, models or repeats), or split it into two batches."))
    if body_bytes > BATCH_MAX_BYTES:
        mb = 1024 * 1024
        cut_share = 1 - BATCH_MAX_BYTES / body_bytes
        problems.append(Problem(
            "batch_too_large", "$.requests",
            f"The batch is {body_bytes / mb:,.1f} MB, over the API's limit of {BATCH_MAX_BYTES // mb} MB: "
            f"cut {(body_bytes - BATCH_MAX_BYTES) / mb:,.1f} MB (about {cut_share:.0%} of the requests)."))
    return problems


def custom_id_problem(custom_id: object) -> str | None:
    """Why the API would refuse this custom_id, or None."""
    if not isinstance(custom_id, str) or not BATCH_CUSTOM_ID_PATTERN.match(custom_id):
        return (f"custom_id {custom_id!r} must be 1 to 64 letters, digits, '_' or '-' "
                f"(pattern {BATCH_CUSTOM_ID_PATTERN.pattern}).")
    return None
