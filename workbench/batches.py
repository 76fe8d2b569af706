"""Large evaluations through the Message Batches API: build, price, submit, poll, collect, resume.

A test-case matrix (cases × models × repeats) becomes one batch whose custom_ids name their cell
(`m1-c12-r3`: model 1, case 12, repeat 3), so they are unique by construction and map back to
the grid. The batch and its requests are recorded in the call log before anything waits on it,
so a restarted app or CLI finds every pending batch there and carries on. Results are read line
by line from the results stream and each is logged as a call (source "batch", its batch id,
priced at batch rates) in groups of one transaction, never all held in memory; collecting again
after a crash logs each result once.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from workbench import preflight
from workbench.compare import CompareOutcome, PlannedCall, plan_calls
from workbench.compare_cases import CaseCheck, CompareCase
from workbench.pricing import Cost, PriceTable, UsageCounts
from workbench.spec import PromptSpec
from workbench.usage_log import UsageLog, insert_call, utc_now_iso

if TYPE_CHECKING:
    from workbench.runner import RunResult

# runner and tokens (which load the SDK) are imported where they are used: reading the batch
# records (`batch status`, the Batches list) must not cost the seconds importing anthropic takes.

BATCH_SOURCE = "batch"
ENDED = "ended"
# Results are logged this many to a transaction: one commit per row made 10,000 rows take
# several times longer, and a crash loses at most one group (collected again on resume).
LOG_GROUP_SIZE = 200
# count_tokens is asked for at most this many distinct requests when projecting a batch's cost;
# past it (thousands of cases) the projection uses the labelled offline estimate.
MAX_EXACT_COUNTS = 100
# What a request that never ran shows in place of an answer.
NOT_RUN = {
    "canceled": ("batch_canceled", "Canceled: the batch was canceled before this request ran."),
    "expired": ("batch_expired", "Expired: the batch reached its 24-hour limit before this request ran."),
}
_CUSTOM_ID_IN_LINE = re.compile(r'"custom_id"\s*:\s*"([^"\\]{1,64})"')


class BatchError(ValueError):
    """A batch that cannot be built or submitted; the message says what to change."""


# ------------------------------------------------------------------------------ building


def custom_id_for(call: PlannedCall, model_position: int) -> str:
    """The cell a request stands for: model (1-based), case (1-based, 0 without cases), repeat (1-based)."""
    case_number = call.case.index + 1 if call.case is not None else 0
    return f"m{model_position + 1}-c{case_number}-r{call.repeat + 1}"


@dataclass(frozen=True)
class BatchPlan:
    """The requests of one batch, each with its custom_id, and what is needed to rebuild the grid."""

    spec: PromptSpec
    models: list[str]
    cases: list[CompareCase]
    calls: list[PlannedCall]
    custom_ids: list[str]

    @property
    def request_count(self) -> int:
        return len(self.calls)

    def batch_requests(self) -> Iterator[dict]:
        """The `requests` items of messages.batches.create, one at a time."""
        for custom_id, call in zip(self.custom_ids, self.calls):
            yield {"custom_id": custom_id, "params": call.request}

    def body_bytes(self) -> int:
        """Size of the create body as JSON, as the API measures its 256 MB limit."""
        # Items are joined by ", " plus the wrapper: exact enough to tell a body near the limit.
        return sum(len(json.dumps(item, ensure_ascii=False).encode()) + 2 for item in self.batch_requests()) + 16


def build_batch(
    spec: PromptSpec,
    models: Sequence[str],
    *,
    cases: Sequence[CompareCase] | None = None,
    repeats: int = 1,
    overrides: Mapping[str, Any] | None = None,
    values: Mapping[str, str] | None = None,
) -> BatchPlan:
    """One request per cell (cases × repeats × models), planned exactly as a live compare plans it."""
    calls = plan_calls(spec, list(dict.fromkeys(models)), overrides=overrides, repeats=repeats, cases=cases,
                       values=values)
    return plan_from_calls(spec, calls)


def plan_from_calls(spec: PromptSpec, calls: Sequence[PlannedCall]) -> BatchPlan:
    """A batch of calls already planned (by compare.plan_calls), e.g. from the CLI's compare checks."""
    models = list(dict.fromkeys(call.model for call in calls))
    cases = list({call.case.index: call.case for call in calls if call.case is not None}.values())
    positions = {model: position for position, model in enumerate(models)}
    custom_ids = [custom_id_for(call, positions[call.model]) for call in calls]
    return BatchPlan(spec=spec, models=models, cases=cases, calls=list(calls), custom_ids=custom_ids)


