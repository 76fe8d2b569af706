"""`python -m workbench compare`: one prompt on 2–4 models, with statistics and the cost table."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Sequence, TextIO

from workbench import compare, preflight, present
from workbench.backend import BackendConfigError, make_client, resolve_backend
from workbench.cli_common import (
    EXIT_API_ERROR, EXIT_BAD_INPUT, EXIT_OK, UsageError, load_prices, open_call_log, parse_vars, refuse_errors,
)
from workbench.compare_cases import CasesTableError, load_cases_csv
from workbench.compare_stats import Spread
from workbench.models import fetch_catalog
from workbench.spec import PromptFileError, load_prompt
from workbench.templating import MissingVariableError, find_variables
from workbench.usage_log import UsageLog


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `compare` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "compare",
        help="run one prompt on 2-4 models: latency statistics, cost per call and per 1,000 calls",
        description=(
            "Run a prompt file on 2 to 4 models concurrently (optionally N times each, or once per "
            "row of a cases CSV) and print per-model TTFT and latency p50/p95/min/max, mean output "
            "tokens, errors, the measured cost per call and per 1,000 calls (standard, with prompt-cache "
            "hits, and batch), and for cases the pass rate and cost per passing answer. Every call is "
            "logged with source 'compare'. Exit 0 when every call succeeded, 1 when any call returned "
            "an API error, 2 for bad usage or input."
        ),
    )
    parser.add_argument("prompt_file", metavar="FILE.prompt.json", help="the prompt to compare")
    parser.add_argument("--models", required=True, metavar="A,B[,C,D]", help="2 to 4 model ids, comma-separated")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help=f"calls per model (and per case), 1-{compare.MAX_REPEATS}"
    )
    parser.add_argument(
        "--cases",
        metavar="cases.csv",
        help="CSV of variable values, one case per row; optional 'check' (contains|regex|json_schema) "
        "and 'expected' columns",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=compare.DEFAULT_CONCURRENCY,
        metavar="K",
        help=f"calls in flight at once, 1-{compare.MAX_CONCURRENCY} (default {compare.DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="value for a {{variable}}; repeat for several"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--batch", action="store_true",
                        help="submit the calls as one Message Batch (50%% off, results within 24 hours) "
                        "instead of running them live; prints the batch id")
    parser.add_argument("--wait", action="store_true",
                        help="with --batch: wait for the batch to end (progress on stderr), then print the report")
    parser.set_defaults(handler=handle_compare)
    return parser


def handle_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the compare the arguments describe; returns the exit code."""
    try:
        if args.wait and not args.batch:
            raise UsageError("--wait goes with --batch (a live compare always waits)")
        plan = _prepare(args, err)
    except UsageError as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    spec, calls, client, prices, log = plan
    if args.batch:
        from workbench.cli_batch import submit_compare_batch

        return submit_compare_batch(spec, calls, client, prices, log, wait=args.wait, as_json=args.json,
                                    out=out, err=err)
    outcome = compare.run_compare(
        client,
        calls,
        concurrency=args.concurrency,
        log=log,
        prices=prices,
        prompt_name=spec.name,
    )
    summary = compare.summarize(outcome, prices, template_request=spec.request)
    if args.json:
        print(json.dumps(compare.summary_json(outcome, summary), indent=2, ensure_ascii=False), file=out)
    else:
        print(render_report(spec.name, args, outcome, summary), file=out)
    failed = [result for result in outcome.results.values() if not result.ok]
    if failed:
        first = failed[0].error
        hint = f" ({first.hint})" if first is not None and first.hint else ""
        print(f"error: {len(failed)} of {len(outcome.results)} calls failed{hint}", file=err)
        return EXIT_API_ERROR
    return EXIT_OK


