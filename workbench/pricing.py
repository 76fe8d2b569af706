"""What a call costs: token counts priced from a dated price table (data/prices.json), never from constants."""
from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

from workbench.model_quirks import snapshot_alias
from workbench.paths import DATA_DIR

PRICES_FORMAT = "workbench.prices/1"
DEFAULT_PRICE_FILE = DATA_DIR / "prices.json"
PRICES_ENV_VAR = "WORKBENCH_PRICES"
TOKENS_PER_PRICE_UNIT = 1_000_000  # prices are USD per million tokens
# No single call comes near this (a 1M-token context is 10^6); anything beyond is a bug or garbage
# input, and a cost computed from it would be a confident-looking nonsense figure.
MAX_TOKEN_COUNT = 10**15
SOURCE_KINDS = ("anthropic", "tracker")

# The five token kinds a call is billed for, in display order. Thinking tokens are not a kind
# of their own: the API already counts them inside output_tokens, billed at the output rate.
TOKEN_KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
_TOKEN_KIND_LABELS = {
    "input": "input", "output": "output", "cache_write_5m": "5-minute cache write",
    "cache_write_1h": "1-hour cache write", "cache_read": "cache read",
}


class PriceFileError(ValueError):
    """A price file that cannot be used; the message says which file, where, and what is wrong."""


@dataclass(frozen=True)
class UsageCounts:
    """Billed token counts of one call; the only thing pricing reads from a response."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    cache_read_tokens: int = 0
    # Billed beyond tokens (usage.server_tool_use, usage.speed, usage.inference_geo).
    web_search_requests: int = 0
    speed: str | None = None
    inference_geo: str | None = None

    @classmethod
    def from_sdk(cls, usage) -> "UsageCounts":
        """From anthropic.types.Usage or MessageDeltaUsage (which has no 5m/1h breakdown)."""
        breakdown = getattr(usage, "cache_creation", None)
        server_tools = getattr(usage, "server_tool_use", None)
        return cls._from_api_fields(
            web_search_requests=getattr(server_tools, "web_search_requests", None) if server_tools else None,
            speed=getattr(usage, "speed", None), inference_geo=getattr(usage, "inference_geo", None),
            input_tokens=getattr(usage, "input_tokens", None),
            output_tokens=getattr(usage, "output_tokens", None),
            cache_creation_total=getattr(usage, "cache_creation_input_tokens", None),
            cache_creation_5m=getattr(breakdown, "ephemeral_5m_input_tokens", None) if breakdown else None,
            cache_creation_1h=getattr(breakdown, "ephemeral_1h_input_tokens", None) if breakdown else None,
            has_breakdown=breakdown is not None,
            cache_read=getattr(usage, "cache_read_input_tokens", None),
        )

    @classmethod
    def from_dict(cls, d: dict) -> "UsageCounts":
        """From the API's usage JSON (same keys as the response body)."""
        breakdown = d.get("cache_creation")
        has_breakdown = isinstance(breakdown, dict)
        server_tools = d.get("server_tool_use")
        return cls._from_api_fields(
            web_search_requests=server_tools.get("web_search_requests") if isinstance(server_tools, dict) else None,
            speed=d.get("speed"), inference_geo=d.get("inference_geo"),
            input_tokens=d.get("input_tokens"),
            output_tokens=d.get("output_tokens"),
            cache_creation_total=d.get("cache_creation_input_tokens"),
            cache_creation_5m=breakdown.get("ephemeral_5m_input_tokens") if has_breakdown else None,
            cache_creation_1h=breakdown.get("ephemeral_1h_input_tokens") if has_breakdown else None,
            has_breakdown=has_breakdown,
            cache_read=d.get("cache_read_input_tokens"),
        )

    @classmethod
    def _from_api_fields(cls, *, input_tokens, output_tokens, cache_creation_total, cache_creation_5m,
                         cache_creation_1h, has_breakdown: bool, cache_read, web_search_requests=None,
                         speed=None, inference_geo=None) -> "UsageCounts":
        total_written = cache_creation_total or 0
        if has_breakdown:
            written_1h = cache_creation_1h or 0
            # Trust the breakdown; any tokens the total has beyond it get the default TTL (5m).
            written_5m = max(cache_creation_5m or 0, total_written - written_1h)
        else:
            # Without a breakdown (MessageDeltaUsage, older responses) every write is the default 5m TTL.
            written_1h = 0
            written_5m = total_written
        return cls(input_tokens=input_tokens or 0, output_tokens=output_tokens or 0,
                   cache_write_5m_tokens=written_5m, cache_write_1h_tokens=written_1h,
                   cache_read_tokens=cache_read or 0, web_search_requests=web_search_requests or 0,
                   speed=speed, inference_geo=inference_geo)

    @property
    def cache_write_tokens(self) -> int:
        """Both cache-write TTLs together (the call log's single column)."""
        return self.cache_write_5m_tokens + self.cache_write_1h_tokens

    @property
    def prompt_tokens(self) -> int:
        """Everything the model read: input + all cache writes + cache reads (price bands use this)."""
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    def count_problem(self) -> str | None:
        """Why these counts cannot be priced (negative, not whole, absurdly large), or None."""
        counts = {**{f"{kind}_tokens": value for kind, value in self.tokens_by_kind().items()},
                  "web_search_requests": self.web_search_requests}
        for name, value in counts.items():
            if not isinstance(value, int) or isinstance(value, bool):
                return f"{name} must be a whole number, got {value!r}"
            if not 0 <= value <= MAX_TOKEN_COUNT:
                return f"{name} must be between 0 and 10^15, got {value:,}"
        return None

    def tokens_by_kind(self) -> dict[str, int]:
        """Token count per TOKEN_KINDS entry."""
        return {"input": self.input_tokens, "output": self.output_tokens,
                "cache_write_5m": self.cache_write_5m_tokens, "cache_write_1h": self.cache_write_1h_tokens,
                "cache_read": self.cache_read_tokens}


