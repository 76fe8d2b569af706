"""What a snippet must send: the request (with kept {{variables}} as Template texts), values, options."""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from workbench.spec import PromptFileError, validate_request
from workbench.templating import (
    VARIABLE_PATTERN, MissingVariableError, filled_values, find_variables, map_template_texts, substitute,
)


class CodegenError(ValueError):
    """A prompt that cannot be written as the asked-for code; the message says why and what to do."""


@dataclass(frozen=True)
class Variable:
    """A {{name}} inside a kept template text."""

    name: str


@dataclass(frozen=True)
class Template:
    """A text with {{variables}} kept: literal strings and Variables, in order."""

    parts: tuple[str | Variable, ...]

    @classmethod
    def parse(cls, text: str) -> "Template | str":
        """A Template when `text` uses a variable, else `text` itself."""
        parts: list[str | Variable] = []
        position = 0
        for match in VARIABLE_PATTERN.finditer(text):
            if match.start() > position:
                parts.append(text[position:match.start()])
            parts.append(Variable(match.group(1)))
            position = match.end()
        if not parts:
            return text
        if position < len(text):
            parts.append(text[position:])
        return cls(tuple(parts))

    def lines(self) -> list[tuple[str | Variable, ...]]:
        """The parts cut after each newline, for writing one source line per text line."""
        pieces: list[list[str | Variable]] = [[]]
        for part in self.parts:
            if isinstance(part, Variable):
                pieces[-1].append(part)
                continue
            for line in part.split("\n")[:-1]:
                pieces[-1].append(line + "\n")
                pieces.append([])
            if not part.endswith("\n"):
                pieces[-1].append(part.rsplit("\n", 1)[-1])
        return [tuple(piece) for piece in pieces if piece]


@dataclass(frozen=True)
class ExportPlan:
    """Everything a language renderer needs; `request` holds Template objects where variables are kept."""

    request: dict
    parameters: tuple[str, ...]  # variable names in order of first use, when kept
    values: dict[str, str]  # the value of each parameter, passed where the snippet calls its function
    stream: bool
    base_url: str | None
    headers: dict[str, str] = field(default_factory=dict)
    name: str = "untitled"


def sent_body(request: dict, values: Mapping[str, object] | None, *, stream: bool) -> dict:
    """The JSON body Workbench sends for this prompt: variables filled in, and `stream` when streaming."""
    body = substitute(request, filled_values(values, find_variables(request)))
    if stream:
        body["stream"] = True
    return body


def build_plan(
    request: dict,
    values: Mapping[str, object] | None,
    *,
    stream: bool,
    keep_variables: bool,
    base_url: str | None,
    headers: Mapping[str, str] | None,
    name: str,
    templated: bool = True,
) -> ExportPlan:
    """Check the prompt can be exported (every variable has a value) and describe the snippet to write.

    `templated=False` is for a request as it was sent (a logged call): any {{...}} in it is plain text.
    """
    try:
        validate_request(request, "the prompt")
    except PromptFileError as error:
        raise CodegenError(f"the request is not valid: {error.json_path}: {error.problem}") from None
    base_url = base_url.strip().rstrip("/") if base_url and base_url.strip() else None
    if not templated:
        _check_sendable(request)
        return ExportPlan(request=_reading_order(copy.deepcopy(request)), parameters=(), values={}, stream=stream,
                          base_url=base_url, headers=dict(headers or {}), name=name)
    names = find_variables(request)
    given = filled_values(values, names)
    missing = [variable for variable in names if variable not in given]
    if missing:
        raise MissingVariableError(missing)
    filled = substitute(request, given)
    _check_sendable(filled)
    if keep_variables and names:
        body, parameters = map_template_texts(request, Template.parse), tuple(names)
    else:
        body, parameters = filled, ()
    return ExportPlan(request=_reading_order(body), parameters=parameters, values={n: given[n] for n in parameters},
                      stream=stream, base_url=base_url, headers=dict(headers or {}), name=name)


