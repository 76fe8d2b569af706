"""What an API key looks like, as a field name or a value: the one test the rule book (before a
request is sent) and the call log (before a row is stored) both apply.

Neither the request body nor the log has any business holding a key; the client sends the
configured key in its own header. So a field *named* like a credential, or any text *shaped*
like an Anthropic key, is refused wherever it sits.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

# Anthropic keys: sk-ant-api03-..., sk-ant-admin01-..., sk-ant-oat01-... (long base64url tails).
KEY_VALUE_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{16,}")
# Field and header names that carry credentials, compared lower-cased with "_" read as "-":
# x-api-key, anthropic-api-key, api_key, apikey, authorization, proxy-authorization, ...
_KEY_NAME_PATTERN = re.compile(r"(^|-)(api-?key|authorization|auth-token|access-token|secret-key|client-secret)$")


# Lower-cased pieces of JSON text without which no credential name or key value can be in it.
_TELLTALES = ("sk-ant-", "apikey", "api-key", "api_key", "authorization", "auth-token", "auth_token", "access-token",
              "access_token", "secret", "\\u")


def json_text_may_hold_key(text: str) -> bool:
    """False when the JSON text certainly holds no credential name or key-shaped value, so the
    walk can be skipped (most bodies); an escaped character (\\uXXXX) always means "maybe"."""
    lowered = text.lower()
    return any(telltale in lowered for telltale in _TELLTALES)


def is_key_name(name: object) -> bool:
    """True for a field or header name that would carry a credential."""
    return bool(_KEY_NAME_PATTERN.search(str(name).strip().lower().replace("_", "-")))


def has_key_value(text: object) -> bool:
    """True when the text holds something shaped like an Anthropic API key."""
    return isinstance(text, str) and KEY_VALUE_PATTERN.search(text) is not None


def key_shaped_paths(value: object, path: str = "$") -> Iterator[tuple[str, str]]:
    """(JSON path, "name" | "value") for each credential-named field and key-shaped text, in order.

    Walks without recursion, so a deeply nested body cannot crash the check meant to guard it.
    """
    pending: list[tuple[object, str]] = [(value, path)]
    while pending:
        current, where = pending.pop()
        if isinstance(current, dict):
            children = []
            for key, child in current.items():
                child_path = f"{where}.{key}"
                if is_key_name(key):
                    yield child_path, "name"
                elif has_key_value(key):
                    yield where, "name"
                else:
                    children.append((child, child_path))
            pending.extend(reversed(children))
        elif isinstance(current, list):
            pending.extend(reversed([(child, f"{where}[{index}]") for index, child in enumerate(current)]))
        elif has_key_value(current):
            yield where, "value"


def header_value_problem(key: str) -> str | None:
    """Why `key` cannot be sent as an HTTP header value (it names the character, never the key)."""
    for position, character in enumerate(key, start=1):
        if character in "\r\n":
            return f"it has a line break at character {position}"
        if not 0x20 < ord(character) < 0x7F:
            shown = "a space" if character == " " else f"the character U+{ord(character):04X}"
            return f"it has {shown} at character {position}, which can't be sent in an HTTP header"
    return None
