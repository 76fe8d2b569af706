"""Infer a tool's input_schema from an example input (JSON) or from a Python function's source.

Python source is parsed with `ast` and read as text: it is never executed, compiled to run,
or imported, so a function whose body deletes files or raises is as safe to paste as any other.
Annotations and defaults are read from the syntax tree (`ast.literal_eval` for defaults, which
evaluates literals only).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from workbench.tools_schema import suggest_property_key, suggest_tool_name

# Python annotation name -> JSON Schema type.
_SCALAR_TYPES = {
    "str": "string", "int": "integer", "float": "number", "bool": "boolean", "bytes": "string",
    "dict": "object", "Dict": "object", "Mapping": "object", "list": "array", "List": "array",
    "Sequence": "array", "Iterable": "array", "set": "array", "Set": "array", "frozenset": "array",
    "tuple": "array", "Tuple": "array", "None": "null", "NoneType": "null",
    "Decimal": "number", "date": "string", "datetime": "string", "time": "string", "UUID": "string",
    "Path": "string",
}
_FORMATS = {"date": "date", "datetime": "date-time", "time": "time", "UUID": "uuid"}
_SKIPPED_PARAMETERS = ("self", "cls")
_DOC_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Returns?|Raises|Yields|Examples?|"
                          r"Notes?)\s*:?\s*$")


class InferenceError(ValueError):
    """The input can't be turned into a tool (not JSON, not Python, no such function); says what to do."""


@dataclass
class Inferred:
    """A tool object and what inference could not work out (said to the user, not hidden)."""

    tool: dict
    notes: list[str] = field(default_factory=list)


# --- from an example input --------------------------------------------------------------------------