@dataclass(frozen=True)
class Cost:
    """A price in USD, or an honest "unknown" with the reason; never 0 for a model we can't price."""

    usd: float | None
    reason: str | None = None
    price_version: str = ""
    breakdown: dict[str, float] = field(default_factory=dict)
    # What else shaped the figure: "fast mode 2× (source: tracker, not Anthropic)", "billed as claude-x".
    notes: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.usd is not None


@dataclass(frozen=True)
class Rates:
    """USD per MTok for one model on one date (and, for banded models, one prompt length)."""

    model: str
    effective_from: date
    input: float | None
    output: float | None
    cache_write_5m: float | None
    cache_write_1h: float | None
    cache_read: float | None
    batch_discount: float
    source: str
    band: str | None = None      # e.g. "prompt ≤ 100,000 tokens"; None for single-rate models
    source_kind: str | None = None   # "anthropic" or "tracker" (a third party quoting the price)

    def rate_of(self, kind: str) -> float | None:
        """The rate for one of TOKEN_KINDS; None when the source publishes none."""
        return getattr(self, kind)


@dataclass(frozen=True)
class _Band:
    up_to_prompt_tokens: int | None   # inclusive upper limit; None = no limit
    rates: dict[str, float | None]

    def label(self, lower_limit: int | None) -> str | None:
        if self.up_to_prompt_tokens is not None:
            return f"prompt ≤ {self.up_to_prompt_tokens:,} tokens"
        if lower_limit is not None:
            return f"prompt > {lower_limit:,} tokens"
        return None


@dataclass(frozen=True)
class _PriceRow:
    model: str
    effective_from: date
    batch_discount: float
    source: str
    bands: tuple[_Band, ...]          # a single open band for models with one rate card
    source_kind: str | None = None

    def rates(self, prompt_tokens: int) -> Rates:
        lower_limit = None
        for band in self.bands:
            if band.up_to_prompt_tokens is None or prompt_tokens <= band.up_to_prompt_tokens:
                break
            lower_limit = band.up_to_prompt_tokens
        return Rates(model=self.model, effective_from=self.effective_from, batch_discount=self.batch_discount,
                     source=self.source, band=band.label(lower_limit), source_kind=self.source_kind, **band.rates)


