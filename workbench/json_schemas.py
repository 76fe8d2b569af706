"""JSON Schemas that users load (check columns, output formats, tool inputs): checked whole at
load, and validated with references resolved only inside the document.

jsonschema's default registry fetches any `$ref` URL it meets, so a schema in a cases file could
make Workbench send a request to an address of the file author's choosing. Every validator built
here uses a registry holding the schema alone, with no way to retrieve anything else.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urljoin

if TYPE_CHECKING:  # jsonschema loads with the first schema checked, not with the Editor's first draw
    import jsonschema
    from referencing import Registry

REFERENCE_HINT = 'only references inside the schema (like "#/$defs/name") are followed'


def json_path(parts) -> str:
    """`$.a[0].b` for a path of keys and indexes."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _local_registry(schema: Any) -> Registry:
    """A registry that knows this schema and its `$id`-named parts, and retrieves nothing."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    resource = DRAFT202012.create_resource(schema)
    registry = Registry().with_resource("", resource)
    if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
        registry = registry.with_resource(schema["$id"], resource)
    return registry.crawl()


def _references(schema: Any, base: str, path: tuple) -> Iterator[tuple[str, str, tuple]]:
    """(base URI, $ref, path) for every `$ref` in the schema, base following nested `$id`s."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _references(item, base, (*path, index))
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("$id"), str):
        base = urljoin(base, schema["$id"])
    if isinstance(schema.get("$ref"), str):
        yield base, schema["$ref"], path
    for key, value in schema.items():
        if key not in ("$ref", "const", "enum", "default", "examples"):  # data, not schemas
            yield from _references(value, base, (*path, key))


def schema_problems(schema: Any) -> list[str]:
    """Sentences saying why this is not a usable JSON Schema (draft 2020-12); [] when it is."""
    import jsonschema
    from referencing.exceptions import PointerToNowhere, Unresolvable

    if not isinstance(schema, (dict, bool)):
        return ["The schema must be a JSON object."]
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        return [f"$ref {reference!r} at {json_path(path)} {problem}" for path, reference, problem
                in reference_problems(schema)]
    except jsonschema.exceptions.SchemaError as error:
        return [f"Not a valid JSON Schema at {json_path(error.absolute_path)}: {error.message}."]
    except RecursionError:
        return ["The schema is nested too deeply."]


def reference_problems(schema: Any) -> list[tuple[tuple, str, str]]:
    """(path, $ref, what is wrong) for each `$ref` that points to nothing or outside the schema."""
    from referencing.exceptions import PointerToNowhere, Unresolvable

    registry = _local_registry(schema)
    problems = []
    for base, reference, path in _references(schema, "", ()):
        try:
            registry.resolver(base).lookup(reference)
        except PointerToNowhere:
            problems.append((path, reference, "points to nothing in this schema."))
        except Unresolvable:
            problems.append((path, reference, f"refers outside this schema: {REFERENCE_HINT}."))
    return problems


def schema_validator(schema: Any) -> jsonschema.Draft202012Validator:
    """A validator for a schema that passed schema_problems; it never fetches a reference."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema, registry=_local_registry(schema))


def first_violation(schema: Any, document: Any) -> str | None:
    """The most relevant reason `document` fails `schema`, as `$.path: message`; None if valid."""
    import jsonschema
    from referencing.exceptions import Unresolvable

    try:
        error = jsonschema.exceptions.best_match(schema_validator(schema).iter_errors(document))
    except Unresolvable as error:  # only when the schema skipped schema_problems
        return f"the schema's $ref cannot be followed ({error}): {REFERENCE_HINT}"
    except RecursionError:
        return "the schema or the answer is nested too deeply to check"
    if error is None:
        return None
    return f"{json_path(error.absolute_path)}: {error.message}"
