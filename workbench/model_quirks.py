"""Per-model facts the API's model listing does not state (workbench/data/model_quirks.json and the
"snapshots" of models.json): behaviour quirks, prompt-cache minimums, dated snapshot ids.

Kept apart from workbench.models so the rule book and pricing can use them without loading the SDK.
"""
from __future__ import annotations

import copy
import functools
import json

from workbench.paths import DATA_DIR

QUIRKS_PATH = DATA_DIR / "model_quirks.json"
MODELS_PATH = DATA_DIR / "models.json"


@functools.lru_cache(maxsize=1)
def _quirks_file() -> dict:
    return json.loads(QUIRKS_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _snapshots() -> dict[str, str]:
    return dict(json.loads(MODELS_PATH.read_text(encoding="utf-8")).get("snapshots") or {})


def snapshot_alias(model_id: str) -> str:
    """The alias a dated snapshot id stands for ("claude-haiku-4-5-20251001" -> "claude-haiku-4-5");
    any other id unchanged. Quirks, prices and cache minimums are kept under the alias."""
    return _snapshots().get(model_id, model_id)


def snapshot_ids() -> dict[str, str]:
    """Every published dated snapshot id -> its alias."""
    return dict(_snapshots())


def load_quirks() -> dict[str, dict]:
    """Per-model behaviour the capabilities don't state: rule -> {"about", "models", ...}."""
    return copy.deepcopy(_quirks_file()["rules"])


def quirk_rule(rule: str) -> dict:
    """One quirk rule ({"about", "models", ...}); empty when the file has no such rule."""
    return copy.deepcopy(_quirks_file()["rules"].get(rule, {}))


def quirk_applies(rule: str, model_id: str) -> bool:
    """True when `model_id` (or the alias of this dated snapshot id) is listed under quirk `rule`."""
    return snapshot_alias(model_id) in _quirks_file()["rules"].get(rule, {}).get("models", [])


def prompt_cache_minimum(model_id: str) -> int:
    """The shortest prefix, in this model's tokens, that a cache breakpoint caches; a shorter one caches
    nothing (and is no error)."""
    table = _quirks_file()["prompt_cache_minimum_tokens"]
    return int(table["models"].get(snapshot_alias(model_id), table["default"]))
