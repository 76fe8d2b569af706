"""Generate a JSON value that is valid against a JSON Schema (tool inputs, structured outputs).

Handles what tool and structured-output schemas use in practice: type (or a list of types),
enum, const, $ref to $defs/definitions, anyOf/oneOf (first non-null option), allOf (merged),
objects (properties, required, additionalProperties, min/maxProperties), arrays (items,
prefixItems, min/maxItems, uniqueItems), strings (min/maxLength, format, simple patterns),
numbers and integers (minimum/maximum, exclusive bounds, multipleOf), booleans and null.
Optional properties are included or left out deterministically from the random generator.
"""
from __future__ import annotations

import math
import random
import uuid

from .pattern_strings import string_matching

_MAX_DEPTH = 8
_WORDS = ("simulated", "sample", "value", "alpha", "beta", "gamma", "delta", "echo", "north", "river")
_FORMAT_EXAMPLES = {
    "date-time": "2026-01-15T12:00:00Z",
    "date": "2026-01-15",
    "time": "12:00:00Z",
    "email": "simulated@example.com",
    "uri": "https://example.com/simulated",
    "url": "https://example.com/simulated",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "duration": "PT1H",
}


def generate_value(schema: object, rng: random.Random, *, name: str = "value") -> object:
    """A value valid against `schema` (the schema is also the root for $ref lookups)."""
    return _SchemaWalker(schema, rng).value(schema, name, 0)


class _SchemaWalker:
    """Walks one schema document, resolving $ref against its root."""

    def __init__(self, root: object, rng: random.Random) -> None:
        self.root = root
        self.rng = rng

    def value(self, schema: object, name: str, depth: int) -> object:
        if schema is True or schema is None or schema == {}:
            return f"simulated {name}"
        if not isinstance(schema, dict):
            return None
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema and schema["enum"]:
            return self.rng.choice(list(schema["enum"]))
        if "allOf" in schema:
            return self.value(self._merge_all_of(schema), name, depth)
        for keyword in ("anyOf", "oneOf"):
            if schema.get(keyword):
                # Boolean subschemas are legal: `true` accepts anything (an empty schema), `false` nothing.
                options = [self._resolve(option) if isinstance(option, dict) else {}
                           for option in schema[keyword] if option is True or isinstance(option, dict)]
                non_null = [option for option in options if option.get("type") != "null"]
                if options:
                    return self.value((non_null or options)[0], name, depth + 1)
        kind = self._type_of(schema)
        if depth > _MAX_DEPTH and kind in ("object", "array"):
            kind = "null" if "null" in _as_list(schema.get("type")) else kind
        maker = getattr(self, f"_make_{kind}", self._make_string)
        return maker(schema, name, depth)

    def _resolve(self, schema: dict) -> dict:
        """Follow local $refs ("#/$defs/x", "#/definitions/x"); sibling keywords are kept."""
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < 20:
            target: object = self.root
            for part in schema["$ref"].lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**(target if isinstance(target, dict) else {}), **siblings}
            seen += 1
        return schema

    def _merge_all_of(self, schema: dict) -> dict:
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            part = self._resolve(part) if isinstance(part, dict) else {}
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = sorted(set(merged.get("required", [])) | set(value))
                else:
                    merged.setdefault(key, value)
        return merged

    def _type_of(self, schema: dict) -> str:
        types = [kind for kind in _as_list(schema.get("type")) if kind != "null"]
        if types:
            return types[0]
        if "null" in _as_list(schema.get("type")):
            return "null"
        if "properties" in schema or "additionalProperties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
        if any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
            return "number"
        return "string"

    def _make_object(self, schema: dict, name: str, depth: int) -> dict:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        result: dict = {}
        for prop_name, prop_schema in properties.items():
            if prop_name in required or self.rng.random() < 0.6:
                result[prop_name] = self.value(prop_schema, prop_name, depth + 1)
        extra_schema = schema.get("additionalProperties", True)
        extra_index = 0
        while len(result) < int(schema.get("minProperties", 0)) and extra_schema is not False:
            key = f"extra_{extra_index}"
            extra_index += 1
            if key not in result:
                result[key] = self.value(extra_schema if isinstance(extra_schema, dict) else {}, key, depth + 1)
        # Leave optional properties out again if maxProperties is exceeded.
        maximum = schema.get("maxProperties")
        if isinstance(maximum, int):
            for key in [key for key in result if key not in required][: max(0, len(result) - maximum)]:
                del result[key]
        return result

    def _make_array(self, schema: dict, name: str, depth: int) -> list:
        prefix = schema.get("prefixItems") or (schema["items"] if isinstance(schema.get("items"), list) else [])
        item_schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        count = max(low, self.rng.randint(1, 3))
        if isinstance(high, int):
            count = min(count, high)
        items: list = []
        attempts = 0
        while len(items) < count and attempts < count * 10:
            attempts += 1
            index = len(items)
            part = prefix[index] if index < len(prefix) else item_schema
            item = self.value(part, f"{name} {index + 1}", depth + 1)
            if schema.get("uniqueItems") and item in items:
                continue
            items.append(item)
        return items

    def _make_string(self, schema: dict, name: str, depth: int) -> str:
        text = None
        if isinstance(schema.get("pattern"), str):
            text = string_matching(schema["pattern"], self.rng)
        if text is None and schema.get("format") == "uuid":
            text = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if text is None:
            text = _FORMAT_EXAMPLES.get(str(schema.get("format")))
        if text is None:
            text = f"{self.rng.choice(_WORDS)} {name}".replace("_", " ")
        minimum = int(schema.get("minLength", 0))
        maximum = schema.get("maxLength")
        while len(text) < minimum:
            text += " sample"
        if isinstance(maximum, int):
            text = text[:maximum]
        return text

    def _make_integer(self, schema: dict, name: str, depth: int) -> int:
        low, high = _bounds(schema, integer=True)
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            first = math.ceil(low / step)
            last = math.floor(high / step)
            return int(self.rng.randint(first, max(first, last)) * step)
        return self.rng.randint(low, max(low, high))

    def _make_number(self, schema: dict, name: str, depth: int) -> float | int:
        if isinstance(schema.get("multipleOf"), (int, float)):
            return self._make_integer(schema, name, depth)
        low, high = _bounds(schema, integer=False)
        value = round(self.rng.uniform(low, high), 2)
        return min(max(value, low), high)

    def _make_boolean(self, schema: dict, name: str, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _make_null(self, schema: dict, name: str, depth: int) -> None:
        return None


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _bounds(schema: dict, *, integer: bool) -> tuple:
    """Inclusive [low, high] from minimum/maximum and their exclusive forms, defaulting to 0..100."""
    nudge = 1 if integer else 0.01
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema["exclusiveMinimum"], bool):
        low = schema["exclusiveMinimum"] + nudge
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema["exclusiveMaximum"], bool):
        high = schema["exclusiveMaximum"] - nudge
    if low is None and high is None:
        low, high = 0, 100
    elif low is None:
        low = min(0, high) if high >= 0 else high - 100
    elif high is None:
        high = max(low + 100, 100) if low <= 100 else low + 100
    if integer:
        low, high = math.ceil(low), math.floor(high)
    return low, max(low, high)