def schema_from_example(value: object) -> dict:
    """A JSON Schema that the example value fits: types, nested objects, arrays (items merged)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        schema: dict = {"type": "array"}
        if value:
            schema["items"] = _merge_schemas([schema_from_example(item) for item in value])
        return schema
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {key: schema_from_example(item) for key, item in value.items()},
            "required": [key for key, item in value.items() if item is not None],
        }
    raise InferenceError(f"cannot infer a schema from a {type(value).__name__}")


def _merge_schemas(schemas: list[dict]) -> dict:
    """One schema for array items that differ: objects merge keys (required = present in all)."""
    types = list(dict.fromkeys(schema.get("type") for schema in schemas))
    if set(types) == {"integer", "number"}:
        return {"type": "number"}
    if len(types) > 1:
        non_null = [kind for kind in types if kind != "null"]
        if len(non_null) == 1:
            merged = _merge_schemas([schema for schema in schemas if schema.get("type") != "null"])
            return {**merged, "type": [non_null[0], "null"]}
        return {"anyOf": [_merge_schemas([s for s in schemas if s.get("type") == kind]) for kind in types]}
    kind = types[0]
    if kind == "object":
        keys = list(dict.fromkeys(key for schema in schemas for key in schema["properties"]))
        properties = {key: _merge_schemas([schema["properties"][key] for schema in schemas
                                           if key in schema["properties"]]) for key in keys}
        required = [key for key in keys if all(key in schema.get("required", []) for schema in schemas)]
        return {"type": "object", "properties": properties, "required": required}
    if kind == "array":
        items = [schema["items"] for schema in schemas if "items" in schema]
        return {"type": "array", **({"items": _merge_schemas(items)} if items else {})}
    return schemas[0]


def tool_from_example(example: object, name: str = "my_tool", description: str = "") -> Inferred:
    """A tool whose input_schema fits the example input (a JSON object of argument name -> value)."""
    if not isinstance(example, dict):
        raise InferenceError("The example must be a JSON object of argument name -> example value, "
                             'e.g. {"city": "Paris", "days": 3}.')
    schema = schema_from_example(example)
    notes = []
    for key, value in example.items():
        if value is None:
            notes.append(f'"{key}" was null in the example, so its type is unknown: set it in the form.')
        elif isinstance(value, list) and not value:
            notes.append(f'"{key}" was an empty array, so its item type is unknown: set it in the form.')
    renamed = {key: suggest_property_key(key) for key in example if suggest_property_key(key) != key}
    for old, new in renamed.items():
        notes.append(f'Property key "{old}" is refused by the API; renamed to "{new}".')
    schema = _renamed_properties(schema, renamed)
    tool = {"name": suggest_tool_name(name), "description": description, "input_schema": schema}
    return Inferred(tool=tool, notes=notes)


def _renamed_properties(schema: dict, renamed: dict[str, str]) -> dict:
    if not renamed:
        return schema
    schema = dict(schema)
    schema["properties"] = {renamed.get(key, key): value for key, value in schema["properties"].items()}
    schema["required"] = [renamed.get(key, key) for key in schema["required"]]
    return schema


# --- from a Python function ---------------------------------------------------------------------------

def function_names(source: str) -> list[str]:
    """Functions defined in `source` (top level and `Class.method`), in file order."""
    tree = _parse(source)
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            names += [f"{node.name}.{item.name}" for item in node.body
                      if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return names


def tool_from_python(source: str, function: str | None = None) -> Inferred:
    """A tool for one function of `source`: parameters, annotations, defaults and docstring."""
    tree = _parse(source)
    node = _find_function(tree, function)
    notes: list[str] = []
    summary, parameter_docs = _read_docstring(ast.get_docstring(node) or "")
    properties: dict = {}
    required: list[str] = []
    arguments = node.args
    positional = arguments.posonlyargs + arguments.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))
    for index, (argument, default) in enumerate(pairs):
        if index == 0 and argument.arg in _SKIPPED_PARAMETERS:
            continue  # a method's self / cls is not an input
        schema, optional = _annotation_schema(argument.annotation, argument.arg, notes)
        if default is not None:
            value, known = _literal(default)
            if known and value is not None:
                schema["default"] = value
            elif not known:
                notes.append(f'"{argument.arg}": its default ({ast.unparse(default)}) is not a literal, so it is '
                             "left out of the schema.")
            if argument.annotation is None and known and value is not None:
                schema = {**schema_from_example(value), **({"default": value})}
        elif not optional:
            required.append(argument.arg)
        if argument.arg in parameter_docs:
            schema = {"description": parameter_docs[argument.arg], **schema}
        key = suggest_property_key(argument.arg)
        properties[key] = schema
    for starred in (arguments.vararg, arguments.kwarg):
        if starred is not None:
            notes.append(f'"{starred.arg}" ({"*" if starred is arguments.vararg else "**"}{starred.arg}) takes '
                         "any number of values and has no place in a tool schema: left out.")
    name = node.name
    tool = {
        "name": suggest_tool_name(name),
        "description": summary,
        "input_schema": {"type": "object", "properties": properties, "required": required},
    }
    if not summary:
        notes.append("The function has no docstring, so the tool has no description: write one.")
    return Inferred(tool=tool, notes=notes)


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise InferenceError(f"Not valid Python: {error.msg} (line {error.lineno}).") from None
    except (ValueError, RecursionError) as error:  # e.g. NUL bytes in the source
        raise InferenceError(f"Not valid Python: {error}.") from None


def _find_function(tree: ast.Module, function: str | None) -> ast.FunctionDef | ast.AsyncFunctionDef:
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    if not found:
        raise InferenceError("No function found: paste a `def name(...):` with its parameters.")
    if function is None:
        top_level = [name for name in found if "." not in name]
        return found[(top_level or list(found))[0]]
    if function not in found:
        raise InferenceError(f"No function named {function!r}; the source defines: {', '.join(found)}.")
    return found[function]


def _literal(node: ast.expr) -> tuple[object, bool]:
    try:
        return ast.literal_eval(node), True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None, False


def _annotation_schema(annotation: ast.expr | None, name: str, notes: list[str]) -> tuple[dict, bool]:
    """(schema, optional): optional when the annotation allows None (Optional[T], T | None)."""
    if annotation is None:
        notes.append(f'"{name}" has no type annotation: its type is left open (any JSON value).')
        return {}, False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:  # a string annotation ("list[str]", or every annotation under `from __future__ import annotations`)
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            notes.append(f'"{name}": the annotation {annotation.value!r} is not valid Python; type left open.')
            return {}, False
    return _type_schema(annotation, name, notes)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr  # typing.Optional -> Optional, datetime.date -> date
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ""


def _type_schema(node: ast.expr, name: str, notes: list[str]) -> tuple[dict, bool]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | Y (PEP 604)
        return _union_schema(_union_members(node), name, notes)
    if isinstance(node, ast.Subscript):
        head = _dotted(node.value)
        arguments = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            schema, _ = _type_schema(arguments[0], name, notes)
            return _nullable(schema), True
        if head == "Union":
            return _union_schema(arguments, name, notes)
        if head == "Literal":
            values = [_literal(argument) for argument in arguments]
            if not all(known for _, known in values):
                notes.append(f'"{name}": a Literal value is not a constant; type left open.')
                return {}, False
            choices = [value for value, _ in values]
            optional = None in choices
            choices = [value for value in choices if value is not None]
            schema = {"type": _common_type(choices), "enum": choices} if _common_type(choices) else {"enum": choices}
            return (_nullable(schema) if optional else schema), optional
        if head == "Annotated":
            schema, optional = _type_schema(arguments[0], name, notes)
            text = next((value for value, known in map(_literal, arguments[1:]) if known and isinstance(value, str)),
                        None)
            return ({**schema, "description": text} if text else schema), optional
        kind = _SCALAR_TYPES.get(head)
        if kind == "array":
            item = arguments[0] if arguments else None
            if head in ("tuple", "Tuple") and len(arguments) == 2 and isinstance(arguments[1], ast.Constant) \
                    and arguments[1].value is Ellipsis:
                item = arguments[0]
            elif head in ("tuple", "Tuple") and len(arguments) > 1:
                items = [_type_schema(argument, name, notes)[0] for argument in arguments]
                return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}, False
            schema: dict = {"type": "array"}
            if item is not None:
                schema["items"] = _type_schema(item, name, notes)[0]
            if head in ("set", "Set", "frozenset"):
                schema["uniqueItems"] = True
            return schema, False
        if kind == "object":
            schema = {"type": "object"}
            if len(arguments) == 2:
                value_schema = _type_schema(arguments[1], name, notes)[0]
                if value_schema:
                    schema["additionalProperties"] = value_schema
            return schema, False
    head = _dotted(node)
    if head == "Any" or head == "object":
        return {}, False
    kind = _SCALAR_TYPES.get(head)
    if kind is None:
        notes.append(f'"{name}": the type {ast.unparse(node)} has no JSON Schema equivalent here; '
                     "its type is left open.")
        return {}, False
    schema = {"type": kind}
    if head in _FORMATS:
        schema["format"] = _FORMATS[head]
    return schema, kind == "null"


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


def _union_schema(members: list[ast.expr], name: str, notes: list[str]) -> tuple[dict, bool]:
    optional = any(_dotted(member) == "None" for member in members)
    others = [member for member in members if _dotted(member) != "None"]
    schemas = [_type_schema(member, name, notes)[0] for member in others]
    if len(schemas) == 1:
        schema = schemas[0]
    elif all(set(schema) == {"type"} and isinstance(schema["type"], str) for schema in schemas):
        schema = {"type": [schema["type"] for schema in schemas]}
    else:
        schema = {"anyOf": schemas}
    return (_nullable(schema) if optional else schema), optional


def _nullable(schema: dict) -> dict:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]} if kind != "null" else schema
    if isinstance(kind, list):
        return {**schema, "type": kind if "null" in kind else [*kind, "null"]}
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return schema


def _common_type(values: list) -> str | None:
    kinds = {("boolean" if isinstance(value, bool) else "integer" if isinstance(value, int)
              else "number" if isinstance(value, float) else "string" if isinstance(value, str) else "?")
             for value in values}
    return kinds.pop() if len(kinds) == 1 and "?" not in kinds else None


# --- docstrings -------------------------------------------------------------------------------------

def _read_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(summary, parameter name -> description) from Google, NumPy or Sphinx (:param x:) style."""
    lines = doc.splitlines()
    parameters: dict[str, str] = {}
    summary_lines: list[str] = []
    section: str | None = None
    numpy_style = False
    entry_indent: int | None = None  # indentation of the section's "name: ..." lines
    current: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
        underlined = bool(stripped) and bool(next_line) and set(next_line) == {"-"}
        header = _DOC_SECTION.match(line)
        if header or underlined:
            section = (header.group(1) if header else stripped).lower().rstrip(":")
            numpy_style, entry_indent, current = underlined, None, None
            index += 2 if underlined else 1
            continue
        index += 1
        sphinx = re.match(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$", line)
        if sphinx:
            section, current = "sphinx", sphinx.group(1)
            parameters[current] = sphinx.group(2).strip()
            continue
        if not stripped:
            continue
        if section == "sphinx":
            if current and not stripped.startswith(":"):
                parameters[current] = f"{parameters[current]} {stripped}"
            continue
        if section is None:
            summary_lines.append(stripped)
            continue
        if section not in ("args", "arguments", "parameters", "params", "keyword args", "other parameters"):
            continue
        if entry_indent is None:
            entry_indent = indent
        if indent > entry_indent and current:
            parameters[current] = f"{parameters[current]} {stripped}".strip()
            continue
        if numpy_style:  # "name : type", description on the indented lines below
            match = re.match(r"^\*{0,2}(\w+)\s*(?::.*)?$", stripped)
            current = match.group(1) if match else None
            if current:
                parameters[current] = ""
            continue
        match = re.match(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$", stripped)  # "name (type): text"
        current = match.group(1) if match else None
        if current:
            parameters[current] = match.group(2).strip()
    summary = " ".join(" ".join(summary_lines).split())
    return summary, {key: " ".join(value.split()) for key, value in parameters.items() if value.strip()}