def _check_sendable(body: dict) -> None:
    """Refuse text the API could never receive: a lone surrogate has no UTF-8 form (Workbench can't send it)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise CodegenError("the prompt holds a character that is not valid Unicode text (a lone surrogate, "
                           f"{error.object[error.start]!r}); the API cannot receive it, so fix the text") from None


@functools.cache
def api_version() -> str:
    """The anthropic-version header the installed SDK, and so Workbench, sends; curl sends it too."""
    import anthropic  # only curl needs it, and only once

    client = anthropic.Anthropic(api_key="unused", base_url="http://127.0.0.1")
    try:
        return client.default_headers["anthropic-version"]
    finally:
        client.close()


_LEADING_KEYS = ("model", "max_tokens", "system", "messages", "tools", "tool_choice")


def _reading_order(value: object, leading_keys: tuple[str, ...] = _LEADING_KEYS) -> object:
    """The same JSON, keys in the order people read them (saved files sort keys): model first, role, type."""
    if isinstance(value, list):
        return [_reading_order(item, ("role", "type")) for item in value]
    if not isinstance(value, dict):
        return value
    leading = {key: value[key] for key in leading_keys if key in value}
    ordered = {**leading, **{key: child for key, child in value.items() if key not in leading}}
    # Schemas and tool inputs are the user's own objects: their key order stays as written.
    return {key: child if key in ("input_schema", "input", "schema", "metadata") else _reading_order(child, ("type",))
            for key, child in ordered.items()}


# The SDKs refuse a non-streaming call that could run past 10 minutes (max_tokens × 3600 s / 128,000
# tokens, or above a per-model limit) unless the call passes its own timeout.
_NONSTREAMING_TOKENS = {
    "claude-opus-4-20250514": 8192, "claude-opus-4-0": 8192, "claude-4-opus-20250514": 8192,
    "anthropic.claude-opus-4-20250514-v1:0": 8192, "claude-opus-4@20250514": 8192,
    "anthropic.claude-opus-4-1-20250805-v1:0": 8192, "claude-opus-4-1@20250805": 8192,
}
LONG_REQUEST_TIMEOUT_S = 3600


def needs_long_timeout(plan: "ExportPlan") -> bool:
    """True when the snippet must pass a timeout: not streaming, with a max_tokens the SDKs call too long."""
    max_tokens = plan.request["max_tokens"]
    limit = _NONSTREAMING_TOKENS.get(str(plan.request["model"]))
    return not plan.stream and (3600 * max_tokens / 128_000 > 600 or (limit is not None and max_tokens > limit))


def unique_identifiers(names: tuple[str, ...], reserved: frozenset[str]) -> dict[str, str]:
    """A valid, distinct identifier for each variable name: . and - become _, reserved words get a trailing _."""
    taken: set[str] = set()
    chosen: dict[str, str] = {}
    for name in names:
        base = name.replace(".", "_").replace("-", "_")
        candidate = base
        while candidate in reserved:
            candidate += "_"
        number = 2
        while candidate in taken or candidate in reserved:
            candidate = f"{base}_{number}"
            number += 1
        taken.add(candidate)
        chosen[name] = candidate
    return chosen


def is_safe_integer(value: object) -> bool:
    """True unless `value` is an integer JavaScript (and jq 1.6) would round: beyond 2**53 - 1."""
    return not (isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1)


def check_exact_numbers(value: object, language: str) -> None:
    """Refuse integers a double cannot hold, for languages whose numbers are doubles."""
    if isinstance(value, dict):
        for child in value.values():
            check_exact_numbers(child, language)
    elif isinstance(value, list):
        for child in value:
            check_exact_numbers(child, language)
    elif not is_safe_integer(value):
        raise CodegenError(f"the prompt holds the integer {value}, which {language} cannot represent exactly "
                           "(beyond 2^53 - 1); export it as Python, or write the number as a string")


def one_line(text: str) -> str:
    """Text fit for a one-line comment: no line breaks or control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in text).strip() or "untitled"
