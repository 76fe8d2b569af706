"""What the API accepts as a JSON Schema: for tool `input_schema` and `output_config.format`."""
from __future__ import annotations

import jsonschema

from .errors import invalid_request


def check_json_schema(schema: object, where: str) -> None:
    """400 unless `schema` is a valid JSON Schema (draft 2020-12), as the API checks tool and
    output schemas. Without this a schema like `{"properties": 5}` reached the reply generator
    and came back as a 500."""
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        location = ".".join(str(part) for part in error.absolute_path)
        raise invalid_request(f"{where}{'.' + location if location else ''}: JSON schema is invalid: "
                              f"{error.message}") from None
    except RecursionError:
        raise invalid_request(f"{where}: JSON schema is nested too deeply") from None


def check_structured_schema(schema: object, where: str) -> None:
    """Structured outputs need `additionalProperties: false` on every object schema."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            check_structured_schema(item, f"{where}.{index}")
        return
    if not isinstance(schema, dict):
        return
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "object" in types and schema.get("additionalProperties") is not False:
        raise invalid_request(f"{where}: For 'object' type, 'additionalProperties' must be explicitly set to false")
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
            for name, child in value.items():
                check_structured_schema(child, f"{where}.{key}.{name}")
        elif key in ("items", "anyOf", "allOf", "oneOf", "prefixItems", "not", "additionalProperties"):
            check_structured_schema(value, f"{where}.{key}")
