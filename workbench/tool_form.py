"""The tool builder's edits: pure functions from a tool object to a new one (no streamlit here).

The form and the raw JSON are two views of one tool object. Every form widget reads a value
from the tool and writes back through one of these edits, so JSON the form cannot express
(oneOf, anyOf, $defs, $ref, ...) is never touched: the form shows it read-only and the edit
functions leave it as it is.

A parameter is addressed by its path: the property names from input_schema down. The children
of an object parameter live in its "properties"; those of an array of objects in
"items.properties".
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from workbench.request_edits import set_output_schema
from workbench.spec import loads_strict_json
from workbench.tools_schema import closed_schema

PARAM_KINDS = ("string", "number", "integer", "boolean", "enum", "array", "object")
ITEM_KINDS = ("string", "number", "integer", "boolean", "enum", "object")
ADVANCED = "advanced"  # a schema the form shows read-only (oneOf, $ref, a list of types, ...)
# Keywords the form does not edit; a schema using one is shown as JSON, read-only, and kept intact.
_ADVANCED_KEYWORDS = frozenset({
    "oneOf", "anyOf", "allOf", "not", "$ref", "$defs", "definitions", "if", "then", "else", "const",
    "prefixItems", "patternProperties", "dependentSchemas", "dependentRequired", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems", "contains", "$dynamicRef",
})
# Constraints the form offers per kind (JSON Schema keyword, label).
CONSTRAINTS = {
    "string": (("minLength", "min length"), ("maxLength", "max length"), ("pattern", "pattern"), ("format", "format")),
    "number": (("minimum", "minimum"), ("maximum", "maximum")),
    "integer": (("minimum", "minimum"), ("maximum", "maximum")),
    "array": (("minItems", "min items"), ("maxItems", "max items")),
}
STRING_FORMATS = ("", "date", "date-time", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname")
_KIND_KEYWORDS = frozenset({"type", "enum", "items", "properties", "required", "additionalProperties",
                            "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
                            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
                            "uniqueItems", "minProperties", "maxProperties", "default"})

ParamPath = tuple[str, ...]


def new_tool(name: str = "") -> dict:
    """An empty tool: a name, a description and an object schema with no parameters yet."""
    return {"name": name, "description": "", "input_schema": {"type": "object", "properties": {}, "required": []}}


def param_kind(schema: object) -> str:
    """What the form shows for a schema: one of PARAM_KINDS, or ADVANCED (shown read-only)."""
    if not isinstance(schema, dict) or _ADVANCED_KEYWORDS & schema.keys():
        return ADVANCED
    kind = schema.get("type")
    if "enum" in schema:
        return "enum" if kind in (None, "string", "number", "integer") and isinstance(schema["enum"], list) else ADVANCED
    if kind in ("string", "number", "integer", "boolean"):
        return kind
    if kind == "array":
        items = schema.get("items")
        return "array" if items is None or item_kind(schema) != ADVANCED else ADVANCED
    if kind == "object":
        properties = schema.get("properties", {})
        return "object" if isinstance(properties, dict) else ADVANCED
    return ADVANCED


def item_kind(schema: dict) -> str:
    """The kind of an array's items ("string" when it has no items schema yet)."""
    items = schema.get("items")
    if items is None:
        return "string"
    kind = param_kind(items)
    return kind if kind in ITEM_KINDS else ADVANCED


@dataclass(frozen=True)
class Param:
    """One parameter as the form shows it."""

    path: ParamPath
    schema: object  # a dict unless the JSON holds something else (shown read-only then)
    kind: str
    required: bool

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def has_children(self) -> bool:
        return self.kind == "object" or (self.kind == "array" and item_kind(self.schema) == "object")  # type: ignore[arg-type]


def input_schema(tool: dict) -> dict:
    schema = tool.get("input_schema")
    return schema if isinstance(schema, dict) else {}


