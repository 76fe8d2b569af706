"""Write JSON values as source literals: Python, JavaScript/TypeScript and jq, escaped for each.

Characters that are not printable (control and format characters, line separators, lone
surrogates) are always written as escapes, so a snippet shows exactly what it sends and pastes
safely into a terminal or editor.
"""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable

from workbench.codegen.plan import Template, Variable

_INLINE_WIDTH = 80


def _escape(text: str, specials: dict[str, str], escape_code: Callable[[int], str]) -> str:
    out = []
    for ch in text:
        if ch in specials:
            out.append(specials[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(escape_code(ord(ch)))
    return "".join(out)


def _python_code(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _js_code(code: int) -> str:
    return f"\\u{code:04x}" if code < 0x10000 else f"\\u{{{code:x}}}"


def _json_code(code: int) -> str:
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_COMMON = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_DOUBLE_QUOTED = {**_COMMON, '"': '\\"'}
_BACKTICK = {**_COMMON, "`": "\\`"}


def python_string(text: str) -> str:
    return '"' + _escape(text, _DOUBLE_QUOTED, _python_code) + '"'


def js_string(text: str) -> str:
    return '"' + _escape(text, _DOUBLE_QUOTED, _js_code) + '"'


def json_string(text: str) -> str:
    """A JSON (and jq) string literal; ASCII-safe for anything unprintable."""
    return '"' + _escape(text, _DOUBLE_QUOTED, _json_code) + '"'


def printable_json(value: object) -> str:
    """Pretty JSON (2-space indent, real UTF-8) with every unprintable character escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    # json.dumps already escapes C0 controls; what remains unprintable can only sit inside strings.
    return re.sub(r"[^\n]", lambda m: m.group() if m.group().isprintable() else _json_code(ord(m.group())), text)


class LiteralWriter(ABC):
    """Writes a JSON value (with Template texts) as a source literal; subclasses set the syntax."""

    indent_unit = "    "
    trailing_comma = True
    true, false, null = "true", "false", "null"

    def __init__(self, identifiers: dict[str, str] | None = None):
        self.identifiers = identifiers or {}

    # --- per-language pieces
    @abstractmethod
    def string(self, text: str) -> str:
        """A string literal."""

    @abstractmethod
    def template(self, parts: tuple[str | Variable, ...]) -> str:
        """A literal that fills in kept variables (f-string, template literal, jq interpolation)."""

    def key(self, key: str) -> str:
        return self.string(key)

    def concat(self, pieces: list[str], indent: str) -> str:
        inner = indent + self.indent_unit
        return (" +\n" + inner).join(pieces)

    # --- shared layout
    def value(self, value: object, indent: str = "") -> str:
        if isinstance(value, (str, Template)):
            return self.text(value, indent)
        if value is True:
            return self.true
        if value is False:
            return self.false
        if value is None:
            return self.null
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, dict):
            return self.mapping(value, indent)
        if isinstance(value, list):
            return self.sequence(value, indent)
        raise TypeError(f"not a JSON value: {type(value).__name__}")

    def text(self, value: str | Template, indent: str) -> str:
        template = value if isinstance(value, Template) else Template((value,))
        lines = template.lines() or [("",)]
        pieces = [self._piece(parts) for parts in lines]
        return pieces[0] if len(pieces) == 1 else self.concat(pieces, indent)

    def _piece(self, parts: tuple[str | Variable, ...]) -> str:
        if any(isinstance(part, Variable) for part in parts):
            return self.template(parts)
        return self.string("".join(parts))  # type: ignore[arg-type]

    def mapping(self, mapping: dict, indent: str) -> str:
        if not mapping:
            return "{}"
        entries = [(self.key(key), child) for key, child in mapping.items()]
        return self._block("{", "}", [(f"{key}: ", child) for key, child in entries], indent)

    def sequence(self, items: list, indent: str) -> str:
        if not items:
            return "[]"
        return self._block("[", "]", [("", child) for child in items], indent)

    def _block(self, opening: str, closing: str, entries: list[tuple[str, object]], indent: str) -> str:
        if all(_is_flat(child) for _, child in entries):
            inline = opening + ", ".join(prefix + self.value(child) for prefix, child in entries) + closing
            if len(indent) + len(inline) <= _INLINE_WIDTH and "\n" not in inline:
                return self._inline_spacing(inline, opening, closing)
        inner = indent + self.indent_unit
        lines = [inner + prefix + self.value(child, inner) for prefix, child in entries]
        last = "," if self.trailing_comma else ""
        return opening + "\n" + ",\n".join(lines) + last + "\n" + indent + closing

    def _inline_spacing(self, inline: str, opening: str, closing: str) -> str:
        return inline


def _is_flat(value: object) -> bool:
    if isinstance(value, Template):
        return len(value.lines()) <= 1
    if isinstance(value, str):
        return "\n" not in value[:-1]
    return not isinstance(value, (dict, list)) or not value


class PythonWriter(LiteralWriter):
    true, false, null = "True", "False", "None"

    def string(self, text: str) -> str:
        return python_string(text)

    def template(self, parts: tuple[str | Variable, ...]) -> str:
        out = []
        for part in parts:
            if isinstance(part, Variable):
                out.append("{" + self.identifiers[part.name] + "}")
            else:
                escaped = _escape(part, _DOUBLE_QUOTED, _python_code)
                out.append(escaped.replace("{", "{{").replace("}", "}}"))
        return 'f"' + "".join(out) + '"'

    def concat(self, pieces: list[str], indent: str) -> str:
        inner = indent + self.indent_unit
        return "(\n" + "\n".join(inner + piece for piece in pieces) + "\n" + indent + ")"


_JS_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


class TypeScriptWriter(LiteralWriter):
    indent_unit = "  "

    def string(self, text: str) -> str:
        return js_string(text)

    def key(self, key: str) -> str:
        if key == "__proto__":
            return '["__proto__"]'  # a plain __proto__ key would set the prototype, not add a field
        return key if _JS_IDENTIFIER.fullmatch(key) else js_string(key)

    def template(self, parts: tuple[str | Variable, ...]) -> str:
        out = []
        for part in parts:
            if isinstance(part, Variable):
                out.append("${" + self.identifiers[part.name] + "}")
            else:
                out.append(_escape(part, _BACKTICK, _js_code).replace("${", "\\${"))
        return "`" + "".join(out) + "`"

    def _inline_spacing(self, inline: str, opening: str, closing: str) -> str:
        if opening == "{":  # Prettier's style: { type: "text" }
            return "{ " + inline[1:-1] + " }"
        return inline


class JqWriter(LiteralWriter):
    """A jq program that builds the body; kept variables become jq string interpolation."""

    indent_unit = "  "
    trailing_comma = False

    def string(self, text: str) -> str:
        return json_string(text)

    def concat(self, pieces: list[str], indent: str) -> str:
        return "(" + super().concat(pieces, indent) + ")"  # jq wants a sum in parentheses as an object value

    def template(self, parts: tuple[str | Variable, ...]) -> str:
        out = []
        for part in parts:
            if isinstance(part, Variable):
                out.append("\\($" + self.identifiers[part.name] + ")")
            else:
                out.append(_escape(part, _DOUBLE_QUOTED, _json_code))
        return '"' + "".join(out) + '"'