def plan_problems(plan: BatchPlan) -> list[str]:
    """Why the API would refuse this batch as a whole (count, size, ids), with what to cut."""
    # Over the request limit the size hardly matters (and measuring 100k+ requests takes seconds).
    over_count = plan.request_count > preflight.BATCH_MAX_REQUESTS
    size = 0 if over_count else plan.body_bytes()
    problems = [problem.message for problem in preflight.batch_limit_problems(plan.request_count, size)]
    bad_ids = [custom_id for custom_id in plan.custom_ids if preflight.custom_id_problem(custom_id)]
    if bad_ids:
        problems.append(preflight.custom_id_problem(bad_ids[0]))
    return problems


@dataclass(frozen=True)
class BatchProjection:
    """Projected cost of a batch before sending: at batch prices and at live prices, floor to ceiling."""

    request_count: int
    batch_floor_usd: float | None  # every reply empty: the input alone
    batch_ceiling_usd: float | None  # every reply uses all of max_tokens
    live_floor_usd: float | None
    live_ceiling_usd: float | None
    exact_input: bool
    note: str | None  # why a figure is unknown, or that the input is estimated

    @property
    def saving_usd(self) -> float | None:
        if self.live_ceiling_usd is None or self.batch_ceiling_usd is None:
            return None
        return self.live_ceiling_usd - self.batch_ceiling_usd


def project_cost(plan: BatchPlan, prices: PriceTable, counter: Any = None) -> BatchProjection:
    """Sum of each request's price at batch and at live rates, from its input tokens and max_tokens.

    Input tokens come from count_tokens (through `counter`, cached, so repeats cost nothing) when
    the batch has at most MAX_EXACT_COUNTS distinct requests, else from the offline estimate.
    """
    from workbench.tokens import TokenCount, estimate_input_tokens

    distinct = {json.dumps(call.request, sort_keys=True) for call in plan.calls}
    use_counter = counter is not None and len(distinct) <= MAX_EXACT_COUNTS
    exact = use_counter
    totals = {"batch_floor": 0.0, "batch_ceiling": 0.0, "live_floor": 0.0, "live_ceiling": 0.0}
    unknown: str | None = None
    estimates: dict[str, TokenCount] = {}
    for call in plan.calls:
        key = json.dumps(call.request, sort_keys=True)
        count = estimates.get(key)
        if count is None:
            count = counter.count(call.request) if use_counter else TokenCount(
                estimate_input_tokens(call.request), exact=False, source="estimate")
            estimates[key] = count
        exact = exact and count.exact
        max_tokens = int(call.request.get("max_tokens") or 0)
        figures = {
            "batch_floor": prices.projected_cost(call.model, count.input_tokens, 0, batch=True),
            "batch_ceiling": prices.projected_cost(call.model, count.input_tokens, max_tokens, batch=True),
            "live_floor": prices.projected_cost(call.model, count.input_tokens, 0),
            "live_ceiling": prices.projected_cost(call.model, count.input_tokens, max_tokens),
        }
        for name, cost in figures.items():
            if cost.usd is None:
                unknown = unknown or cost.reason
            else:
                totals[name] += cost.usd
    if unknown:
        return BatchProjection(plan.request_count, None, None, None, None, exact, unknown)
    note = None if exact else "input tokens estimated offline (about 4 characters a token)"
    return BatchProjection(plan.request_count, totals["batch_floor"], totals["batch_ceiling"],
                           totals["live_floor"], totals["live_ceiling"], exact, note)


