"""Compare one prompt across models: pick models, apply per-model overrides, plan and run the calls."""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from workbench import pacing, preflight, present
from workbench.compare_cases import CompareCase, grid_row, judge_answer, model_score, ModelScore
from workbench.compare_stats import CostRow, ModelStats, cost_row, has_cache_breakpoint, model_stats
from workbench.models import Catalog, ModelEntry
from workbench.pricing import PriceTable
from workbench.spec import PromptSpec
from workbench.templating import MissingVariableError, find_variables, substitute

COMPARE_SOURCE = "compare"
MIN_MODELS = 2
MAX_MODELS = 4
MAX_REPEATS = 50
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 32
# The SDK retries 429s honouring retry-after. Under a rate limit every waiting call is told the
# same retry-after and only one wins the freed slot, so a call can lose many rounds in a row:
# the SDK default of two retries drops calls. Twenty halves the re-runs below against ten
# (bench/compare_fanout.py at 32 in flight against 20 rps: 40 vs 82 of 200 calls); more would
# also stretch the SDK's backoff on a server that is down (5xx), which it retries the same way.
COMPARE_MAX_RETRIES = 20
# Calls that still end in a retryable error (429 / 529) are run again, up to this many rounds,
# so a matrix under a rate limit finishes with every call answered. The project's rule is "the
# SDK's own retries", so this re-queue had to earn its place; measured with the 200-call matrix
# against --rate-limit 20 (2026-11-25): SDK retries alone, even max_retries=50, starve a few calls
# (every waiter gets the same retry-after and only some win): 1 failed at 20 in flight, 5-9 at 32,
# with a dead server then retried for minutes. With max_retries=20 plus this re-queue: 0 failed,
# 0 unlogged at 4, 20 and 32 in flight (11-32 calls re-run, 0.97-1.03 of the limit).
MAX_RERUN_ROUNDS = 5
RETRYABLE_ERROR_TYPES = frozenset({"rate_limit_error", "overloaded_error"})
RETRYABLE_STATUSES = frozenset({429, 529})
# Tiers first: the question here is usually "is Haiku enough, how much slower is Opus".
TIER_LINES = ("haiku", "sonnet", "opus")
DEFAULT_MODEL_COUNT = 3


def default_models(catalog: Catalog, count: int = DEFAULT_MODEL_COUNT) -> list[str]:
    """The newest active model of each line, tiers (Haiku, Sonnet, Opus) before other lines."""
    newest_by_line: dict[str, ModelEntry] = {}
    for entry in catalog.models:  # the catalog lists newest first
        if entry.lifecycle == "active" and entry.line and entry.line not in newest_by_line:
            newest_by_line[entry.line] = entry
    lines = [line for line in TIER_LINES if line in newest_by_line]
    lines += [line for line in newest_by_line if line not in TIER_LINES]
    return [newest_by_line[line].id for line in lines][:count]


def selection_problems(models: Sequence[str], catalog: Catalog) -> list[str]:
    """Sentences saying why this list of models cannot be compared (count, repeats, unknown ids)."""
    problems = []
    if not MIN_MODELS <= len(models) <= MAX_MODELS:
        problems.append(f"pick {MIN_MODELS} to {MAX_MODELS} models to compare (picked {len(models)})")
    repeated = sorted({model for model in models if list(models).count(model) > 1})
    if repeated:
        problems.append(f"each model once: {', '.join(repeated)} is listed twice")
    unknown = [model for model in models if catalog.get(model) is None]
    if unknown:
        problems.append(f"not in the model catalog ({catalog.source_label}): {', '.join(unknown)}")
    return problems


@dataclass(frozen=True)
class ModelOverrides:
    """Settings that differ per model; None keeps the prompt's own setting."""

    max_tokens: int | None = None
    effort: str | None = None
    thinking: dict | None = None


def default_overrides(request: dict, entry: ModelEntry | None) -> ModelOverrides:
    """The prompt's max_tokens, within what the model accepts (the rule book clamps it)."""
    max_tokens = request.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
        return ModelOverrides(max_tokens=None)
    return ModelOverrides(max_tokens=preflight.model_options(entry).clamp_max_tokens(max_tokens))


