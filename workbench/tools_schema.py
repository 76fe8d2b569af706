"""Tool definitions (the API's own tool object): what is wrong with one, where, and how to fix it.

Every finding carries a JSON path into the tool object (`$.input_schema.properties.city.type`),
a sentence saying what is wrong and one saying what to do. Errors are what the API refuses;
warnings are what makes a model call the tool badly (no description, strict mode half set up).
The schema itself is meta-validated with `jsonschema` against draft 2020-12, never by hand.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal


from workbench.json_schemas import reference_problems, schema_validator
from workbench.spec import json_path_child, json_type_phrase

if TYPE_CHECKING:  # jsonschema loads with the first schema checked, not when a page is first drawn
    import jsonschema

# The API's patterns for a custom tool's name and for the keys of its input_schema properties.
TOOL_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
PROPERTY_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
# Fields of a custom tool object: the SDK's ToolParam (a test keeps the two equal). Not read from
# the SDK here, so checking a request never has to import it.
TOOL_FIELDS = frozenset({"name", "description", "input_schema", "type", "strict", "cache_control",
                         "defer_loading", "allowed_callers", "eager_input_streaming", "input_examples"})
# Fewer words than this doesn't tell a model when to use the tool or what it returns.
MIN_DESCRIPTION_WORDS = 5
# What people type for a JSON type, from the languages they come from.
_TYPE_SPELLINGS = {
    "str": "string", "text": "string", "int": "integer", "float": "number", "double": "number",
    "decimal": "number", "bool": "boolean", "list": "array", "tuple": "array", "dict": "object",
    "map": "object", "none": "null", "nonetype": "null",
}
# Keywords whose value is a schema, a list of schemas, or a name -> schema map (draft 2020-12).
_SCHEMA_KEYWORDS = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                    "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems")
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem with a tool: where (JSON path), what, how to fix it, and whether the API refuses it."""

    path: str
    message: str
    fix: str
    severity: Severity
    code: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def line(self) -> str:
        """`path: message (fix)`, as the CLI prints it after the file name."""
        return f"{self.path}: {self.message} {self.fix}".strip()


def _error(path: str, code: str, message: str, fix: str) -> Finding:
    return Finding(path=path, message=message, fix=fix, severity="error", code=code)


def _warning(path: str, code: str, message: str, fix: str) -> Finding:
    return Finding(path=path, message=message, fix=fix, severity="warning", code=code)


def errors_in(findings: list[Finding]) -> list[Finding]:
    """Only the findings the API would refuse."""
    return [finding for finding in findings if finding.is_error]


def is_custom_tool(tool: object) -> bool:
    """A tool the caller defines (name + input_schema), as opposed to a server tool like web_search."""
    return isinstance(tool, dict) and tool.get("type") in (None, "custom")


# --- one tool -----------------------------------------------------------------------------------

def validate_tool(tool: object, path: str = "$") -> list[Finding]:
    """Everything wrong with one tool object: errors first, then warnings, each in path order."""
    if not isinstance(tool, dict):
        return [_error(path, "tool_not_object", f"A tool must be a JSON object, not {json_type_phrase(tool)}.",
                       'Write it as {"name": ..., "description": ..., "input_schema": {"type": "object", ...}}.')]
    if not is_custom_tool(tool):
        return _name_findings(tool, path)  # a server tool (web_search_...): the API knows its schema
    findings = _name_findings(tool, path)
    findings += _description_findings(tool.get("description"), json_path_child(path, "description"), "tool")
    findings += _field_findings(tool, path)
    findings += input_schema_findings(tool.get("input_schema", _MISSING), json_path_child(path, "input_schema"),
                                      strict=tool.get("strict") is True)
    return sorted(findings, key=lambda finding: (not finding.is_error,))


_MISSING = object()


def _name_findings(tool: dict, path: str) -> list[Finding]:
    where = json_path_child(path, "name")
    name = tool.get("name", _MISSING)
    if name is _MISSING:
        return [_error(where, "name_missing", "The tool has no name.",
                       'Add "name", e.g. "get_weather" (letters, digits, _ and -; at most 64).')]
    if not isinstance(name, str):
        return [_error(where, "name_not_string", f"The name must be a string, not {json_type_phrase(name)}.",
                       'Give it a text name such as "get_weather".')]
    if TOOL_NAME_PATTERN.match(name):
        return []
    if not name:
        problem = "The name is empty."
    elif len(name) > 64:
        problem = f"The name is {len(name)} characters long; the API allows at most 64."
    else:
        bad = sorted({char for char in name if not re.match(r"[a-zA-Z0-9_-]", char)})
        problem = f"The name has characters the API refuses: {' '.join(repr(char) for char in bad)}."
    return [_error(where, "name_invalid", f"{problem} It must match {TOOL_NAME_PATTERN.pattern}.",
                   f'Try "{suggest_tool_name(name)}".')]