def _prepare(args: argparse.Namespace, err: TextIO) -> tuple[Any, list[compare.PlannedCall], Any, Any, UsageLog]:
    """Validate everything before the first call; UsageError says what is wrong."""
    if not 1 <= args.repeat <= compare.MAX_REPEATS:
        raise UsageError(f"--repeat must be 1 to {compare.MAX_REPEATS} (got {args.repeat})")
    if not 1 <= args.concurrency <= compare.MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be 1 to {compare.MAX_CONCURRENCY} (got {args.concurrency})")
    try:
        spec = load_prompt(args.prompt_file)
    except PromptFileError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{args.prompt_file}: cannot read: {error.strerror}") from None
    models = [model.strip() for model in args.models.split(",") if model.strip()]
    cases = None
    if args.cases:
        try:
            data = Path(args.cases).read_bytes()
        except OSError as error:
            raise UsageError(f"{args.cases}: cannot read: {error.strerror}") from None
        try:
            cases = load_cases_csv(data, find_variables(spec.request), source=args.cases)
        except CasesTableError as error:
            raise UsageError(str(error)) from None
    values = parse_vars(args.var, find_variables(spec.request))
    # The rule book's model-independent checks, before connecting: side-by-side runs need every
    # variable (test cases bring their own values).
    refuse_errors(preflight.check(spec.request, None, None if cases else compare.run_values(spec, values)))
    prices = load_prices()
    log = open_call_log()
    try:
        backend = resolve_backend()
    except BackendConfigError as error:
        raise UsageError(str(error)) from None
    if backend.kind == "simulator":
        print(f"Using the local simulator ({backend.simulator_reason})", file=err)
    client = make_client(backend)
    catalog = fetch_catalog(client)
    problems = compare.selection_problems(models, catalog)
    if problems:
        raise UsageError("--models: " + "; ".join(problems))
    for model in models:
        verdict = compare.model_check(spec.request, model, None, catalog)
        refuse_errors(verdict, prefix=f"{model}: ")
        for warning in verdict.warnings:
            print(f"note: {model}: {warning.message}", file=err)
    if cases:
        blank = compare.cases_problems(spec, cases, values)
        if blank:
            raise UsageError(f"{args.cases}: " + "; ".join(blank))
    try:
        calls = compare.plan_calls(spec, models, repeats=args.repeat, cases=cases, values=values)
    except MissingVariableError as error:
        raise UsageError(f"{args.prompt_file}: {error}") from None
    return spec, calls, client, prices, log


def _spread_cells(spread: Spread) -> list[str]:
    return [present.ms_figure(spread.p50), present.ms_figure(spread.p95), present.ms_figure(spread.min), present.ms_figure(spread.max)]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, text_columns: int = 0) -> str:
    """Plain-text table: the first column and the last `text_columns` left-aligned, figures right-aligned."""
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]
    left = {0, *range(len(header) - text_columns, len(header))}

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).ljust(width) if column in left else str(cell).rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def render_report(prompt_name: str, args: argparse.Namespace | None, outcome: compare.CompareOutcome, summary: Any,
                  *, headline: str | None = None) -> str:
    """The text report: statistics, cost table, and test-case scores when cases ran."""
    models = outcome.models
    sections = [
        headline or f"Compare {prompt_name!r}: {len(models)} models, {len(outcome.calls)} calls in "
        f"{present.seconds(summary.wall_ms)} "
        f"(concurrency {args.concurrency})",
        "",
        "Latency (ms, successful calls)",
        format_table(
            ["model", "calls", "errors", "TTFT p50", "p95", "min", "max", "total p50", "p95", "min", "max", "out tok mean"],
            [
                [
                    model,
                    str(stats.calls),
                    str(stats.errors),
                    *_spread_cells(stats.ttft_ms),
                    *_spread_cells(stats.latency_ms),
                    present.tokens(stats.output_tokens_mean),
                ]
                for model, stats in summary.stats.items()
            ],
        ),
        "",
        f"Cost, measured mean (price table {next(iter(summary.costs.values())).price_version})",
        format_table(
            ["model", "per call", "per 1,000", "cache hits /1,000", "batch /1,000", "note"],
            [
                [
                    model,
                    present.usd(row.per_call_usd),
                    present.usd(row.per_1000_usd),
                    present.usd(row.cached_per_1000_usd) if row.cache_breakpoint else "no breakpoint",
                    present.usd(row.batch_per_1000_usd),
                    row.note or "",
                ]
                for model, row in summary.costs.items()
            ],
            text_columns=1,
        ),
    ]
    rate_limit_note = outcome.rate_limit_note()
    if rate_limit_note:
        sections += ["", rate_limit_note]
    if summary.scores:
        sections += [
            "",
            "Test cases",
            format_table(
                ["model", "passed", "pass rate", "cost per passing answer"],
                [
                    [
                        model,
                        f"{score.passed}/{score.cells}",
                        present.percent(score.pass_rate),
                        present.usd(score.cost_per_passing_usd) if score.passed else "no passing answer",
                    ]
                    for model, score in summary.scores.items()
                ],
            ),
        ]
    return "\n".join(sections)