def request_for_model(request: dict, model: str, overrides: ModelOverrides | None = None) -> dict:
    """A copy of `request` aimed at `model`, with its overrides applied."""
    aimed = copy.deepcopy(request)
    aimed["model"] = model
    if overrides is None:
        return aimed
    if overrides.max_tokens is not None:
        aimed["max_tokens"] = overrides.max_tokens
    if overrides.effort is not None:
        aimed["output_config"] = {**(aimed.get("output_config") or {}), "effort": overrides.effort}
    if overrides.thinking is not None:
        aimed["thinking"] = copy.deepcopy(overrides.thinking)
    return aimed


def prompt_problems(request: dict) -> list[preflight.Problem]:
    """What every model would refuse in this prompt (empty turns, a bad tool, ...): the rule book's
    errors that don't depend on the model. Variables are checked per run or case."""
    return preflight.check(request, None).errors


def model_check(request: dict, model: str, overrides: ModelOverrides | None, catalog: Catalog) -> preflight.Preflight:
    """The rule book's verdict on the request aimed at `model` with these overrides."""
    return preflight.check(request_for_model(request, model, overrides), catalog.get(model))


def model_problems(request: dict, model: str, overrides: ModelOverrides | None, catalog: Catalog) -> list[str]:
    """What `model` in particular would reject (prompt-wide problems are said once, not per model)."""
    shared = {(problem.code, problem.path) for problem in prompt_problems(request)}
    return [problem.message for problem in model_check(request, model, overrides, catalog).errors
            if (problem.code, problem.path) not in shared]


def model_warnings(request: dict, model: str, overrides: ModelOverrides | None, catalog: Catalog) -> list[str]:
    """What the rule book warns about for `model` (deprecated, not in the catalog, ...)."""
    return model_check(request, model, overrides, catalog).messages("warning")


