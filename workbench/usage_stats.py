"""What the call log adds up to: totals, breakdowns, chart series, history and repricing, all aggregated in SQL.

Charts and the CLI read these small results, never the log's rows: one grouped scan gives the
totals, the time series, cost per day by model, errors by type and the price-table versions.
Logical calls are counted once (their final attempt); tokens and cost add up every attempt,
because every attempt that reached the API may have been billed.
"""
from __future__ import annotations

import json
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from workbench.call_filter import UNNAMED_PROMPT, CallFilter
from workbench.pricing import PriceTable, UsageCounts
from workbench.usage_log import UsageLog

# Group keys the CLI's --by accepts, and the SQL each one groups by.
BREAKDOWNS = {
    "model": "model",
    "day": "substr(created_at, 1, 10)",
    "source": "source",
    "prompt": f"COALESCE(prompt_name, '{UNNAMED_PROMPT}')",
}
# Time series use hourly buckets up to this span, daily beyond (so a chart has at most a few hundred points).
HOURLY_UP_TO_DAYS = 7
LATENCY_BINS = 30

# Grouping by model or prompt, the planner would rather walk that column's index (a table lookup
# per row of the whole log, filtered afterwards) than sort the rows in the time range: 0.85 s
# against 0.1 s for a day of a 1M-call log. NOT INDEXED keeps it on the rowid range.
_NOT_INDEXED = "NOT INDEXED"
_TOKENS_USED_SQL = "(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens) > 0"

# One sort key per group (bucket, model) and conditional sums: SQLite sorts every row it groups,
# and a narrow key sorts several times faster than grouping by outcome and error type as well.
_GROUP_SQL = """
SELECT {key} AS bucket, model,
    COUNT(*) AS attempts, SUM(final) AS calls, SUM(COALESCE(sdk_retries, 0)) AS sdk_retries,
    SUM(final AND (status = 'interrupted' OR (status = 'completed' AND error_type IS NOT NULL))) AS errors,
    SUM(final AND status = 'interrupted') AS interrupted, SUM(final AND status = 'pending') AS pending,
    SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
    SUM(cache_write_tokens) AS cache_write_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
    SUM(cost_usd) AS cost_usd, SUM(cost_usd IS NULL AND {tokens_used}) AS unpriced_attempts,
    MIN(price_version) AS first_version, MAX(price_version) AS last_version
FROM calls {indexed} WHERE {where}
GROUP BY bucket, model
"""

@dataclass
class Totals:
    """Sums over a set of calls; `calls` counts logical calls, `attempts` every try at them."""

    calls: int = 0
    attempts: int = 0
    sdk_retries: int = 0  # HTTP retries the SDK made inside the attempts (rate limits, overload)
    errors: int = 0  # calls whose final attempt failed or was interrupted
    interrupted: int = 0
    pending: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float | None = None  # known costs only; None when none is known
    unpriced_attempts: int = 0  # used tokens, but no price for their model: cost unknown

    def add(self, row: dict) -> None:
        for name in ("attempts", "calls", "sdk_retries", "errors", "interrupted", "pending", "input_tokens", "output_tokens",
                     "cache_write_tokens", "cache_read_tokens", "unpriced_attempts"):
            setattr(self, name, getattr(self, name) + (row[name] or 0))
        if row["cost_usd"] is not None:
            self.cost_usd = (self.cost_usd or 0.0) + row["cost_usd"]

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def cache_hit_ratio(self) -> float | None:
        """Share of prompt tokens read from the cache."""
        prompt = self.input_tokens + self.cache_write_tokens + self.cache_read_tokens
        return self.cache_read_tokens / prompt if prompt else None

    def as_dict(self) -> dict:
        return {**self.__dict__, "error_rate": self.error_rate, "cache_hit_ratio": self.cache_hit_ratio}


