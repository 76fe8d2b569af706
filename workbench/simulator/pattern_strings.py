"""Make a string that matches a regular expression (JSON Schema `pattern`), for simple patterns."""
from __future__ import annotations

import random
import re

try:  # Python 3.11+ keeps the regex parser here; sre_parse is its deprecated alias.
    from re import _parser as regex_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as regex_parser  # type: ignore[no-redef]

_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyz0123456789_",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_DIGIT": "abcxyz",
    "CATEGORY_NOT_WORD": "-. ",
    "CATEGORY_NOT_SPACE": "abc123",
}
_MAX_OPEN_REPEAT = 3


def string_matching(pattern: str, rng: random.Random) -> str | None:
    """A string that re.search()es the pattern, or None when the pattern is beyond this generator."""
    try:
        parsed = regex_parser.parse(pattern)
        for _attempt in range(8):
            candidate = _emit(parsed, rng)
            if re.search(pattern, candidate):
                return candidate
    except (re.error, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None
    return None


def _emit(items, rng: random.Random) -> str:
    return "".join(_emit_item(op, arg, rng) for op, arg in items)


def _emit_item(op, arg, rng: random.Random) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "NOT_LITERAL":
        return "a" if chr(arg) != "a" else "b"
    if name == "ANY":
        return "x"
    if name == "IN":
        return _emit_class(arg, rng)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = arg
        high = low + _MAX_OPEN_REPEAT if high == regex_parser.MAXREPEAT else high
        return "".join(_emit(body, rng) for _ in range(rng.randint(low, max(low, high))))
    if name == "SUBPATTERN":
        return _emit(arg[-1], rng)
    if name == "BRANCH":
        return _emit(rng.choice(arg[1]), rng)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return ""
    if name == "CATEGORY":
        return rng.choice(_CATEGORY_CHARS.get(str(arg), "a"))
    raise ValueError(f"unsupported regex element {name}")


def _emit_class(members, rng: random.Random) -> str:
    if members and str(members[0][0]) == "NEGATE":
        excluded = _class_chars(members[1:])
        choices = [c for c in "abcdefghijklmnopqrstuvwxyz0123456789" if c not in excluded]
        return rng.choice(choices) if choices else "~"
    chars = _class_chars(members)
    if not chars:
        raise ValueError("empty character class")
    return rng.choice(chars)


def _class_chars(members) -> str:
    chars = []
    for op, arg in members:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            chars.extend(chr(code) for code in range(low, min(high, low + 60) + 1))
        elif name == "CATEGORY":
            chars.extend(_CATEGORY_CHARS.get(str(arg), ""))
    return "".join(chars)