@dataclass(frozen=True)
class HeadlineRates:
    """USD per MTok to show beside a model's name; `banded`: more bands above these rates."""

    input: float
    output: float
    banded: bool


@dataclass(frozen=True)
class Modifier:
    """A charge beyond token rates, from the price file's "modifiers": a multiplier on every token
    kind (fast mode, US-only inference) or a fee per server tool request (web search)."""

    name: str
    source: str
    source_kind: str | None
    multiplier: float | None = None
    usd_per_request: float | None = None
    models: tuple[str, ...] | None = None   # None: every model

    def applies_to(self, model: str) -> bool:
        return self.models is None or model in self.models

    def note(self, what: str) -> str:
        kind = " (source: tracker, not Anthropic)" if self.source_kind == "tracker" else ""
        return f"{what}{kind}"


class PriceTable:
    """The loaded price file: rows per model with effective dates; prices usage objects."""

    def __init__(self, rows: list[_PriceRow], *, version: str, source_path: str,
                 modifiers: dict[str, Modifier] | None = None):
        self.version = version
        self.source_path = source_path
        self.modifiers = dict(modifiers or {})
        self._rows_by_model: dict[str, list[_PriceRow]] = {}
        for row in sorted(rows, key=lambda row: row.effective_from):
            self._rows_by_model.setdefault(row.model, []).append(row)

    def __repr__(self) -> str:
        return f"PriceTable(version={self.version!r}, models={len(self._rows_by_model)})"

    @property
    def models(self) -> list[str]:
        """Model ids the table prices, in file order of first appearance."""
        return list(self._rows_by_model)

    def has_model(self, model: str) -> bool:
        return self._priced_id(model) in self._rows_by_model

    def _priced_id(self, model: str) -> str:
        """A dated snapshot id is priced as its alias, unless the file prices the snapshot itself."""
        return model if model in self._rows_by_model else snapshot_alias(model)

    def rates_for(self, model: str, *, on: date | None = None, prompt_tokens: int = 0) -> Rates | None:
        """Rates of the latest row effective on `on` (default today), in the band for prompt_tokens."""
        row = self._row_for(self._priced_id(model), _as_date(on))
        return row.rates(prompt_tokens) if row else None

    def headline_rates(self, model: str) -> "HeadlineRates | None":
        """Today's input and output rate for a price list; for a banded model, its lowest band."""
        row = self._row_for(self._priced_id(model), _as_date(None))
        if row is None:
            return None
        rates = row.bands[0].rates
        if rates["input"] is None or rates["output"] is None:
            return None
        return HeadlineRates(input=rates["input"], output=rates["output"], banded=len(row.bands) > 1)

    def cost(self, usage: UsageCounts, model: str, *, batch: bool = False, on: date | None = None,
             requested_model: str | None = None) -> Cost:
        """Price every token kind of `usage` for the model that answered (`model`); unknown (usd=None,
        with a reason) rather than a guess. ValueError for counts no call can have.

        `requested_model`: the model the request named, when a fallback model answered instead; the
        call is billed at the model that answered, and the cost says so.
        """
        problem = usage.count_problem()
        if problem:
            raise ValueError(f"cannot price this usage: {problem}")
        notes: list[str] = []
        if requested_model and snapshot_alias(requested_model) != snapshot_alias(model):
            notes.append(f"answered by fallback model {model}, billed at its rates (requested {requested_model})")
        day = _as_date(on)
        model = self._priced_id(model)
        rows = self._rows_by_model.get(model)
        if not rows:
            return Cost(usd=None, reason=f"no price for model '{model}' in price table {self.version}",
                        price_version=self.version)
        row = self._row_for(model, day)
        if row is None:
            return Cost(usd=None, price_version=self.version,
                        reason=f"no price for model '{model}' on {day.isoformat()} in price table "
                               f"{self.version} (its first price is from {rows[0].effective_from.isoformat()})")
        rates = row.rates(usage.prompt_tokens)
        # Batch discount on every token kind, cache writes and reads included. The reference
        # says "50% off input and output"; the Message Batches docs say all usage is billed at
        # 50% of standard prices, and caching multipliers stack with it. Cache tokens are input
        # tokens, so we discount them too.
        multiplier = 1 - rates.batch_discount if batch else 1.0
        for kind, label in (("speed_fast", "fast mode"), ("inference_geo_us", "US-only inference")):
            wanted = usage.speed == "fast" if kind == "speed_fast" else usage.inference_geo == "us"
            if not wanted:
                continue
            modifier = self.modifiers.get(kind)
            if modifier is None or not modifier.applies_to(model):
                return Cost(usd=None, price_version=self.version,
                            reason=f"no published {label} price for '{model}' in price table {self.version}")
            multiplier *= modifier.multiplier
            notes.append(modifier.note(f"{label} ×{modifier.multiplier:g}"))
        breakdown: dict[str, float] = {}
        for kind, tokens in usage.tokens_by_kind().items():
            rate = rates.rate_of(kind)
            if tokens and rate is None:
                band = f" for {rates.band}" if rates.band else ""
                return Cost(usd=None, price_version=self.version,
                            reason=f"no published {_TOKEN_KIND_LABELS[kind]} price for '{model}'{band} "
                                   f"in price table {self.version}")
            # Rounded to 1e-12 USD: far below a cent, but hides float noise like 0.010499999999.
            breakdown[kind] = round(tokens * (rate or 0.0) / TOKENS_PER_PRICE_UNIT * multiplier, 12)
        if usage.web_search_requests:
            search = self.modifiers.get("web_search")
            if search is None or not search.applies_to(model):
                return Cost(usd=None, price_version=self.version,
                            reason=f"no published web search price for '{model}' in price table {self.version}")
            # A fee per search, not per token: neither the batch discount nor the multipliers touch it.
            breakdown["web_search"] = round(usage.web_search_requests * search.usd_per_request, 12)
            notes.append(search.note(f"{usage.web_search_requests:,} web search"
                                     f"{'es' if usage.web_search_requests != 1 else ''} at "
                                     f"${search.usd_per_request * 1000:g} per 1,000"))
        if rates.source_kind == "tracker":
            notes.append(f"{model} rates from a price tracker, not Anthropic")
        return Cost(usd=round(sum(breakdown.values()), 12), reason=None, price_version=self.version,
                    breakdown=breakdown, notes=tuple(notes))

    def projected_cost(self, model: str, input_tokens: int, output_tokens: int, *, cache_hit: bool = False,
                       batch: bool = False, cached: Mapping[str, int] | None = None) -> Cost:
        """Today's price of a call before it is made.

        `cached` is the prompt's cached prefix by TTL ("5m"/"1h" -> tokens, see tokens.cached_prefix_tokens):
        a first call writes it to the cache at the write premium, and with `cache_hit` it is read instead.
        Without `cached`, `cache_hit` means all input is read from the cache.
        """
        if cached is None:
            cached = {"5m": input_tokens} if cache_hit else {}
        prefix = sum(cached.values())
        uncached = max(0, input_tokens - prefix)
        if cache_hit:
            usage = UsageCounts(input_tokens=uncached, cache_read_tokens=prefix, output_tokens=output_tokens)
        else:
            usage = UsageCounts(input_tokens=uncached, output_tokens=output_tokens,
                                cache_write_5m_tokens=cached.get("5m", 0), cache_write_1h_tokens=cached.get("1h", 0))
        return self.cost(usage, model, batch=batch)

    def _row_for(self, model: str, day: date) -> _PriceRow | None:
        effective = [row for row in self._rows_by_model.get(model, []) if row.effective_from <= day]
        return effective[-1] if effective else None