def object_at(tool: dict, parent: ParamPath) -> dict | None:
    """The object schema whose properties are the children of `parent` (() is the input schema)."""
    schema: object = input_schema(tool)
    for name in parent:
        if not isinstance(schema, dict):
            return None
        schema = (schema.get("properties") or {}).get(name)
        if isinstance(schema, dict) and schema.get("type") == "array":
            schema = schema.get("items")
    return schema if isinstance(schema, dict) else None


def params(tool: dict, parent: ParamPath = ()) -> list[Param]:
    """The parameters under `parent`, in the schema's order."""
    holder = object_at(tool, parent)
    if holder is None or not isinstance(holder.get("properties"), dict):
        return []
    required = holder.get("required") if isinstance(holder.get("required"), list) else []
    return [Param((*parent, name), schema, param_kind(schema), name in required)
            for name, schema in holder["properties"].items()]


def unexpressed_keys(tool: dict) -> dict:
    """input_schema keys the form does not edit ($defs, anyOf, ...): shown read-only, kept as they are."""
    schema = input_schema(tool)
    return {key: value for key, value in schema.items() if key not in ("type", "properties", "required",
                                                                         "additionalProperties")}


# --- edits of the tool --------------------------------------------------------------------------

def set_tool_field(tool: dict, key: str, value: str) -> dict:
    """Set name or description."""
    edited = copy.deepcopy(tool)
    edited[key] = value
    return edited


def set_strict(tool: dict, on: bool) -> dict:
    """Turn strict on (closing every object schema, as strict mode needs) or off (removing the key)."""
    edited = copy.deepcopy(tool)
    if on:
        edited["strict"] = True
        edited["input_schema"] = closed_schema(input_schema(edited))
    else:
        edited.pop("strict", None)
    return edited


def _holder(tool: dict, path: ParamPath) -> tuple[dict, dict]:
    """(edited copy, the object schema holding the parameter at `path`); KeyError when it is gone."""
    edited = copy.deepcopy(tool)
    holder = object_at(edited, path[:-1])
    if holder is None or path[-1] not in (holder.get("properties") or {}):
        raise KeyError(f"no parameter {'.'.join(path)}")
    return edited, holder


def add_param(tool: dict, parent: ParamPath = (), name: str | None = None) -> dict:
    """Add a required string parameter under `parent` (named param_1, param_2, ... unless given)."""
    edited = copy.deepcopy(tool)
    if not parent:
        edited.setdefault("input_schema", {"type": "object"})
    holder = object_at(edited, parent)
    if holder is None:
        raise KeyError(f"no object parameter {'.'.join(parent)}")
    properties = holder.setdefault("properties", {})
    if name is None:
        number = len(properties) + 1
        while f"param_{number}" in properties:
            number += 1
        name = f"param_{number}"
    if name in properties:
        raise ValueError(f'There is already a parameter "{name}" here.')
    properties[name] = {"type": "string", "description": ""}
    required = holder.setdefault("required", [])
    if isinstance(required, list):
        required.append(name)
    if edited.get("strict") is True:
        holder.setdefault("additionalProperties", False)
    return edited


def remove_param(tool: dict, path: ParamPath) -> dict:
    edited, holder = _holder(tool, path)
    del holder["properties"][path[-1]]
    if isinstance(holder.get("required"), list) and path[-1] in holder["required"]:
        holder["required"].remove(path[-1])
    return edited


def rename_param(tool: dict, path: ParamPath, new_name: str) -> dict:
    """Rename a parameter, keeping its place in the order and in required; ValueError on a clash."""
    edited, holder = _holder(tool, path)
    old = path[-1]
    if new_name == old:
        return edited
    if not new_name:
        raise ValueError("A parameter needs a name.")
    if new_name in holder["properties"]:
        raise ValueError(f'There is already a parameter "{new_name}" here.')
    holder["properties"] = {(new_name if key == old else key): value for key, value in holder["properties"].items()}
    if isinstance(holder.get("required"), list):
        holder["required"] = [new_name if key == old else key for key in holder["required"]]
    return edited