def suggest_tool_name(text: str) -> str:
    """A name the API accepts, made from `text` ("Get weather!" -> "get_weather")."""
    cleaned = re.sub(r"[^a-zA-Z0-9_-]+", "_", text.strip()).strip("_")
    return (cleaned or "my_tool")[:64]


def _description_findings(description: object, where: str, what: str) -> list[Finding]:
    if description is None or description is _MISSING or (isinstance(description, str) and not description.strip()):
        if what == "tool":
            return [_warning(where, "description_missing", "The tool has no description.",
                             "Say what it does, when to use it and what it returns: the model decides "
                             "from this text whether and how to call it.")]
        return [_warning(where, "property_description_missing", f"The {what} has no description.",
                         "Describe what the value means and its format (units, examples).")]
    if not isinstance(description, str):
        return [_error(where, "description_not_string", f"The description must be a string, not "
                       f"{json_type_phrase(description)}.", "Write it as text.")]
    if what == "tool" and len(description.split()) < MIN_DESCRIPTION_WORDS:
        return [_warning(where, "description_vague",
                         f"The description is very short ({len(description.split())} word(s)).",
                         "Say what the tool does, when to use it (and when not), and what it returns; "
                         "three or four sentences is typical.")]
    return []


def _field_findings(tool: dict, path: str) -> list[Finding]:
    findings = []
    for key in tool:
        if key not in TOOL_FIELDS:
            near = _nearest_field(key)
            fix = f'Did you mean "{near}"?' if near else "Remove it: the API refuses fields it doesn't know."
            findings.append(_error(json_path_child(path, key), "unknown_field",
                                   f'"{key}" is not a field of a tool.', fix))
    if "strict" in tool and not isinstance(tool["strict"], bool):
        findings.append(_error(json_path_child(path, "strict"), "strict_not_boolean",
                               f"strict must be true or false, not {json_type_phrase(tool['strict'])}.",
                               "Use true to have inputs guaranteed to match the schema, or remove it."))
    return findings


def _nearest_field(key: str) -> str | None:
    simple = re.sub(r"[^a-z]", "", key.lower())
    for field in sorted(TOOL_FIELDS):
        if re.sub(r"[^a-z]", "", field) == simple:
            return field
    return None


# --- the input schema ---------------------------------------------------------------------------

def input_schema_findings(schema: object, path: str = "$.input_schema", *, strict: bool = False) -> list[Finding]:
    """What is wrong with a tool's input_schema: shape, JSON Schema validity, keys, required, strict mode."""
    if schema is _MISSING:
        return [_error(path, "input_schema_missing", "The tool has no input_schema.",
                       'Add "input_schema": {"type": "object", "properties": {}} (an empty object for no input).')]
    if not isinstance(schema, dict):
        return [_error(path, "input_schema_not_object", f"input_schema must be a JSON object, not "
                       f"{json_type_phrase(schema)}.", 'Write it as {"type": "object", "properties": {...}}.')]
    findings: list[Finding] = []
    if schema.get("type") != "object":
        findings.append(_error(json_path_child(path, "type"), "input_schema_type",
                               f'input_schema must have "type": "object" (it has {_shown(schema.get("type"))}).',
                               'Set "type": "object" and put the inputs under "properties".'))
    findings += meta_schema_findings(schema, path)
    for sub, where in _walk_schemas(schema, path):
        findings += _object_findings(sub, where)
    if strict:
        findings += strict_mode_findings(schema, path)
    return findings


