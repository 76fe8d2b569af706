"""Strict validation against the SDK's own types, shared by the wire-format tests.

Strict means: `TypeAdapter(T).validate_json(raw, strict=True)` (no coercion, every required
field present) and no key anywhere that the type does not declare (the SDK's models allow
extras, so they are collected from `__pydantic_extra__` at every level).
"""
from __future__ import annotations

from functools import lru_cache

import pydantic


@lru_cache(maxsize=None)
def _adapter(kind: object) -> pydantic.TypeAdapter:
    return pydantic.TypeAdapter(kind)


def extra_keys(value: object, path: str = "$") -> list[str]:
    """Keys present in the data that no SDK model along the way declares."""
    found: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        found += [f"{path}.{key}" for key in (value.__pydantic_extra__ or {})]
        for name in type(value).model_fields:
            found += extra_keys(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += extra_keys(item, f"{path}[{index}]")
    return found


def assert_strict(kind: object, raw: str | bytes) -> object:
    """Validate raw JSON strictly against an SDK type and refuse undeclared keys; returns the model."""
    parsed = _adapter(kind).validate_json(raw, strict=True)
    assert not extra_keys(parsed), (extra_keys(parsed), raw[:300])
    return parsed