def set_required(tool: dict, path: ParamPath, required: bool) -> dict:
    edited, holder = _holder(tool, path)
    names = holder.get("required") if isinstance(holder.get("required"), list) else []
    names = [name for name in names if name != path[-1]]
    if required:
        order = list(holder["properties"])
        names.append(path[-1])
        names.sort(key=lambda name: order.index(name) if name in order else len(order))
    holder["required"] = names
    return edited


def _schema_for_kind(kind: str, old: dict, strict: bool) -> dict:
    kept = {key: old[key] for key in ("description",) if key in old}
    kept.update({key: value for key, value in old.items() if key not in _KIND_KEYWORDS and key != "description"})
    if kind == "enum":
        values = old.get("enum") if isinstance(old.get("enum"), list) else []
        return {"type": "string", **kept, "enum": values}
    if kind == "array":
        return {"type": "array", **kept, "items": {"type": "string"}}
    if kind == "object":
        schema = {"type": "object", **kept, "properties": {}, "required": []}
        if strict:
            schema["additionalProperties"] = False
        return schema
    return {"type": kind, **kept}


def set_kind(tool: dict, path: ParamPath, kind: str) -> dict:
    """Change a parameter's kind; its description stays, constraints of the old kind go."""
    if kind not in PARAM_KINDS:
        raise ValueError(f"kind must be one of {', '.join(PARAM_KINDS)}")
    edited, holder = _holder(tool, path)
    old = holder["properties"][path[-1]]
    if param_kind(old) == kind:
        return edited
    holder["properties"][path[-1]] = _schema_for_kind(kind, old if isinstance(old, dict) else {},
                                                      edited.get("strict") is True)
    return edited


def set_item_kind(tool: dict, path: ParamPath, kind: str) -> dict:
    """Change the item kind of an array parameter."""
    if kind not in ITEM_KINDS:
        raise ValueError(f"item kind must be one of {', '.join(ITEM_KINDS)}")
    edited, holder = _holder(tool, path)
    schema = holder["properties"][path[-1]]
    old_items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    if param_kind(old_items) != kind:
        schema["items"] = _schema_for_kind(kind, {}, edited.get("strict") is True)
    return edited


def set_constraint(tool: dict, path: ParamPath, keyword: str, value: object) -> dict:
    """Set (or, with None or "", remove) one keyword of a parameter's schema: description, a constraint."""
    edited, holder = _holder(tool, path)
    schema = holder["properties"][path[-1]]
    if value is None or value == "":
        schema.pop(keyword, None)
    else:
        schema[keyword] = value
    return edited


def set_enum_values(tool: dict, path: ParamPath, values: list) -> dict:
    """The allowed values of an enum parameter (or of an array of enums' items)."""
    edited, holder = _holder(tool, path)
    schema = holder["properties"][path[-1]]
    target = schema["items"] if schema.get("type") == "array" and isinstance(schema.get("items"), dict) else schema
    target["enum"] = list(values)
    kinds = {("integer" if isinstance(v, int) and not isinstance(v, bool) else "number" if isinstance(v, float)
              else "string") for v in values}
    target["type"] = kinds.pop() if len(kinds) == 1 else "string"
    return edited


def enum_values_from_text(text: str) -> list:
    """One allowed value per line; a line that is a JSON number becomes that number."""
    values: list = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            number = json.loads(line)
        except ValueError:
            number = None
        values.append(number if isinstance(number, (int, float)) and not isinstance(number, bool) else line)
    return values


def enum_values_text(values: object) -> str:
    return "\n".join(str(value) for value in values) if isinstance(values, list) else ""