def meta_schema_findings(schema: object, path: str = "$") -> list[Finding]:
    """Each place where `schema` is not valid JSON Schema (draft 2020-12), found by jsonschema itself."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    seen: set[tuple[str, str]] = set()
    findings = []
    try:
        errors = list(validator.iter_errors(schema))
    except RecursionError:
        return [_error(path, "schema_too_deep", "The schema is nested too deeply to check.",
                       "Flatten it, or use $defs and $ref for repeated parts.")]
    if not errors and isinstance(schema, (dict, bool)):
        for parts, reference, problem in reference_problems(schema):
            findings.append(_error(_path_of(path, list(parts)), "ref_unresolvable", f"$ref {reference!r} {problem}",
                                   'Point it at a definition in this schema, e.g. "#/$defs/name".'))
    for error in errors:
        parts = list(error.absolute_path)
        where = _path_of(path, parts)
        if parts and parts[-1] == "type" or (len(parts) >= 2 and parts[-2] == "type"):
            finding = _type_finding(where, error.instance)
        else:
            finding = _error(where, "schema_invalid", f"Not valid JSON Schema: {error.message}.",
                             _schema_fix(error))
        if (finding.path, finding.message) not in seen:  # the 2020-12 vocabularies repeat errors
            seen.add((finding.path, finding.message))
            findings.append(finding)
    return findings


def _type_finding(where: str, value: object) -> Finding:
    if isinstance(value, str) and value.lower() in _TYPE_SPELLINGS:
        fix = f'Use "{_TYPE_SPELLINGS[value.lower()]}".'
    else:
        fix = f"Use one of {', '.join(JSON_TYPES)}."
    return _error(where, "type_unknown", f"{_shown(value)} is not a JSON Schema type.", fix)


def _schema_fix(error: jsonschema.ValidationError) -> str:
    if error.validator == "type" and "object" in str(error.validator_value):
        return 'Each schema must be an object such as {"type": "string"} (or true / false).'
    if error.validator == "type" and "array" in str(error.validator_value):
        return "Write it as a JSON array, e.g. [\"a\", \"b\"]."
    if error.validator == "uniqueItems":
        return "List each value once."
    if error.validator == "minimum":
        return "Use 0 or more."
    return "See the JSON Schema 2020-12 reference for this keyword."


def _object_findings(schema: dict, where: str) -> list[Finding]:
    """Property keys, required names and property descriptions of one object schema."""
    findings: list[Finding] = []
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    for key, child in properties.items():
        child_path = json_path_child(json_path_child(where, "properties"), key)
        if not PROPERTY_KEY_PATTERN.match(key):
            findings.append(_error(child_path, "property_key_invalid",
                                   f"Property key {key!r} is refused by the API: keys must match "
                                   f"{PROPERTY_KEY_PATTERN.pattern}.",
                                   f'Rename it, e.g. "{suggest_property_key(key)}".'))
        if isinstance(child, dict) and "$ref" not in child:
            findings += _description_findings(child.get("description"), json_path_child(child_path, "description"),
                                              f'property "{key}"')
        if isinstance(child, dict) and "enum" in child and child["enum"] == []:
            findings.append(_error(json_path_child(child_path, "enum"), "enum_empty",
                                   f'Property "{key}" has an enum with no values, so no input can be valid.',
                                   "Add the allowed values, or change the type."))
    required = schema.get("required")
    if isinstance(required, list) and not _allows_other_keys(schema):
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in properties:
                findings.append(_error(f"{json_path_child(where, 'required')}[{index}]", "required_unknown",
                                       f'"{name}" is required but is not one of the properties.',
                                       f'Add a property "{name}", or remove it from required'
                                       + (f' (did you mean "{_closest(name, properties)}"?).'
                                          if _closest(name, properties) else ".")))
    return findings


def _allows_other_keys(schema: dict) -> bool:
    # With patternProperties a required key may match a pattern instead of a named property.
    return bool(schema.get("patternProperties"))


def suggest_property_key(key: str) -> str:
    """A property key the API accepts, made from `key` ("user name" -> "user_name")."""
    cleaned = re.sub(r"[^a-zA-Z0-9_.-]+", "_", key.strip()).strip("_")
    return (cleaned or "value")[:64]


def _closest(name: str, options: dict) -> str | None:
    lowered = name.lower().replace("-", "_")
    return next((option for option in options if option.lower().replace("-", "_") == lowered), None)


def _is_object_schema(schema: dict) -> bool:
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    return "object" in types


def open_object_paths(schema: object, path: str = "$") -> list[str]:
    """Paths of the object schemas in `schema` that don't set additionalProperties to false.

    Structured output (output_config.format) and strict tools both need every object closed:
    one walk for both rules.
    """
    return [where for sub, where in _walk_schemas(schema, path)
            if _is_object_schema(sub) and sub.get("additionalProperties") is not False]


def strict_mode_findings(schema: object, path: str = "$.input_schema") -> list[Finding]:
    """What strict tool use needs: additionalProperties false on every object (else the API refuses
    the tool), and every property required (else the model may leave it out)."""
    findings = [_error(json_path_child(where, "additionalProperties"), "strict_additional_properties",
                       "Strict mode needs additionalProperties: false on every object schema; "
                       "the API refuses the tool without it.",
                       'Add "additionalProperties": false here, or turn strict off.')
                for where in open_object_paths(schema, path)]
    for sub, where in _walk_schemas(schema, path):
        if not _is_object_schema(sub):
            continue
        properties = sub.get("properties") if isinstance(sub.get("properties"), dict) else {}
        required = sub.get("required") if isinstance(sub.get("required"), list) else []
        optional = [key for key in properties if key not in required]
        if optional:
            findings.append(_warning(json_path_child(where, "required"), "strict_not_required",
                                     f"In strict mode every property should be required; optional here: "
                                     f"{', '.join(optional)}.",
                                     'Make them required (allow null with "type": [..., "null"] for a value '
                                     "that may be absent)."))
    return findings


def closed_schema(schema: dict) -> dict:
    """A copy of `schema` with additionalProperties: false on every object schema that lacks it.

    What strict tools and structured output (output_config.format) need; used when the page
    turns strict on, or offers a tool's schema as structured output instead of forced tool use.
    """
    closed = copy.deepcopy(schema)
    for sub, _ in _walk_schemas(closed, "$"):
        if _is_object_schema(sub) and "additionalProperties" not in sub:
            sub["additionalProperties"] = False
    return closed


# --- a list of tools ----------------------------------------------------------------------------

def validate_tools(tools: object, path: str = "$.tools") -> list[Finding]:
    """Findings for every tool of a request's `tools`, plus names used twice."""
    if not isinstance(tools, list):
        return [_error(path, "tools_not_list", f"tools must be a JSON array, not {json_type_phrase(tools)}.",
                       "Write it as [{...}, {...}].")]
    findings = []
    seen: dict[str, int] = {}
    for index, tool in enumerate(tools):
        where = f"{path}[{index}]"
        findings += validate_tool(tool, where)
        name = tool.get("name") if isinstance(tool, dict) else None
        if isinstance(name, str):
            if name in seen:
                findings.append(_error(json_path_child(where, "name"), "name_duplicate",
                                       f'Tool name "{name}" is already used by tool {seen[name] + 1}.',
                                       "Give each tool its own name."))
            else:
                seen[name] = index
    return findings