def run_values(spec: PromptSpec, values: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variable values for a plain run: the prompt's defaults, then the caller's non-blank values on top."""
    return preflight.effective_values(spec.variables, values)


def case_values(spec: PromptSpec, case: CompareCase | None, values: Mapping[str, str] | None = None) -> dict[str, str]:
    """Values for one case: a blank cell falls back to the run's value, then the prompt's default."""
    return preflight.effective_values(run_values(spec, values), case.values if case else None)


def unfilled_variables(spec: PromptSpec, values: Mapping[str, str] | None = None,
                       case: CompareCase | None = None) -> list[str]:
    """The prompt's variables that have no non-blank value for this run (or case)."""
    return preflight.unfilled_variables(spec.request, case_values(spec, case, values))


def cases_problems(spec: PromptSpec, cases: Sequence[CompareCase],
                   values: Mapping[str, str] | None = None) -> list[str]:
    """A sentence per case that leaves a variable without a value (blank cell and no default)."""
    problems = []
    for case in cases:
        names = unfilled_variables(spec, values, case)
        if names:
            listed = ", ".join(names)
            problems.append(f"{case.label}: no value for {listed} (fill the cell, or give the prompt a default)")
    return problems


@dataclass(frozen=True)
class PlannedCall:
    """One request of a compare: which model, which repetition, which case, and the exact body."""

    index: int
    model: str
    repeat: int  # 0-based
    case: CompareCase | None
    request: dict
    # The request before its {{variables}} were filled in, and their values: logged to restore the call.
    template: dict | None = None
    values: dict | None = None


def plan_calls(
    spec: PromptSpec,
    models: Sequence[str],
    *,
    overrides: Mapping[str, ModelOverrides] | None = None,
    repeats: int = 1,
    cases: Sequence[CompareCase] | None = None,
    values: Mapping[str, str] | None = None,
) -> list[PlannedCall]:
    """Every call of a compare, rows × repeats × models, substituted and ready to send.

    Models vary fastest, so the first wave of the pool holds one call of each model and a
    compare's wall time is the slowest model's, not the sum. Raises MissingVariableError when a
    variable has no value, or only a blank one.
    """
    if not 1 <= repeats <= MAX_REPEATS:
        raise ValueError(f"repeat must be 1 to {MAX_REPEATS} (got {repeats})")
    overrides = overrides or {}
    rows: Sequence[CompareCase | None] = cases if cases else [None]
    aimed = {model: request_for_model(spec.request, model, overrides.get(model)) for model in models}
    calls = []
    for case in rows:
        unfilled = unfilled_variables(spec, values, case)
        if unfilled:
            raise MissingVariableError(unfilled)
        filled = case_values(spec, case, values)
        substituted = {model: substitute(aimed[model], filled) for model in models}
        for repeat in range(repeats):
            for model in models:
                calls.append(PlannedCall(len(calls), model, repeat, case, copy.deepcopy(substituted[model]),
                                         template=copy.deepcopy(aimed[model]), values=dict(filled)))
    return calls


@dataclass(frozen=True)
class Rerun:
    """Event: this call ended in a retryable error after the SDK's retries and will run again."""

    error: Any  # runner.RunError of the attempt that gave up


def is_retryable(result: Any) -> bool:
    """True for a failed run the API asked us to retry later (rate limited or overloaded)."""
    error = result.error
    return error is not None and (error.type in RETRYABLE_ERROR_TYPES or error.status in RETRYABLE_STATUSES)


def stream_compare(
    client: Any,
    calls: Sequence[PlannedCall],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    log: Any = None,
    prices: PriceTable | None = None,
    prompt_name: str | None = None,
    source: str = COMPARE_SOURCE,
) -> Iterator[tuple[PlannedCall, Any]]:
    """Run the calls through runner.run_many; yields (call, event) in the caller's thread.

    Any call objects with `index` and `request` will do (the Tools page's matrix uses this too,
    with its own `source` for the call log).

    Each call ends with exactly one RunDone. A call whose run still ends rate limited or
    overloaded yields Rerun instead and is run again in the next round (every attempt is
    logged by the runner, as attempts of one logical call); after MAX_RERUN_ROUNDS its last
    failure is its RunDone.
    """
    from workbench import runner  # here, not at the top: the CLI checks input before loading the SDK

    patient_client = client.with_options(max_retries=COMPARE_MAX_RETRIES)
    pending = list(calls)
    previous_attempt: dict[int, int | None] = {}  # call index -> log id of its last attempt
    for round_number in range(1, MAX_RERUN_ROUNDS + 1):
        last_round = round_number == MAX_RERUN_ROUNDS
        rerun: list[PlannedCall] = []
        events = runner.run_many(
            patient_client,
            [call.request for call in pending],
            per_request=[{"attempt_of": previous_attempt.get(call.index), "template": call.template,
                          "variables": call.values} for call in pending],
            concurrency=max(1, min(concurrency, MAX_CONCURRENCY)),
            source=source,
            prompt_name=prompt_name,
            log=log,
            prices=prices,
        )
        for index, event in events:
            call = pending[index]
            if isinstance(event, runner.RunDone) and not last_round and is_retryable(event.result):
                rerun.append(call)
                previous_attempt[call.index] = event.result.log_id  # the next attempt joins its logical call
                yield call, Rerun(event.result.error)
                continue
            yield call, event
        if not rerun:
            return
        pending = sorted(rerun, key=lambda call: call.index)


@dataclass
class CompareOutcome:
    """The calls of a compare and the RunResult of each one that has finished.

    With `endpoint` (the client's base URL) it also counts the 429 responses met while it ran,
    the SDK's own retries included (from workbench.pacing, which sees every response).
    """

    calls: list[PlannedCall]
    endpoint: str | None = None
    results: dict[int, Any] = field(default_factory=dict)
    wall_ms: float | None = None
    waiting_on: str | None = None  # the rate limit calls are waiting for right now, if any
    rate_limit_waits: int = 0  # calls that had to wait for a rate limit before sending
    rejected_429: int | None = None  # 429 responses met (None without an endpoint)
    _started: float = field(default_factory=time.perf_counter, repr=False)
    _waited: set = field(default_factory=set, repr=False)
    _rejections_before: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.endpoint is not None:
            self._rejections_before = pacing.rejections(self.endpoint, self.models)

    def observe(self, call: PlannedCall, event: Any) -> None:
        """Keep the result when `event` ends a call, and note rate-limit waits; the rest is the caller's to render."""
        from workbench.runner import RunDone  # see stream_compare

        if isinstance(event, pacing.RateLimitWait):
            self.waiting_on = event.label
            if call.index not in self._waited:
                self._waited.add(call.index)
                self.rate_limit_waits += 1
            return
        self.waiting_on = None
        if isinstance(event, RunDone):
            self.results[call.index] = event.result

    def progress_text(self, reruns: int = 0) -> str:
        """One line for a progress bar: calls done, what they wait for, calls run again."""
        text = f"{self.done} of {len(self.calls)} calls"
        if self.waiting_on:
            text += f" · waiting for the {self.waiting_on} rate limit to refill"
        if reruns:
            text += f" · {reruns} rate-limited, run again"
        return text

    def rate_limit_note(self) -> str | None:
        """A sentence for the run summary when rate limits slowed the run down, else None."""
        if not self.rate_limit_waits and not self.rejected_429:
            return None
        parts = []
        if self.rate_limit_waits:
            parts.append(f"{self.rate_limit_waits} of {len(self.calls)} calls waited for a rate limit before sending")
        if self.rejected_429:
            parts.append(f"{self.rejected_429} requests were refused with 429 and retried")
        return "Rate limits: " + "; ".join(parts) + "."

    def finish(self) -> "CompareOutcome":
        """Stamp the wall time from creation to now, and the 429s met meanwhile."""
        self.wall_ms = (time.perf_counter() - self._started) * 1000
        self.waiting_on = None
        if self.endpoint is not None:
            self.rejected_429 = pacing.rejections(self.endpoint, self.models) - self._rejections_before
        return self

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(call.model for call in self.calls))

    @property
    def done(self) -> int:
        return len(self.results)

    def calls_for(self, model: str) -> list[PlannedCall]:
        """The finished calls of one model, in plan order."""
        return [call for call in self.calls if call.model == model and call.index in self.results]

    def results_for(self, model: str) -> list[Any]:
        """The RunResults of one model, in plan order."""
        return [self.results[call.index] for call in self.calls_for(model)]

    @property
    def has_cases(self) -> bool:
        return any(call.case is not None for call in self.calls)


