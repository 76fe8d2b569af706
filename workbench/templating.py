"""{{variable}} discovery and substitution in the text of a Messages API request."""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Callable

VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
# Spaces and tabs only inside the braces: a newline after "{{" is far more likely to be code or
# JSON than a variable, and such text must pass through untouched.
VARIABLE_PATTERN = re.compile(r"\{\{[ \t]*(" + VARIABLE_NAME + r")[ \t]*\}\}")
_WHOLE_NAME = re.compile(VARIABLE_NAME)


class MissingVariableError(ValueError):
    """A template names variables that were given no value."""

    def __init__(self, names: list[str]):
        self.names = list(names)
        label = "variable" if len(self.names) == 1 else "variables"
        listed = ", ".join("{{" + name + "}}" for name in self.names)
        super().__init__(f"no value for {label} {listed}: give each one a value before running")


def is_variable_name(name: str) -> bool:
    """True when `name` can be written as {{name}} in a prompt."""
    return isinstance(name, str) and _WHOLE_NAME.fullmatch(name) is not None


def variables_in_text(text: str) -> list[str]:
    """Variable names in one string, ordered by first appearance, without repeats."""
    return list(dict.fromkeys(match.group(1) for match in VARIABLE_PATTERN.finditer(text)))


def render_text(text: str, values: dict[str, str]) -> str:
    """Replace every {{name}} in `text`; values are inserted verbatim, never expanded again."""
    missing = [name for name in variables_in_text(text) if name not in values]
    if missing:
        raise MissingVariableError(missing)
    # One pass of re.sub: a value that itself contains "{{x}}" is not scanned again.
    return VARIABLE_PATTERN.sub(lambda match: str(values[match.group(1)]), text)


def find_variables(request: dict) -> list[str]:
    """Every variable the request's templated text uses, in order of first appearance."""
    found: dict[str, None] = {}

    def collect(text: str) -> str:
        for name in variables_in_text(text):
            found.setdefault(name, None)
        return text

    # No copy needed: `collect` returns each text unchanged, and unchanged texts are not written back.
    _rewrite_template_texts(request, collect)
    return list(found)


def filled_values(values: Mapping[str, object] | None, names: Iterable[str] | None = None) -> dict[str, str]:
    """The values that count as given (only `names`, when given): a blank one is no value.

    "Write a haiku about  ." is never what anyone meant to send, so an empty or whitespace-only
    value is treated as missing and the run names the variable instead of sending it.
    """
    values = values or {}
    wanted = values.keys() if names is None else [name for name in names if name in values]
    return {name: str(values[name]) for name in wanted if str(values[name]).strip()}


def substitute(request: dict, values: dict[str, str]) -> dict:
    """A deep copy of `request` with every {{name}} replaced; MissingVariableError lists all gaps."""
    missing = [name for name in find_variables(request) if name not in values]
    if missing:
        raise MissingVariableError(missing)
    return _rewrite_template_texts(copy.deepcopy(request), lambda text: render_text(text, values))


def map_template_texts(request: dict, rewrite: Callable[[str], object]) -> dict:
    """A deep copy of `request` with `rewrite` applied to every text a template may live in (code export)."""
    return _rewrite_template_texts(copy.deepcopy(request), rewrite)


def _rewrite_template_texts(request: dict, rewrite: Callable[[str], str]) -> dict:
    """Apply `rewrite` in place to each text a template may live in; returns `request`."""
    # The places: system (string or text blocks), each message's string content, text blocks,
    # tool_result content (string or text blocks), and tool descriptions. Tool-use inputs are
    # the model's own output and thinking blocks are signed, so they and all else stay as written.
    if not isinstance(request, dict):
        return request
    _rewrite_content(request, "system", rewrite)
    for message in request.get("messages") or []:
        if isinstance(message, dict):
            _rewrite_content(message, "content", rewrite)
    for tool in request.get("tools") or []:
        if isinstance(tool, dict) and isinstance(tool.get("description"), str):
            _rewrite_text(tool, "description", rewrite)
    return request


def _rewrite_content(holder: dict, key: str, rewrite: Callable[[str], str]) -> None:
    """Rewrite `holder[key]` when it is a string, or the text blocks in it when it is a list of blocks."""
    value = holder.get(key)
    if isinstance(value, str):
        _rewrite_text(holder, key, rewrite)
    elif isinstance(value, list):
        _rewrite_blocks(value, rewrite)


def _rewrite_text(holder: dict, key: str, rewrite: Callable[[str], str]) -> None:
    new_text = rewrite(holder[key])
    if new_text is not holder[key]:  # find_variables walks the caller's own request: leave it untouched
        holder[key] = new_text


def _rewrite_blocks(blocks: list, rewrite: Callable[[str], str]) -> None:
    """Rewrite text blocks and tool_result contents in a list of content blocks."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            _rewrite_text(block, "text", rewrite)
        elif kind == "tool_result":
            _rewrite_content(block, "content", rewrite)