# ------------------------------------------------------------------------------ the record


@dataclass(frozen=True)
class BatchCounts:
    """request_counts as the API reports them."""

    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0

    @property
    def total(self) -> int:
        return self.processing + self.succeeded + self.errored + self.canceled + self.expired

    @property
    def finished(self) -> int:
        return self.total - self.processing

    def as_dict(self) -> dict[str, int]:
        return {"processing": self.processing, "succeeded": self.succeeded, "errored": self.errored,
                "canceled": self.canceled, "expired": self.expired}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "BatchCounts":
        data = data or {}
        return cls(**{name: int(data.get(name) or 0) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BatchRecord:
    """A submitted batch as the call log keeps it."""

    id: str
    created_at: str
    source: str
    prompt_name: str | None
    base_url: str
    request_count: int
    models: list[str]
    status: str  # in_progress / canceling / ended
    counts: BatchCounts
    ended_at: str | None
    collected_at: str | None
    problems: list[str] = field(default_factory=list)
    logged: int = 0  # results logged as calls so far

    @property
    def ended(self) -> bool:
        return self.status == ENDED

    @property
    def collected(self) -> bool:
        return self.collected_at is not None

    @property
    def progress(self) -> float:
        """Share of requests finished (0..1), from request_counts."""
        total = self.counts.total or self.request_count
        return self.counts.finished / total if total else 0.0

    def as_json(self) -> dict:
        return {"id": self.id, "created_at": self.created_at, "source": self.source,
                "prompt_name": self.prompt_name, "requests": self.request_count, "models": self.models,
                "status": self.status, "request_counts": self.counts.as_dict(), "ended_at": self.ended_at,
                "collected": self.collected, "logged": self.logged, "problems": self.problems}


def _batch_from_row(row: sqlite3.Row, logged: int) -> BatchRecord:
    return BatchRecord(
        id=row["id"], created_at=row["created_at"], source=row["source"], prompt_name=row["prompt_name"],
        base_url=row["base_url"], request_count=row["request_count"], models=json.loads(row["models_json"]),
        status=row["status"], counts=BatchCounts.from_dict(json.loads(row["counts_json"] or "null")),
        ended_at=row["ended_at"], collected_at=row["collected_at"],
        problems=json.loads(row["problems_json"] or "[]"), logged=logged,
    )


_SELECT_BATCH = ("SELECT b.*, (SELECT COUNT(*) FROM batch_requests r WHERE r.batch_id = b.id "
                 "AND r.call_id IS NOT NULL) AS logged FROM batches b")


def list_batches(log: UsageLog, *, limit: int = 100) -> list[BatchRecord]:
    """Batches recorded in the call log, newest first."""
    with log.read_connection() as conn:
        rows = conn.execute(f"{_SELECT_BATCH} ORDER BY b.created_at DESC LIMIT ?", (int(limit),)).fetchall()
    return [_batch_from_row(row, row["logged"]) for row in rows]


def get_batch(log: UsageLog, batch_id: str) -> BatchRecord | None:
    with log.read_connection() as conn:
        row = conn.execute(f"{_SELECT_BATCH} WHERE b.id = ?", (batch_id,)).fetchone()
    return _batch_from_row(row, row["logged"]) if row else None


def pending_batches(log: UsageLog) -> list[BatchRecord]:
    """Batches still to finish or to collect: what a restarted app or CLI picks up."""
    return [batch for batch in list_batches(log, limit=10_000) if not batch.collected]


def _cases_json(cases: Sequence[CompareCase]) -> str:
    return json.dumps([{"index": case.index, "values": case.values,
                        "check": {"kind": case.check.kind, "expected": case.check.expected} if case.check else None}
                       for case in cases], ensure_ascii=False)


def _cases_from_json(text: str | None) -> dict[int, CompareCase]:
    cases = {}
    for item in json.loads(text or "[]"):
        check = CaseCheck(item["check"]["kind"], item["check"]["expected"]) if item["check"] else None
        cases[item["index"]] = CompareCase(index=item["index"], values=item["values"], check=check)
    return cases


def _record_submitted(log: UsageLog, batch: Any, plan: BatchPlan, *, source: str, base_url: str) -> None:
    counts = BatchCounts.from_dict(batch.request_counts.to_dict() if batch.request_counts else None)
    with log.write_transaction() as conn:
        conn.execute(
            "INSERT INTO batches (id, created_at, source, prompt_name, base_url, request_count, models_json, "
            "cases_json, template_json, status, counts_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch.id, utc_now_iso(), source, plan.spec.name, base_url, plan.request_count,
             json.dumps(plan.models), _cases_json(plan.cases),
             json.dumps(plan.spec.request, ensure_ascii=False), batch.processing_status,
             json.dumps(counts.as_dict())),
        )
        conn.executemany(
            "INSERT INTO batch_requests (batch_id, custom_id, position, model, repeat, case_index, request_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((batch.id, custom_id, call.index, call.model, call.repeat,
              call.case.index if call.case is not None else None, json.dumps(call.request, ensure_ascii=False))
             for custom_id, call in zip(plan.custom_ids, plan.calls)),
        )