@dataclass
class Overview:
    """Everything the Usage page's KPIs and charts show for one filter."""

    totals: Totals
    bucket: str  # "hour" or "day"
    # bucket -> Totals (the tokens-over-time chart)
    by_bucket: dict[str, Totals] = field(default_factory=dict)
    # (day, model) -> Totals (cost per day by model, cache savings)
    by_day_model: dict[tuple[str, str], Totals] = field(default_factory=dict)
    # error type (or "interrupted") -> logical calls that ended with it
    errors_by_type: dict[str, int] = field(default_factory=dict)
    # price-table version the logged costs were computed with -> attempts (None: never priced)
    price_versions: dict[str | None, int] = field(default_factory=dict)
    # models that used tokens without a price in the table their cost was computed with
    unpriced_models: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.totals.attempts == 0


def bucket_for(span_days: float | None) -> str:
    """Hourly buckets for short spans, daily ones otherwise."""
    return "hour" if span_days is not None and span_days <= HOURLY_UP_TO_DAYS else "day"


def overview(log: UsageLog, call_filter: CallFilter, *, bucket: str = "day") -> Overview:
    """Totals, time series, per-day-and-model sums, errors and price versions for one filter."""
    # Grouped by (hour, model) in the index's order, so SQLite sorts nothing; days are folded here.
    hourly_where, hourly_params = call_filter.sql(by_hour=True)
    rows = log.select(_GROUP_SQL.format(key="hour", indexed="INDEXED BY calls_hour_model",
                                        tokens_used=_TOKENS_USED_SQL, where=hourly_where), hourly_params)
    where, params = call_filter.sql()
    result = Overview(totals=Totals(), bucket=bucket)
    unpriced: set[str] = set()
    several_versions = False
    width = 13 if bucket == "hour" else 10
    for row in rows:
        result.totals.add(row)
        result.by_bucket.setdefault(row["bucket"][:width], Totals()).add(row)
        result.by_day_model.setdefault((row["bucket"][:10], row["model"]), Totals()).add(row)
        if row["unpriced_attempts"]:
            unpriced.add(row["model"])
        several_versions |= row["first_version"] != row["last_version"]
        result.price_versions[row["last_version"]] = result.price_versions.get(row["last_version"], 0) + row["attempts"]
    result.by_bucket = dict(sorted(result.by_bucket.items()))
    result.unpriced_models = sorted(unpriced)
    if result.totals.errors:
        result.errors_by_type = _errors_by_type(log, where, params)
    if several_versions:  # rare (the price table changed within a day): count each version exactly
        result.price_versions = {
            row["price_version"]: row["attempts"]
            for row in log.select(f"SELECT price_version, COUNT(*) AS attempts FROM calls WHERE {where} "
                                  "GROUP BY price_version", params)
        }
    return result


def _errors_by_type(log: UsageLog, where: str, params: list) -> dict[str, int]:
    rows = log.select(
        f"""
        SELECT CASE WHEN status = 'interrupted' THEN 'interrupted' ELSE error_type END AS kind, COUNT(*) AS calls
        FROM calls {_NOT_INDEXED} WHERE ({where}) AND final = 1
            AND (status = 'interrupted' OR (status = 'completed' AND error_type IS NOT NULL))
        GROUP BY kind ORDER BY calls DESC, kind
        """,
        params,
    )
    return {row["kind"]: row["calls"] for row in rows}


