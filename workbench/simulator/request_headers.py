"""The request headers the API insists on: an API key and `anthropic-version`."""
from __future__ import annotations

import re
from typing import Mapping

from .errors import ApiError, invalid_request

# The API answers a request without `anthropic-version` with a 400 ("anthropic-version: header
# is required") and an unknown version with a 400 too. The official SDK always sends one
# (2.14 sends "2026-10-21"; older SDKs and curl examples send "2023-06-01"). The simulator
# cannot know every published version, so it accepts any well-formed date rather than risk
# refusing a real one, and refuses only a missing or malformed header.
_VERSION_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def authenticate(headers: Mapping[str, str]) -> None:
    """x-api-key, or `Authorization: Bearer` (what SDK 2.x sends); keys starting "bad" are wrong."""
    key = headers.get("x-api-key") or ""
    authorization = headers.get("Authorization") or ""
    if not key and authorization.lower().startswith("bearer "):
        key = authorization[len("bearer "):].strip()
    if not key:
        raise ApiError("authentication_error", "x-api-key header is required")
    if key.startswith("bad"):
        raise ApiError("authentication_error", "invalid x-api-key")


def check_api_version(headers: Mapping[str, str]) -> None:
    """400 for a missing or malformed `anthropic-version`, in the API's words."""
    version = (headers.get("anthropic-version") or "").strip()
    if not version:
        raise invalid_request("anthropic-version: header is required")
    if not _VERSION_PATTERN.match(version):
        raise invalid_request(f'anthropic-version: "{version}" is not a valid version')