# ------------------------------------------------------------------------------ talking to the API


def submit(client: Any, plan: BatchPlan, log: UsageLog, *, source: str = "compare",
           extra_headers: Mapping[str, str] | None = None) -> BatchRecord:
    """Check the batch against the API's limits, create it, and record it in the call log."""
    problems = plan_problems(plan)
    if problems:
        raise BatchError(" ".join(problems))
    batch = client.messages.batches.create(requests=list(plan.batch_requests()),
                                           extra_headers=dict(extra_headers) if extra_headers else None)
    _record_submitted(log, batch, plan, source=source, base_url=str(client.base_url).rstrip("/"))
    return get_batch(log, batch.id)


def refresh(client: Any, log: UsageLog, batch_id: str) -> BatchRecord:
    """Ask the API for the batch's status and counts, and keep them in the log."""
    batch = client.messages.batches.retrieve(batch_id)
    counts = BatchCounts.from_dict(batch.request_counts.to_dict())
    ended_at = batch.ended_at.isoformat() if batch.ended_at else None
    with log.write_transaction() as conn:
        conn.execute("UPDATE batches SET status = ?, counts_json = ?, ended_at = ? WHERE id = ?",
                     (batch.processing_status, json.dumps(counts.as_dict()), ended_at, batch_id))
    record = get_batch(log, batch_id)
    if record is None:
        raise BatchError(f"batch {batch_id} is not in this call log")
    return record


def cancel(client: Any, log: UsageLog, batch_id: str) -> BatchRecord:
    """Ask the API to cancel; the batch ends shortly after with its unstarted requests canceled."""
    client.messages.batches.cancel(batch_id)
    return refresh(client, log, batch_id)


@dataclass
class CollectReport:
    """What collecting a batch's results did."""

    batch_id: str
    logged: int = 0  # results logged now
    already_logged: int = 0  # logged by an earlier collect (resumed after a crash)
    problems: list[str] = field(default_factory=list)  # lines that could not be used, with custom_id

    def as_json(self) -> dict:
        return {"batch_id": self.batch_id, "logged": self.logged, "already_logged": self.already_logged,
                "problems": self.problems}


def result_lines(client: Any, batch_id: str) -> Iterator[str]:
    """The batch's results file, one raw line at a time (read as it streams, never all at once)."""
    with client.messages.batches.with_streaming_response.results(batch_id) as response:
        for line in response.iter_lines():
            if line.strip():
                yield line