# --- a model's tool_use input ---------------------------------------------------------------------

def input_violations(schema: object, tool_input: object, path: str = "$.input") -> list[Finding]:
    """Each way a tool_use input breaks its tool's input_schema (empty when it is valid)."""
    if not isinstance(schema, dict) or meta_schema_findings(schema):
        return [_error(path, "schema_unusable", "The tool's schema is not valid JSON Schema, so the input "
                       "cannot be checked.", "Fix the tool's schema first.")]
    import jsonschema
    import referencing.exceptions

    # A validator that never fetches a $ref (json_schemas), checking formats too (email, date, ...).
    validator = schema_validator(schema).evolve(format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    findings = []
    try:
        errors = sorted(validator.iter_errors(tool_input), key=lambda error: list(map(str, error.absolute_path)))
    except (RecursionError, referencing.exceptions.Unresolvable) as error:
        return [_error(path, "schema_unusable", f"The input could not be checked ({type(error).__name__}).",
                       "Fix the tool's schema (a $ref that points nowhere, or nesting too deep).")]
    for error in errors:
        findings.append(_error(_path_of(path, list(error.absolute_path)), f"input_{error.validator}",
                               f"{error.message}.", _input_fix(error)))
    return findings


def _input_fix(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "The model left out a required field: make the description say it is needed."
    if error.validator in ("type", "enum", "format", "pattern"):
        return "Tighten the property's description (or turn strict on where the model allows it)."
    if error.validator == "additionalProperties":
        return "The model invented a field: name the allowed fields in the description."
    return "Say the constraint in the property's description, or turn strict on where the model allows it."


# --- walking schemas ------------------------------------------------------------------------------

def _walk_schemas(schema: object, path: str) -> Iterator[tuple[dict, str]]:
    """Every (sub)schema object in `schema` with its JSON path, the schema itself first."""
    if not isinstance(schema, dict):
        return
    yield schema, path
    for keyword in _SCHEMA_KEYWORDS:
        if keyword in schema:
            yield from _walk_schemas(schema[keyword], json_path_child(path, keyword))
    for keyword in _SCHEMA_LIST_KEYWORDS:
        if isinstance(schema.get(keyword), list):
            for index, child in enumerate(schema[keyword]):
                yield from _walk_schemas(child, f"{json_path_child(path, keyword)}[{index}]")
    for keyword in _SCHEMA_MAP_KEYWORDS:
        if isinstance(schema.get(keyword), dict):
            for key, child in schema[keyword].items():
                yield from _walk_schemas(child, json_path_child(json_path_child(path, keyword), key))


def _path_of(base: str, parts: list) -> str:
    where = base
    for part in parts:
        where = f"{where}[{part}]" if isinstance(part, int) else json_path_child(where, str(part))
    return where


def _shown(value: object) -> str:
    if value is None:
        return "none"
    return repr(value) if not isinstance(value, (dict, list)) else json_type_phrase(value)