def load_price_table(path: str | Path | None = None) -> PriceTable:
    """Load `path`, else $WORKBENCH_PRICES, else the bundled data/prices.json; PriceFileError if unusable."""
    if path is None:
        path = os.environ.get(PRICES_ENV_VAR) or DEFAULT_PRICE_FILE
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        hint = f" (set by {PRICES_ENV_VAR})" if os.environ.get(PRICES_ENV_VAR) == source else ""
        raise PriceFileError(f"{source}: cannot read price file{hint}: {error.strerror or error}") from error
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        offset = error.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)   # count the BOM utf-8-sig skipped
        raise PriceFileError(f"{source}: not UTF-8 text (byte offset {offset})") from error
    except json.JSONDecodeError as error:
        raise PriceFileError(f"{source}: not valid JSON: {error.msg} (line {error.lineno}, "
                             f"column {error.colno})") from error
    rows, checked = _parse_price_file(data, source)
    modifiers = _parse_modifiers(data.get("modifiers"), source)
    # The version names the data, not just its date: an edited file gets a new version even
    # when nobody bumps "checked", so logged costs always point at the exact table used.
    version = f"{checked}+{hashlib.sha256(raw).hexdigest()[:8]}"
    return PriceTable(rows, version=version, source_path=source, modifiers=modifiers)