def collect(client: Any, log: UsageLog, batch_id: str, *, prices: PriceTable | None,
            lines: Iterable[str] | None = None) -> CollectReport:
    """Log every result of an ended batch as a call; a line that fails to parse is reported, the rest load."""
    record = get_batch(log, batch_id)
    if record is None:
        raise BatchError(f"batch {batch_id} is not in this call log")
    report = CollectReport(batch_id)
    group: list[tuple[str, dict]] = []
    for number, line in enumerate(lines if lines is not None else result_lines(client, batch_id), start=1):
        try:
            item = json.loads(line)
            custom_id = item["custom_id"]
            result = item["result"]
            if not isinstance(result, dict) or "type" not in result:
                raise ValueError("no result type")
        except (ValueError, KeyError, TypeError) as error:
            found = _CUSTOM_ID_IN_LINE.search(line)
            who = f"custom_id {found.group(1)}" if found else "custom_id unknown"
            report.problems.append(f"results line {number} ({who}) could not be read: {error}")
            continue
        group.append((custom_id, result))
        if len(group) >= LOG_GROUP_SIZE:
            _log_group(log, record, group, prices, report)
            group = []
    if group:
        _log_group(log, record, group, prices, report)
    with log.write_transaction() as conn:
        conn.execute("UPDATE batches SET collected_at = ?, problems_json = ? WHERE id = ?",
                     (utc_now_iso(), json.dumps(report.problems), batch_id))
    return report


def _log_group(log: UsageLog, batch: BatchRecord, group: list[tuple[str, dict]], prices: PriceTable | None,
               report: CollectReport) -> None:
    from workbench.runner import record_from_result

    with log.write_transaction() as conn:
        for custom_id, result in group:
            row = conn.execute(
                "SELECT request_json, model, call_id FROM batch_requests WHERE batch_id = ? AND custom_id = ?",
                (batch.id, custom_id),
            ).fetchone()
            if row is None:
                report.problems.append(f"custom_id {custom_id} is not a request of batch {batch.id}; skipped")
                continue
            if row[2] is not None:
                report.already_logged += 1
                continue
            run = run_result_of(result, request=json.loads(row[0]), model=row[1], prices=prices,
                                prompt_name=batch.prompt_name)
            call_record = record_from_result(run)
            call_record.batch_id = batch.id
            call_id = insert_call(conn, call_record)
            conn.execute("UPDATE batch_requests SET call_id = ? WHERE batch_id = ? AND custom_id = ?",
                         (call_id, batch.id, custom_id))
            report.logged += 1


def run_result_of(result: Mapping[str, Any], *, request: dict, model: str, prices: PriceTable | None,
                  prompt_name: str | None) -> RunResult:
    """One batch result as a RunResult (what the grid, checks and scores read), priced at batch rates."""
    from workbench.runner import RunError, RunResult

    kind = result.get("type")
    message = result.get("message") if kind == "succeeded" else None
    usage = UsageCounts.from_dict(message["usage"]) if message and message.get("usage") else None
    if usage is None:
        cost = Cost(usd=None, reason=f"not billed: the request {kind}", price_version=prices.version if prices else "")
    elif prices is None:
        cost = Cost(usd=None, reason="no price table")
    else:
        cost = prices.cost(usage, model, batch=True)
    error = None
    request_id = None
    if kind == "errored":
        body = result.get("error") or {}
        detail = body.get("error") or {}
        request_id = body.get("request_id")
        error_type = detail.get("type") or "api_error"
        text = detail.get("message") or "The request errored."
        error = RunError(type=error_type, status=None, message=text, request_id=request_id, retry_after=None,
                         hint=f"The API refused this request in the batch: {text}")
    elif kind in NOT_RUN:
        error_type, text = NOT_RUN[kind]
        error = RunError(type=error_type, status=None, message=text, request_id=None, retry_after=None,
                         hint="Submit the canceled or expired cells again (live or in a new batch).")
    elif kind != "succeeded" or message is None:
        error = RunError(type="batch_unknown_result", status=None, message=f"Unknown result type {kind!r}.",
                         request_id=None, retry_after=None, hint="Update Workbench to read this result type.")
    content = message.get("content", []) if message else []
    return RunResult(
        model=model, request=request, source=BATCH_SOURCE, prompt_name=prompt_name,
        text="".join(block.get("text", "") for block in content if block.get("type") == "text"),
        thinking="".join(block.get("thinking", "") for block in content if block.get("type") == "thinking"),
        tool_uses=[{"id": block.get("id"), "name": block.get("name"), "input": block.get("input")}
                   for block in content if block.get("type") == "tool_use"],
        content=content, stop_reason=message.get("stop_reason") if message else None,
        request_id=request_id, usage=usage, cost=cost, ttft_ms=None, latency_ms=None,
        output_tokens_per_s=None, error=error, partial=False, started_at=utc_now_iso(),
        response=message if message else (result.get("error") if kind == "errored" else {"type": kind}),
    )