def breakdown(log: UsageLog, call_filter: CallFilter, by: str) -> list[dict]:
    """Totals per model, day, source or prompt (the CLI's --by), largest first (days in order)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"--by {by!r} is not one of {', '.join(BREAKDOWNS)}")
    where, params = call_filter.sql()
    rows = log.select(_GROUP_SQL.format(key=BREAKDOWNS[by], indexed=_NOT_INDEXED, tokens_used=_TOKENS_USED_SQL,
                                        where=where), params)
    groups: dict[str, Totals] = defaultdict(Totals)
    for row in rows:
        groups[row["bucket"]].add(row)
    ordered = sorted(groups.items()) if by == "day" else sorted(groups.items(), key=lambda item: (-item[1].calls, item[0]))
    return [{by: key, **totals.as_dict()} for key, totals in ordered]


def percentiles(log: UsageLog, call_filter: CallFilter) -> dict[str, float | None]:
    """Exact nearest-rank p50/p95 of TTFT and latency over the final attempts that completed."""
    # SQLite has no percentile aggregate, and a CUME_DIST window sorted the rows ~4x slower than
    # reading the two numbers into flat arrays and sorting those (bench/usage_scale.py).
    where, params = call_filter.sql()
    ttfts, latencies = array("d"), array("d")
    for ttft, latency in log.stream_rows(
        f"SELECT ttft_ms, latency_ms FROM calls WHERE ({where}) AND final = 1 AND status = 'completed' "
        "AND latency_ms IS NOT NULL",
        params,
    ):
        latencies.append(latency)
        if ttft is not None:
            ttfts.append(ttft)
    found: dict[str, float | None] = {}
    for name, values in (("ttft", ttfts), ("latency", latencies)):
        ordered = sorted(values)
        for share in (50, 95):
            # nearest rank: the value at position ceil(p * n), 1-based
            rank = -(-share * len(ordered) // 100)
            found[f"p{share}_{name}_ms"] = ordered[rank - 1] if ordered else None
    return found


def latency_histogram(log: UsageLog, call_filter: CallFilter, upper_ms: float | None) -> list[dict]:
    """Counts of final completed attempts per model in LATENCY_BINS equal bins up to `upper_ms` (the last bin holds the rest)."""
    if not upper_ms or upper_ms <= 0:
        return []
    width = upper_ms / LATENCY_BINS
    where, params = call_filter.sql()
    rows = log.select(
        f"""
        SELECT model, MIN(CAST(latency_ms / ? AS INTEGER), {LATENCY_BINS - 1}) AS bin, COUNT(*) AS calls
        FROM calls {_NOT_INDEXED} WHERE ({where}) AND final = 1 AND status = 'completed' AND latency_ms IS NOT NULL
        GROUP BY model, bin ORDER BY model, bin
        """,
        [width, *params],
    )
    return [{"model": row["model"], "from_ms": row["bin"] * width, "to_ms": (row["bin"] + 1) * width,
             "calls": row["calls"]} for row in rows]


def cache_savings(result: Overview, prices: PriceTable) -> tuple[float | None, list[str]]:
    """What the cache reads saved versus paying the input rate for the same tokens, and the models without rates."""
    saved: float | None = None
    missing: set[str] = set()
    for (day, model), totals in result.by_day_model.items():
        if not totals.cache_read_tokens:
            continue
        rates = prices.rates_for(model, on=date.fromisoformat(day))
        if rates is None or rates.input is None or rates.cache_read is None:
            missing.add(model)
            continue
        saved = (saved or 0.0) + totals.cache_read_tokens * (rates.input - rates.cache_read) / 1_000_000
    return saved, sorted(missing)


def filter_choices(log: UsageLog) -> dict[str, list[str]]:
    """The models and prompt names in the log, for the Usage page's filters, read by skipping through indexes."""
    def distinct(column: str) -> list[str]:
        # A skip-scan: one index seek per distinct value, not a pass over every row.
        rows = log.select(
            f"""
            WITH RECURSIVE found(value) AS (
                SELECT MIN({column}) FROM calls
                UNION ALL
                SELECT (SELECT MIN({column}) FROM calls WHERE {column} > found.value) FROM found
                WHERE found.value IS NOT NULL
            )
            SELECT value FROM found WHERE value IS NOT NULL
            """
        )
        return [row["value"] for row in rows]

    names = distinct("prompt_name")
    if log.select("SELECT 1 AS x FROM calls WHERE prompt_name IS NULL LIMIT 1"):
        names.append(UNNAMED_PROMPT)
    return {"models": distinct("model"), "prompt_names": names}


def time_span(log: UsageLog) -> tuple[str | None, str | None]:
    """The first and last created_at in the log (through the index)."""
    row = log.select("SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM calls")[0]
    return row["first"], row["last"]


