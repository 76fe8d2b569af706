"""The model catalog: models.list() with capabilities, or the offline file (what a model accepts: workbench.preflight)."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from workbench import model_quirks
from workbench.model_quirks import load_quirks, quirk_applies, quirk_rule  # noqa: F401 (re-exported)
from workbench.paths import DATA_DIR

if TYPE_CHECKING:
    import anthropic
    from anthropic.types import ModelInfo

OFFLINE_CATALOG_PATH = DATA_DIR / "models.json"
ALL_LIFECYCLES = ["active", "deprecated", "retired"]
# The API's own order, mildest first; capabilities list them in no guaranteed order.
EFFORT_ORDER = ("low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True)
class ModelEntry:
    """One model of the catalog, with its capabilities as a plain dict (as the API sends them)."""

    id: str
    display_name: str
    max_input_tokens: int | None
    max_tokens: int | None
    capabilities: dict
    lifecycle: str
    line: str | None
    created_at: str
    retires_at: str | None = None

    def _capability(self, name: str) -> dict:
        value = self.capabilities.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def thinking_types(self) -> list[str]:
        types = self._capability("thinking").get("types") or {}
        return [name for name, support in types.items() if isinstance(support, dict) and support.get("supported")]

    @property
    def effort_levels(self) -> list[str]:
        effort = self._capability("effort")
        if not effort.get("supported"):
            return []
        return [level for level in EFFORT_ORDER if (effort.get(level) or {}).get("supported")]

    @property
    def supports_structured_outputs(self) -> bool:
        return bool(self._capability("structured_outputs").get("supported"))


@dataclass
class Catalog:
    """The model line-up shown in the app, and where it came from."""

    models: list[ModelEntry]
    source: Literal["api", "offline"]
    error: str | None = None

    def get(self, model_id: str) -> ModelEntry | None:
        """The entry for this id. A dated snapshot id and its alias stand for the same model: when the
        listing has only one of them (ours lists aliases, an endpoint may list snapshots), the other
        gets its entry, under its own id."""
        entry = next((entry for entry in self.models if entry.id == model_id), None)
        if entry is None:
            alias = model_quirks.snapshot_alias(model_id)
            same = next((entry for entry in self.models
                         if entry.id != model_id and model_quirks.snapshot_alias(entry.id) == alias), None)
            entry = same and replace(same, id=model_id)
        return entry

    def active_models(self) -> list[ModelEntry]:
        """Models a request can still use (retired ones stay in the catalog to explain a 404)."""
        return [entry for entry in self.models if entry.lifecycle != "retired"]

    @property
    def ids(self) -> list[str]:
        return [entry.id for entry in self.models]

    @property
    def source_label(self) -> str:
        if self.source == "api":
            return "API (models.list)"
        if self.error:
            return f"Offline catalog file (listing failed: {self.error})"
        return "Offline catalog file"


def _entry_from_json(item: dict[str, Any]) -> ModelEntry:
    """One conversion for both sources (a ModelInfo as JSON), so API and offline entries look the same."""
    return ModelEntry(
        id=item["id"],
        display_name=item["display_name"],
        max_input_tokens=item.get("max_input_tokens"),
        max_tokens=item.get("max_tokens"),
        capabilities=item.get("capabilities") or {},
        lifecycle=item.get("lifecycle"),
        line=item.get("line"),
        created_at=item.get("created_at") or "",
        retires_at=item.get("retires_at"),
    )


def _entry_from_info(info: ModelInfo) -> ModelEntry:
    return _entry_from_json(info.model_dump(mode="json"))


# The line a new prompt starts on: Sonnet balances cost, speed and quality for most prompts.
DEFAULT_MODEL_LINE = "sonnet"


def default_model_id(catalog: Catalog) -> str:
    """The model a new prompt starts with: the newest active Sonnet, else the newest active model."""
    # "Newest" by created_at, not list position: a custom endpoint may list in any order.
    # Deprecated models still answer but are on their way out, so only "active" ones qualify.
    active = [entry for entry in catalog.models if entry.lifecycle == "active"]
    candidates = [entry for entry in active if entry.line == DEFAULT_MODEL_LINE] or active or catalog.models
    if not candidates:
        raise ValueError("the model catalog is empty")
    # max() keeps the first of equal dates, i.e. the catalog's own (newest-first) order.
    return max(candidates, key=lambda entry: entry.created_at).id


def describe_api_error(error: Exception) -> str:
    """A short phrase for why an API call failed (listing, counting); never includes the key."""
    import anthropic  # an API error exists only once the SDK is loaded; this costs nothing then
    import httpx2

    if isinstance(error, anthropic.APIStatusError):
        kind = error.type or "error"
        return f"HTTP {error.status_code} {kind}: {error.api_message or error.message}"
    if isinstance(error, anthropic.APITimeoutError):
        return "the endpoint did not answer in time"
    if isinstance(error, (anthropic.APIConnectionError, httpx2.HTTPError)):
        return f"could not connect to the endpoint ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"


def fetch_catalog(client: anthropic.Anthropic, *, page_size: int | None = None) -> Catalog:
    """All pages of client.models.list(), retired models included; the offline file if listing fails."""
    import anthropic  # already loaded: the caller holds a client
    import httpx2

    try:
        options: dict[str, Any] = {"lifecycle": ALL_LIFECYCLES}
        if page_size is not None:
            options["limit"] = page_size
        # Iterating the page auto-pages with after_id until has_more is false.
        entries = [_entry_from_info(info) for info in client.models.list(**options)]
    except (anthropic.APIError, httpx2.HTTPError) as error:
        return offline_catalog(error=describe_api_error(error))
    except (ValueError, TypeError, AttributeError) as error:
        # A compatible endpoint whose listing is not the API's shape: that listing failed too.
        return offline_catalog(error=f"the endpoint's model list could not be read ({type(error).__name__})")
    if not entries:
        return offline_catalog(error="the endpoint listed no models")
    return Catalog(models=entries, source="api", error=None)


def offline_catalog(error: str | None = None, *, now: datetime | None = None) -> Catalog:
    """The catalog shipped in workbench/data/models.json (a models.list() page; a test validates it as ModelInfo).

    Read as plain JSON, without the SDK: the CLI checks input against it before importing anthropic.
    A model whose retirement date has passed is listed as retired, as the API would list it by then.
    """
    data = json.loads(OFFLINE_CATALOG_PATH.read_text(encoding="utf-8"))
    moment = now or datetime.now(timezone.utc)
    entries = []
    for item in data["data"]:
        retires_at = item.get("retires_at")
        if retires_at and item.get("lifecycle") != "retired" and \
                moment >= datetime.fromisoformat(retires_at.replace("Z", "+00:00")):
            item = {**item, "lifecycle": "retired"}
        entries.append(_entry_from_json(item))
    return Catalog(models=entries, source="offline", error=error)