def run_compare(client: Any, calls: Sequence[PlannedCall], **options: Any) -> CompareOutcome:
    """Run every call to completion (no rendering) and return the outcome with its wall time."""
    outcome = CompareOutcome(list(calls), endpoint=str(client.base_url))
    for call, event in stream_compare(client, calls, **options):
        outcome.observe(call, event)
    return outcome.finish()


@dataclass(frozen=True)
class CompareSummary:
    """Everything the page and the CLI report about an outcome, per model."""

    stats: dict[str, ModelStats]
    costs: dict[str, CostRow]
    scores: dict[str, ModelScore]  # empty unless the compare ran test cases
    grid: list[dict]  # one row per (case, model); empty unless the compare ran test cases
    wall_ms: float | None


def summarize(outcome: CompareOutcome, prices: PriceTable, *, template_request: dict | None = None) -> CompareSummary:
    """Statistics, measured cost, and (for test cases) the grid and scores of an outcome."""
    cache_breakpoint = has_cache_breakpoint(template_request or (outcome.calls[0].request if outcome.calls else {}))
    stats = {}
    costs = {}
    for model in outcome.models:
        results = outcome.results_for(model)
        stats[model] = model_stats(model, results)
        costs[model] = cost_row(model, results, prices, cache_breakpoint=cache_breakpoint)
    grid: list[dict] = []
    scores: dict[str, ModelScore] = {}
    if outcome.has_cases:
        variables = find_variables(template_request) if template_request else list(outcome.calls[0].case.values)
        finished = [call for call in outcome.calls if call.index in outcome.results]
        grid = [grid_row(call.case, call.model, outcome.results[call.index], variables) for call in finished]
        if any(call.repeat for call in finished):
            # Repeated cells (a batch with repeats) would read as duplicate rows without their number.
            grid = [{"case": row["case"], "repeat": call.repeat + 1, **row} for call, row in zip(finished, grid)]
        for model in outcome.models:
            rows = [row for row in grid if row["model"] == model]
            scores[model] = model_score(model, rows, outcome.results_for(model))
    return CompareSummary(stats=stats, costs=costs, scores=scores, grid=grid, wall_ms=outcome.wall_ms)


def run_record(call: PlannedCall, result: Any) -> dict:
    """One run for the CLI's --json output: `run --json`'s keys (present.run_json), plus which repeat and case."""
    record = {"repeat": call.repeat + 1, "case": call.case.index + 1 if call.case else None, **present.run_json(result)}
    if call.case is not None:
        outcome = judge_answer(call.case, result)
        record["passed"] = outcome.passed
        record["check"] = outcome.detail
    return record