# --- price file parsing -------------------------------------------------------------------

def _bad(source: str, json_path: str, problem: str) -> NoReturn:
    raise PriceFileError(f"{source}: {json_path}: {problem}")


def _parse_price_file(data: object, source: str) -> tuple[list[_PriceRow], str]:
    if not isinstance(data, dict):
        _bad(source, "$", "must be a JSON object")
    if data.get("format") != PRICES_FORMAT:
        _bad(source, "$.format", f'must be "{PRICES_FORMAT}", got {json.dumps(data.get("format"))}')
    checked = _parse_date(data.get("checked"), source, "$.checked")
    rows_data = data.get("prices")
    if not isinstance(rows_data, list) or not rows_data:
        _bad(source, "$.prices", "must be a non-empty array of price rows")
    rows = [_parse_row(row, source, f"$.prices[{index}]") for index, row in enumerate(rows_data)]
    seen: set[tuple[str, date]] = set()
    for index, row in enumerate(rows):
        key = (row.model, row.effective_from)
        if key in seen:
            _bad(source, f"$.prices[{index}]", f"second row for '{row.model}' effective "
                 f"{row.effective_from.isoformat()}; keep one row per model and date")
        seen.add(key)
    return rows, checked.isoformat()


def _parse_row(row: object, source: str, path: str) -> _PriceRow:
    if not isinstance(row, dict):
        _bad(source, path, "must be an object")
    model = row.get("model")
    if not isinstance(model, str) or not model:
        _bad(source, f"{path}.model", "must be a non-empty model id string")
    effective_from = _parse_date(row.get("effective_from"), source, f"{path}.effective_from")
    discount = row.get("batch_discount")
    if not _is_number(discount) or not 0 <= discount <= 1:
        _bad(source, f"{path}.batch_discount", "must be a fraction between 0 and 1 (0.5 = half price)")
    row_source = row.get("source")
    if not isinstance(row_source, str) or not row_source:
        _bad(source, f"{path}.source", "must say where the price comes from (URL or note)")
    source_kind = _parse_source_kind(row, source, path)
    flat_keys = [kind for kind in TOKEN_KINDS if kind in row]
    if "bands" in row:
        # One place for each rate: a banded row with flat rates as well would be ambiguous.
        if flat_keys:
            _bad(source, f"{path}.{flat_keys[0]}", "a row with bands keeps its rates inside the bands")
        bands = _parse_bands(row["bands"], source, f"{path}.bands")
    else:
        bands = (_Band(None, _parse_rates(row, source, path)),)
    return _PriceRow(model=model, effective_from=effective_from, batch_discount=float(discount),
                     source=row_source, bands=bands, source_kind=source_kind)


def _parse_source_kind(holder: dict, source: str, path: str) -> str | None:
    kind = holder.get("source_kind")
    if kind is not None and kind not in SOURCE_KINDS:
        _bad(source, f"{path}.source_kind", f'must be "anthropic" or "tracker", got {json.dumps(kind)}')
    return kind


