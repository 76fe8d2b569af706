"""The request headers the API insists on: an API key and `anthropic-version`."""
from __future__ import annotations

from typing import Mapping

from .catalog import accepted_api_versions
from .errors import ApiError, invalid_request

# The API answers a request without `anthropic-version` with a 400 ("anthropic-version: header
# is required") and an unknown version (a typo, a future date) with a 400 too. The versions it
# knows are data (model_quirks.json "api_versions"): the SDK 2.14 sends "2026-10-21", older SDKs
# and curl examples "2023-06-01".


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
    """400 for a missing or unknown `anthropic-version`, in the API's words."""
    version = (headers.get("anthropic-version") or "").strip()
    if not version:
        raise invalid_request("anthropic-version: header is required")
    if version not in accepted_api_versions():
        raise invalid_request(f'anthropic-version: "{version}" is not a valid version')