def summary_json(outcome: CompareOutcome, summary: CompareSummary) -> dict:
    """The CLI's --json object, exactly the issue's shape (issue 5):

    {"models": {MODEL: {"runs", "ttft_ms", "latency_ms", "cost_per_call", "cost_per_1000",
    "pass_rate"}}, "wall_ms"}. Everything else (errors, output tokens, cost per passing answer)
    follows from "runs"; an unknown cost is null, never 0.
    """
    models = {}
    for model in outcome.models:
        stats = summary.stats[model]
        costs = summary.costs[model]
        score = summary.scores.get(model)
        models[model] = {
            "runs": [run_record(call, outcome.results[call.index]) for call in outcome.calls_for(model)],
            "ttft_ms": stats.ttft_ms.as_dict(),
            "latency_ms": stats.latency_ms.as_dict(),
            "cost_per_call": costs.per_call_usd,
            "cost_per_1000": costs.per_1000_usd,
            "pass_rate": score.pass_rate if score else None,
        }
    return {"models": models, "wall_ms": summary.wall_ms, "rate_limit_waits": outcome.rate_limit_waits,
            "rejected_429": outcome.rejected_429}


def stats_rows(summary: CompareSummary) -> list[dict]:
    """The statistics table, one row per model (milliseconds; None where nothing was measured)."""
    return [
        {
            "model": model,
            "calls": stats.calls,
            "errors": stats.errors,
            "ttft_p50_ms": stats.ttft_ms.p50,
            "ttft_p95_ms": stats.ttft_ms.p95,
            "ttft_min_ms": stats.ttft_ms.min,
            "ttft_max_ms": stats.ttft_ms.max,
            "latency_p50_ms": stats.latency_ms.p50,
            "latency_p95_ms": stats.latency_ms.p95,
            "latency_min_ms": stats.latency_ms.min,
            "latency_max_ms": stats.latency_ms.max,
            "output_tokens_mean": stats.output_tokens_mean,
            "tokens_per_s_mean": stats.output_tokens_per_s_mean,
        }
        for model, stats in summary.stats.items()
    ]


NO_CACHE_BREAKPOINT_NOTE = "No cache breakpoint in the prompt, so there is no cache-hit figure."


def shared_cost_notes(summary: CompareSummary) -> list[str]:
    """Notes true of every row of the cost table: said once under it, not repeated on each row."""
    rows = list(summary.costs.values())
    if not rows:
        return []
    notes = [] if any(row.cache_breakpoint for row in rows) else [NO_CACHE_BREAKPOINT_NOTE]
    row_notes = {row.note for row in rows}
    if len(rows) > 1 and len(row_notes) == 1 and None not in row_notes:
        notes.append(row_notes.pop())
    return notes


def cost_rows(summary: CompareSummary) -> list[dict]:
    """The cost table, one row per model: measured mean per call and per 1,000 calls, three ways.

    `note` holds only what is particular to the row; see shared_cost_notes for the rest.
    """
    shared = set(shared_cost_notes(summary))
    return [
        {
            "model": model,
            "measured_calls": row.measured_calls,
            "per_call_usd": row.per_call_usd,
            "per_1000_usd": row.per_1000_usd,
            "cache_hits_per_1000_usd": row.cached_per_1000_usd,
            "batch_per_1000_usd": row.batch_per_1000_usd,
            "note": "" if row.note is None or row.note in shared else row.note,
        }
        for model, row in summary.costs.items()
    ]


def score_rows(summary: CompareSummary) -> list[dict]:
    """Test-case scores, one row per model: passed, pass rate, total cost, cost per passing answer."""
    return [
        {
            "model": model,
            "passed": score.passed,
            "cases": score.cells,
            "pass_rate": score.pass_rate,
            "total_cost_usd": score.total_cost_usd,
            "cost_per_passing_usd": score.cost_per_passing_usd,
        }
        for model, score in summary.scores.items()
    ]


def run_rows(outcome: CompareOutcome) -> list[dict]:
    """Every finished call as a row (for the runs browser and the latency chart)."""
    rows = []
    for call in outcome.calls:
        result = outcome.results.get(call.index)
        if result is None:
            continue
        rows.append(
            {
                "model": call.model,
                "repeat": call.repeat + 1,
                "case": call.case.index + 1 if call.case else None,
                "ok": result.ok,
                "ttft_ms": result.ttft_ms,
                "latency_ms": result.latency_ms,
                "output_tokens": result.usage.output_tokens if result.usage else None,
                "tokens_per_s": result.output_tokens_per_s,
                "stop_reason": result.stop_reason,
                "cost_usd": result.cost.usd,
                "error": f"{result.error.type}: {result.error.message}" if result.error else "",
                "output": result.text,
            }
        )
    return rows