# name -> the field holding its figure; multipliers scale every token kind, fees are per request.
_MODIFIER_FIELDS = {"speed_fast": "multiplier", "inference_geo_us": "multiplier", "web_search": "usd_per_1000_requests"}


def _parse_modifiers(modifiers: object, source: str) -> dict[str, Modifier]:
    if modifiers is None:
        return {}
    if not isinstance(modifiers, dict):
        _bad(source, "$.modifiers", "must be an object")
    parsed: dict[str, Modifier] = {}
    for name, item in modifiers.items():
        path = f"$.modifiers.{name}"
        if name not in _MODIFIER_FIELDS:
            _bad(source, path, f"unknown modifier; use one of {', '.join(_MODIFIER_FIELDS)}")
        if not isinstance(item, dict):
            _bad(source, path, "must be an object")
        figure_field = _MODIFIER_FIELDS[name]
        figure = item.get(figure_field)
        if not _is_finite_rate(figure):
            _bad(source, f"{path}.{figure_field}", f"must be a finite number ≥ 0, got {_shown(figure)}")
        item_source = item.get("source")
        if not isinstance(item_source, str) or not item_source:
            _bad(source, f"{path}.source", "must say where the figure comes from (URL or note)")
        models = item.get("models")
        if models is not None and not (isinstance(models, list) and all(isinstance(m, str) for m in models)):
            _bad(source, f"{path}.models", "must be a list of model ids (or left out for every model)")
        parsed[name] = Modifier(
            name=name, source=item_source, source_kind=_parse_source_kind(item, source, path),
            multiplier=float(figure) if figure_field == "multiplier" else None,
            usd_per_request=float(figure) / 1000 if figure_field == "usd_per_1000_requests" else None,
            models=tuple(models) if models is not None else None)
    return parsed


def _parse_bands(bands: object, source: str, path: str) -> tuple[_Band, ...]:
    if not isinstance(bands, list) or not bands:
        _bad(source, path, "must be a non-empty array of bands")
    parsed: list[_Band] = []
    for index, band in enumerate(bands):
        item = f"{path}[{index}]"
        if not isinstance(band, dict):
            _bad(source, item, "must be an object")
        limit = band.get("up_to_prompt_tokens", _ABSENT)
        is_last = index == len(bands) - 1
        if is_last:
            if limit is not None:
                _bad(source, f"{item}.up_to_prompt_tokens", "the last band must be null (no upper limit)")
        elif not (isinstance(limit, int) and not isinstance(limit, bool) and limit > 0):
            _bad(source, f"{item}.up_to_prompt_tokens", "must be a positive integer (inclusive limit)")
        elif parsed and limit <= parsed[-1].up_to_prompt_tokens:
            _bad(source, f"{item}.up_to_prompt_tokens", "bands must be in increasing order")
        parsed.append(_Band(limit, _parse_rates(band, source, item)))
    return tuple(parsed)


_ABSENT = object()


def _parse_rates(holder: dict, source: str, path: str) -> dict[str, float | None]:
    rates: dict[str, float | None] = {}
    for kind in TOKEN_KINDS:
        if kind not in holder:
            _bad(source, f"{path}.{kind}", "missing; give USD per MTok, or null if not published")
        value = holder[kind]
        if value is not None and not _is_finite_rate(value):
            _bad(source, f"{path}.{kind}", f"must be a finite number ≥ 0 (USD per MTok) or null, got {_shown(value)}")
        rates[kind] = None if value is None else float(value)
    return rates


def _parse_date(value: object, source: str, path: str) -> date:
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        _bad(source, path, f"must be a date like \"2026-11-24\", got {json.dumps(value, default=str)}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite_rate(value: object) -> bool:
    """A usable rate: a number, not NaN or infinite (JSON parsers accept both), not negative."""
    return _is_number(value) and math.isfinite(value) and value >= 0


def _shown(value: object) -> str:
    return json.dumps(value, default=str)


def _as_date(on: date | datetime | None) -> date:
    if on is None:
        return date.today()
    if isinstance(on, datetime):
        return on.date()
    return on