def default_from_text(kind: str, text: str) -> object:
    """A default typed in the form, as a value of the parameter's kind; ValueError says what to type."""
    if text == "":
        return None
    if kind in ("string", "enum"):
        return text
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError("Type true or false.")
        return lowered == "true"
    try:
        value = loads_strict_json(text)
    except ValueError:
        raise ValueError({"integer": "Type a whole number.", "number": "Type a number."}.get(
            kind, "Type a JSON value, e.g. [1, 2] or {\"a\": 1}.")) from None
    expected = {"integer": int, "number": (int, float), "array": list, "object": dict}.get(kind)
    if expected and (not isinstance(value, expected) or isinstance(value, bool)):
        raise ValueError({"integer": "Type a whole number.", "number": "Type a number.",
                          "array": "Type a JSON array, e.g. [1, 2].",
                          "object": "Type a JSON object, e.g. {\"a\": 1}."}[kind])
    return value


def default_text(kind: str, value: object) -> str:
    if value is None:
        return ""
    if kind in ("string", "enum") and isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def number_from_text(kind: str, keyword: str, text: str) -> object:
    """A numeric constraint typed in the form (None when blank); ValueError says what to type."""
    if not text.strip():
        return None
    try:
        value = float(text) if kind == "number" and keyword in ("minimum", "maximum") else int(text)
    except ValueError:
        whole = kind != "number" or keyword not in ("minimum", "maximum")
        raise ValueError("Type a whole number." if whole else "Type a number.") from None
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- tools in a request --------------------------------------------------------------------------

def attach_tool(request: dict, tool: dict) -> tuple[dict, bool]:
    """The request with `tool` added to its tools, or replacing the tool of that name; True if replaced."""
    edited = copy.deepcopy(request)
    tools = edited.setdefault("tools", [])
    for index, existing in enumerate(tools):
        if isinstance(existing, dict) and existing.get("name") == tool.get("name"):
            tools[index] = copy.deepcopy(tool)
            return edited, True
    tools.append(copy.deepcopy(tool))
    return edited, False


def detach_tool(request: dict, index: int) -> dict:
    """The request without tool `index` (and without tools or a tool_choice naming it, when they go)."""
    edited = copy.deepcopy(request)
    tools = edited.get("tools") or []
    if not 0 <= index < len(tools):
        return edited
    removed = tools.pop(index)
    choice = edited.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool" and choice.get("name") == removed.get("name"):
        edited.pop("tool_choice")
    if not tools:
        edited.pop("tools", None)
        if isinstance(edited.get("tool_choice"), dict) and edited["tool_choice"].get("type") in ("any", "tool"):
            edited.pop("tool_choice")
    return edited


def set_tool_choice(request: dict, choice: dict | None) -> dict:
    """Set tool_choice; None removes it (the API then uses auto)."""
    edited = copy.deepcopy(request)
    if choice is None:
        edited.pop("tool_choice", None)
    else:
        edited["tool_choice"] = copy.deepcopy(choice)
    return edited


def release_forced_tool_choice(request: dict) -> tuple[dict, bool]:
    """The request with a forced tool_choice (any / tool) removed; True when one was.

    After tool results, a forced choice would make the model call a tool again instead of giving
    its final answer, so the answer turn goes back to the API's default (auto).
    """
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        return set_tool_choice(request, None), True
    return copy.deepcopy(request), False


def structured_output_instead(request: dict, tool_name: str) -> dict:
    """Ask for the tool's input as structured output (output_config.format) instead of forcing the tool.

    For models that refuse forced tool use (the seed's "forced tool_choice for structured output"
    pattern): the reply's text is JSON matching the tool's input schema, every object closed as
    structured output requires. The tool was there only to shape the reply, so it is removed, and
    tool_choice goes back to the API's default.
    """
    tools = request.get("tools") or []
    index = next((index for index, tool in enumerate(tools) if isinstance(tool, dict)
                  and tool.get("name") == tool_name), None)
    if index is None:
        raise KeyError(f"no tool named {tool_name!r}")
    schema = closed_schema(input_schema(tools[index]))
    return set_output_schema(set_tool_choice(detach_tool(request, index), None), schema)
