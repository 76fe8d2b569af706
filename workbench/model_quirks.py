"""Per-model API behaviour that models.list() capabilities do not state (workbench/data/model_quirks.json)."""
from __future__ import annotations

import copy
import functools
import json

from workbench.paths import DATA_DIR

QUIRKS_PATH = DATA_DIR / "model_quirks.json"


@functools.lru_cache(maxsize=1)
def _quirk_rules_from_file() -> dict[str, dict]:
    return json.loads(QUIRKS_PATH.read_text(encoding="utf-8"))["rules"]


def load_quirks() -> dict[str, dict]:
    """Per-model behaviour the capabilities don't state: rule -> {"about", "models", ...}."""
    return copy.deepcopy(_quirk_rules_from_file())


def quirk_rule(rule: str) -> dict:
    """One quirk rule ({"about", "models", ...}); empty when the file has no such rule."""
    return copy.deepcopy(_quirk_rules_from_file().get(rule, {}))


def quirk_applies(rule: str, model_id: str) -> bool:
    """True when `model_id` is listed under quirk `rule`."""
    return model_id in _quirk_rules_from_file().get(rule, {}).get("models", [])
