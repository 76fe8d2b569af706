"""The model line-up the simulator serves: workbench/data/models.json plus model_quirks.json."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from .errors import ApiError, invalid_request

# Read the data files directly: workbench.models is owned by another module and the simulator
# must keep working on its own (it also runs as `python -m workbench.simulator`).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MODELS_FILE = DATA_DIR / "models.json"
QUIRKS_FILE = DATA_DIR / "model_quirks.json"

LIST_LIMIT_DEFAULT = 20
LIST_LIMIT_MAX = 1000


@lru_cache(maxsize=1)
def load_models() -> tuple[dict, ...]:
    """Every ModelInfo dict in the catalog file, in the file's order (newest first)."""
    data = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
    return tuple(data["data"])


@lru_cache(maxsize=1)
def load_snapshots() -> dict[str, str]:
    """Dated snapshot id -> the alias whose catalog entry describes it (models.json "snapshots")."""
    return dict(json.loads(MODELS_FILE.read_text(encoding="utf-8")).get("snapshots") or {})


@lru_cache(maxsize=1)
def _quirks_file() -> dict:
    return json.loads(QUIRKS_FILE.read_text(encoding="utf-8"))


def load_quirks() -> dict[str, dict]:
    """Rule name -> {"about", "models", ...} from model_quirks.json."""
    return _quirks_file()["rules"]


def min_cacheable_tokens(model_id: str) -> int:
    """The shortest prefix a breakpoint caches on this model (model_quirks.json)."""
    table = _quirks_file()["prompt_cache_minimum_tokens"]
    return int(table["models"].get(load_snapshots().get(model_id, model_id), table["default"]))


def accepted_api_versions() -> tuple[str, ...]:
    """The `anthropic-version` values the API answers."""
    return tuple(_quirks_file()["api_versions"]["versions"])


def find_model(model_id: str, *, now: datetime | None = None) -> dict | None:
    """The catalog entry for this id (a dated snapshot id gets its alias's entry under its own id), with
    the lifecycle it has `now`: a model past its retirement date is retired whatever the file says."""
    alias = load_snapshots().get(model_id, model_id)
    model = next((model for model in load_models() if model["id"] == alias), None)
    if model is None:
        return None
    return {**model, "id": model_id, "lifecycle": lifecycle_on(model, now)}


def canonical_id(model: dict) -> str:
    """The alias a (possibly dated) entry stands for: the id quirk and price tables use."""
    return load_snapshots().get(model["id"], model["id"])


def lifecycle_on(model: dict, now: datetime | None = None) -> str:
    """`retired` once retires_at has passed; the file's stage before that."""
    retires_at = model.get("retires_at")
    if retires_at and model.get("lifecycle") != "retired":
        moment = now or datetime.now(timezone.utc)
        if moment >= datetime.fromisoformat(retires_at.replace("Z", "+00:00")):
            return "retired"
    return model.get("lifecycle", "active")


def has_quirk(rule: str, model_id: str) -> bool:
    """Whether model_quirks.json lists this model (or the alias of this snapshot) under this rule."""
    return load_snapshots().get(model_id, model_id) in load_quirks().get(rule, {}).get("models", [])


def tokenizer_ratio(model_id: str) -> float:
    """How many more tokens this model counts than the reference tokenizer (1.0 or ~1.3)."""
    rule = load_quirks().get("newer_tokenizer", {})
    return float(rule.get("ratio", 1.0)) if has_quirk("newer_tokenizer", model_id) else 1.0


def _supported_keys(capability: dict | None) -> set[str]:
    """Names of the sub-capabilities marked supported, e.g. thinking types or effort levels."""
    if not capability or not capability.get("supported"):
        return set()
    return {key for key, value in capability.items() if isinstance(value, dict) and value.get("supported")}


def thinking_types(model: dict) -> set[str]:
    """Accepted `thinking.type` values; the model always accepts omitting `thinking`."""
    thinking = (model.get("capabilities") or {}).get("thinking") or {}
    types = thinking.get("types") or {}
    return {name for name, value in types.items() if isinstance(value, dict) and value.get("supported")}


def thinks_by_default(model: dict) -> bool:
    """Models that cannot turn thinking off (no "disabled" type) think when `thinking` is omitted."""
    types = thinking_types(model)
    return bool(types) and "disabled" not in types


def effort_levels(model: dict) -> set[str]:
    """Accepted `output_config.effort` values; empty when effort is unsupported."""
    return _supported_keys((model.get("capabilities") or {}).get("effort"))


def supports_structured_outputs(model: dict) -> bool:
    """Whether `output_config.format` is accepted."""
    return bool(((model.get("capabilities") or {}).get("structured_outputs") or {}).get("supported"))


DEFAULT_LIST_LIFECYCLES = ("active", "deprecated")
LIFECYCLES = ("active", "deprecated", "retired")


def list_page(limit: object = None, after_id: str | None = None, before_id: str | None = None,
              lifecycle: list[str] | None = None, *, now: datetime | None = None) -> dict:
    """One page of GET /v1/models: newest first, cursor ids exclusive, like the API.

    Retired models are listed only when `lifecycle` asks for them, as the API does.
    """
    wanted = lifecycle or DEFAULT_LIST_LIFECYCLES
    unknown = [stage for stage in wanted if stage not in LIFECYCLES]
    if unknown:
        raise invalid_request(f"lifecycle: unknown stage {unknown[0]!r}; use one of {', '.join(LIFECYCLES)}")
    models = [{**model, "lifecycle": lifecycle_on(model, now)} for model in load_models()]
    models = [model for model in models if model["lifecycle"] in wanted]
    ids = [model["id"] for model in models]
    page_size = _parse_limit(limit)
    if after_id and before_id:
        raise invalid_request("after_id and before_id cannot both be given")
    if after_id:
        if after_id not in ids:
            raise invalid_request(f"after_id: no model with id {after_id}")
        start = ids.index(after_id) + 1
        page = models[start : start + page_size]
        has_more = start + page_size < len(models)
    elif before_id:
        if before_id not in ids:
            raise invalid_request(f"before_id: no model with id {before_id}")
        end = ids.index(before_id)
        start = max(0, end - page_size)
        page = models[start:end]
        has_more = start > 0
    else:
        page = models[:page_size]
        has_more = page_size < len(models)
    return {
        "data": page,
        "has_more": has_more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


def _parse_limit(limit: object) -> int:
    """The `limit` query parameter: 1..1000, default 20."""
    if limit is None or limit == "":
        return LIST_LIMIT_DEFAULT
    try:
        value = int(str(limit))
    except ValueError:
        raise invalid_request("limit: Input should be a valid integer") from None
    if not 1 <= value <= LIST_LIMIT_MAX:
        raise invalid_request(f"limit: Input should be between 1 and {LIST_LIMIT_MAX}")
    return value


def model_for_request(model_id: object, *, now: datetime | None = None) -> dict:
    """The catalog entry a request names (for a snapshot id, its alias's entry, id included, so
    quirks and capabilities apply); 404 for unknown or retired models, as the API does."""
    if not isinstance(model_id, str) or not model_id:
        raise invalid_request("model: Field required")
    model = find_model(model_id, now=now)
    if model is None:
        raise ApiError("not_found_error", f"model: {model_id}")
    if model.get("lifecycle") == "retired":
        raise ApiError("not_found_error", f"model: {model_id} (this model has been retired)")
    return {**model, "id": canonical_id(model)}