@dataclass
class Repriced:
    """One model's logged cost next to what the current price table makes of the same tokens."""

    model: str
    attempts: int = 0
    logged_usd: float | None = None
    current_usd: float | None = None
    logged_unknown: int = 0
    current_unknown: int = 0
    logged_versions: set = field(default_factory=set)


def reprice(log: UsageLog, call_filter: CallFilter, prices: PriceTable) -> list[Repriced]:
    """Every matching attempt priced again with `prices` on its own date, per model, beside its logged cost.

    Reads the narrow rows one by one (no bodies), so memory stays flat however many match.
    """
    where, params = call_filter.sql()
    per_model: dict[str, Repriced] = {}
    cursor = log.stream_rows(
        f"SELECT model, source, substr(created_at, 1, 10) AS day, input_tokens, output_tokens, "
        f"cache_write_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd, price_version "
        f"FROM calls WHERE ({where}) AND {_TOKENS_USED_SQL}",
        params,
    )
    for row in cursor:
        item = per_model.setdefault(row["model"], Repriced(row["model"]))
        item.attempts += 1
        item.logged_versions.add(row["price_version"])
        if row["cost_usd"] is None:
            item.logged_unknown += 1
        else:
            item.logged_usd = (item.logged_usd or 0.0) + row["cost_usd"]
        usage = UsageCounts(
            input_tokens=row["input_tokens"], output_tokens=row["output_tokens"],
            cache_write_5m_tokens=row["cache_write_tokens"] - row["cache_write_1h_tokens"],
            cache_write_1h_tokens=row["cache_write_1h_tokens"], cache_read_tokens=row["cache_read_tokens"],
        )
        cost = prices.cost(usage, row["model"], batch=row["source"] == "batch", on=date.fromisoformat(row["day"]))
        if cost.usd is None:
            item.current_unknown += 1
        else:
            item.current_usd = (item.current_usd or 0.0) + cost.usd
    return sorted(per_model.values(), key=lambda item: -(item.current_usd or item.logged_usd or 0.0))


def recent_runs(log: UsageLog, prompt_name: str | None = None, *, limit: int = 20) -> list[dict]:
    """The newest runs (logical calls), of one prompt or of all, with the first line of each reply.

    Unnamed prompts are asked for as UNNAMED_PROMPT.
    """
    # Straight through the (prompt_name, id) index, newest first: the Editor asks on every rerun.
    if prompt_name is None:
        where, params = "final = 1", []
    elif prompt_name == UNNAMED_PROMPT:
        where, params = "prompt_name IS NULL AND final = 1", []
    else:
        where, params = "prompt_name = ? AND final = 1", [prompt_name]
    rows = log.select(
        f"""
        SELECT c.id, c.created_at, c.source, c.prompt_name, c.model, c.input_tokens, c.output_tokens,
            c.cache_write_tokens, c.cache_read_tokens, c.cost_usd, c.latency_ms, c.stop_reason, c.error_type,
            c.status, c.attempt, b.response_json
        FROM calls c JOIN call_bodies b ON b.call_id = c.id
        WHERE c.id IN (SELECT id FROM calls WHERE {where} ORDER BY id DESC LIMIT ?)
        ORDER BY c.id DESC
        """,
        [*params, int(limit)],
    )
    for row in rows:
        row["first_line"] = first_reply_line(row.pop("response_json"))
    return rows


def outcome_label(row: dict) -> str:
    """How a logged call ended, in a word: interrupted / pending, the error type, or the stop reason."""
    if row["status"] != "completed":
        return row["status"]
    return row["error_type"] or row["stop_reason"] or "ok"


def first_reply_line(response_json: str | None) -> str:
    """The first non-empty line of a logged reply's text (or its first tool call), for lists."""
    if not response_json:
        return ""
    try:
        content = json.loads(response_json).get("content") or []
    except (ValueError, AttributeError):
        return ""
    for block in content:
        if block.get("type") == "text":
            for line in str(block.get("text", "")).splitlines():
                if line.strip():
                    return line.strip()
        if block.get("type") == "tool_use":
            return f"→ {block.get('name')}(…)"
    return ""
