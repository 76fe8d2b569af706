"""Which calls a Usage view, export, clear or CLI report is about: one filter, turned into SQL in one place."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# What became of a call, in the order the Usage page lists them.
OUTCOMES = ("ok", "error", "interrupted", "pending")

# The outcome of a row as SQL: the write-ahead status first, then whether the API answered with an error.
OUTCOME_SQL = (
    "CASE WHEN status = 'pending' THEN 'pending' WHEN status = 'interrupted' THEN 'interrupted' "
    "WHEN error_type IS NOT NULL THEN 'error' ELSE 'ok' END"
)

# A prompt_name of NULL is shown and filtered as this label.
UNNAMED_PROMPT = "(unnamed)"


@dataclass(frozen=True)
class CallFilter:
    """Calls created in [since, until) matching every non-empty list; empty lists mean "any"."""

    since: str | None = None  # canonical UTC ISO text (usage_log.normalize_timestamp) or a date
    until: str | None = None
    models: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    prompt_names: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for bound in ("since", "until"):
            value = getattr(self, bound)
            if value is not None:
                object.__setattr__(self, bound, time_bound(value, bound))
        unknown = [outcome for outcome in self.outcomes if outcome not in OUTCOMES]
        if unknown:
            raise ValueError(f"outcome {unknown[0]!r} is not one of {', '.join(OUTCOMES)}")

    @property
    def is_everything(self) -> bool:
        return self == CallFilter()

    def sql(self, *, by_hour: bool = False) -> tuple[str, list]:
        """An SQL condition over `calls` (unqualified column names) and its parameters.

        `by_hour` bounds the time through the (hour, model) index, for a query that walks it.
        """
        conditions: list[str] = []
        params: list = []
        if self.since is not None and by_hour:
            conditions.append("hour >= ? AND created_at >= ?")
            params += [self.since[:13], self.since]
        elif self.since is not None:
            # Calls arrive roughly in time order, so the matching rows are one rowid range: find
            # where it starts through the created_at index, then scan the table from there,
            # filtering exactly. Fetching every row through the index instead costs a lookup per
            # row (3x slower for a month of a 200k-row log). "+" keeps the planner off that
            # index for the exact test.
            # INDEXED BY: left to itself the planner walked the table by rowid to find MIN(id)
            # (0.67 s against 0.14 s for a week of a 1M-call log, bench/usage_scale.py).
            conditions.append("id >= (SELECT MIN(id) FROM calls INDEXED BY calls_created_at WHERE created_at >= ?) "
                              "AND +created_at >= ?")
            params += [self.since, self.since]
        if self.until is not None:
            conditions.append("+created_at < ?")
            params.append(self.until)
        for column, values in (("model", self.models), ("source", self.sources)):
            if values:
                conditions.append(f"+{column} IN ({', '.join('?' for _ in values)})")
                params += list(values)
        if self.prompt_names:
            named = [name for name in self.prompt_names if name != UNNAMED_PROMPT]
            parts = [f"+prompt_name IN ({', '.join('?' for _ in named)})"] if named else []
            if UNNAMED_PROMPT in self.prompt_names:
                parts.append("prompt_name IS NULL")
            conditions.append("(" + " OR ".join(parts) + ")")
            params += named
        if self.outcomes:
            conditions.append(f"({OUTCOME_SQL}) IN ({', '.join('?' for _ in self.outcomes)})")
            params += list(self.outcomes)
        return (" AND ".join(conditions) or "1"), params


def normalize_timestamp(value: str, label: str = "created_at") -> str:
    """An ISO time with an offset -> canonical UTC text, so rows sort and compare as strings."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{label} {value!r} has no UTC offset; write it in UTC, e.g. with utc_now_iso()")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def time_bound(value: str, label: str) -> str:
    """A filter bound: a bare date "YYYY-MM-DD" (that day from 00:00 UTC) or a time with an offset."""
    if len(value) == 10:
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise ValueError(f"{label} {value!r} is not a date like 2026-03-01") from None
        return value
    return normalize_timestamp(value, label)


def parse_age(text: str, *, now: datetime | None = None) -> str:
    """A `--since` value: an age like 7d, 12h, 30m, or a date/time; returns the canonical UTC bound."""
    now = now or datetime.now(timezone.utc)
    value = text.strip().lower()
    units = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
    if value[-1:] in units and value[:-1].isdigit():
        moment = now - timedelta(**{units[value[-1]]: int(value[:-1])})
        return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--since {text!r} is not an age like 7d, 12h or 30m, nor a date like 2026-03-01") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # a bare date or time is read as UTC
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