# ------------------------------------------------------------------------------ back into a compare


def outcome_of(log: UsageLog, batch_id: str, prices: PriceTable | None = None) -> tuple[CompareOutcome, dict]:
    """The collected batch as a CompareOutcome (same grid, checks and scores as a live run), plus its template.

    Cells whose result is not logged (not collected yet, or an unreadable line) are left out of
    the results; the caller says how many.
    """
    with log.read_connection() as conn:
        batch_row = conn.execute("SELECT cases_json, template_json, prompt_name FROM batches WHERE id = ?",
                                 (batch_id,)).fetchone()
        if batch_row is None:
            raise BatchError(f"batch {batch_id} is not in this call log")
        cases = _cases_from_json(batch_row["cases_json"])
        rows = conn.execute(
            "SELECT r.position, r.model, r.repeat, r.case_index, r.request_json, r.call_id, "
            "c.cost_usd, c.price_version, c.error_type, c.error_status, c.request_id, c.stop_reason, "
            "c.input_tokens, c.output_tokens, c.cache_write_tokens, c.cache_read_tokens, b.response_json "
            "FROM batch_requests r LEFT JOIN calls c ON c.id = r.call_id "
            "LEFT JOIN call_bodies b ON b.call_id = r.call_id WHERE r.batch_id = ? ORDER BY r.position",
            (batch_id,),
        ).fetchall()
    calls = []
    results = {}
    for row in rows:
        request = json.loads(row["request_json"])
        case = cases.get(row["case_index"]) if row["case_index"] is not None else None
        call = PlannedCall(index=row["position"], model=row["model"], repeat=row["repeat"], case=case,
                           request=request)
        calls.append(call)
        if row["call_id"] is None:
            continue
        response = json.loads(row["response_json"]) if row["response_json"] else None
        results[call.index] = _logged_result(row, call, response, batch_row["prompt_name"], prices)
    outcome = CompareOutcome(calls)
    outcome.results.update(results)
    return outcome, json.loads(batch_row["template_json"])


def _logged_result(row: sqlite3.Row, call: PlannedCall, response: Any, prompt_name: str | None,
                   prices: PriceTable | None) -> RunResult:
    """A logged batch result read back from its call row and response body."""
    error_type = row["error_type"]
    if error_type in {code for code, _ in NOT_RUN.values()}:
        result = {"type": next(kind for kind, (code, _) in NOT_RUN.items() if code == error_type)}
    elif error_type:
        result = {"type": "errored", "error": response or {"error": {"type": error_type}}}
    else:
        result = {"type": "succeeded", "message": response}
    run = run_result_of(result, request=call.request, model=call.model, prices=prices, prompt_name=prompt_name)
    if row["cost_usd"] is not None:
        run.cost = Cost(usd=row["cost_usd"], price_version=row["price_version"] or "")  # what was logged
    run.log_id = row["call_id"]
    return run


def wait_until_ended(client: Any, log: UsageLog, batch_id: str, *, poll_s: float = 1.0,
                     on_progress: Any = None, sleep: Any = None) -> BatchRecord:
    """Poll until the batch ends, calling on_progress(record) after each poll; Ctrl-C goes to the caller."""
    import time

    pause = sleep or time.sleep
    while True:
        record = refresh(client, log, batch_id)
        if on_progress is not None:
            on_progress(record)
        if record.ended:
            return record
        pause(poll_s)
