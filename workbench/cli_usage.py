"""`python -m workbench usage` and `history`: the call log's totals, breakdowns and runs, in the shell."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from workbench import present, usage_stats
from workbench.call_filter import CallFilter, parse_age
from workbench.cli_common import EXIT_OK, UsageError, load_prices, open_call_log
from workbench.spec import PromptFileError, load_prompt

EMPTY_LOG_ADVICE = ("No calls logged{scope} yet. Run a prompt (`python -m workbench run FILE` or the app's "
                    "Editor) and every call is recorded here.")


def _since(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return parse_age(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


# ---------------------------------------------------------------- usage


def handle_usage(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Totals for the chosen period, then one line per group of --by."""
    call_filter = CallFilter(since=_since(args.since))
    prices = load_prices()
    log = open_call_log()
    result = usage_stats.overview(log, call_filter)
    timing = usage_stats.percentiles(log, call_filter)
    saved, _ = usage_stats.cache_savings(result, prices)
    rows = usage_stats.breakdown(log, call_filter, args.by)
    if args.json:
        report = {
            "since": call_filter.since, "by": args.by,
            "totals": {**result.totals.as_dict(), **timing, "cache_read_savings_usd": saved,
                       "unpriced_models": result.unpriced_models,
                       "price_versions": {str(key): value for key, value in result.price_versions.items()}},
            "breakdown": rows,
        }
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if result.is_empty:
        scope = f" since {call_filter.since[:16].replace('T', ' ')} UTC" if call_filter.since else ""
        out.write(EMPTY_LOG_ADVICE.format(scope=scope) + "\n")
        return EXIT_OK
    totals = result.totals
    period = f"since {call_filter.since[:16].replace('T', ' ')} UTC" if call_filter.since else "all time"
    cost = present.usd(totals.cost_usd)
    if totals.unpriced_attempts:
        cost += (f" known; {totals.unpriced_attempts:,} calls have no price "
                 f"({', '.join(result.unpriced_models)})")
    lines = [
        f"Calls ({period}): {totals.calls:,} ({totals.attempts:,} attempts, {totals.sdk_retries:,} SDK retries); errors {_share(totals.error_rate)}"
        + (f"; {totals.interrupted:,} interrupted" if totals.interrupted else "")
        + (f"; {totals.pending:,} still running" if totals.pending else ""),
        f"Tokens: input {totals.input_tokens:,}, output {totals.output_tokens:,}, "
        f"cache write {totals.cache_write_tokens:,}, cache read {totals.cache_read_tokens:,}",
        f"Cost: {cost}",
        f"Latency p50 {present.ms(timing['p50_latency_ms'])}, p95 {present.ms(timing['p95_latency_ms'])}; "
        f"time to first token p50 {present.ms(timing['p50_ttft_ms'])}, p95 {present.ms(timing['p95_ttft_ms'])}",
        f"Cache hit ratio {_share(totals.cache_hit_ratio)}; cache reads saved {present.usd(saved or 0.0)} "
        "versus uncached input",
        "",
        f"By {args.by}:",
    ]
    table = [[args.by, "calls", "attempts", "errors", "input", "output", "cache write", "cache read", "cost"]]
    for row in rows:
        table.append([str(row[args.by]), f"{row['calls']:,}", f"{row['attempts']:,}", f"{row['errors']:,}",
                      f"{row['input_tokens']:,}", f"{row['output_tokens']:,}", f"{row['cache_write_tokens']:,}",
                      f"{row['cache_read_tokens']:,}", present.usd(row["cost_usd"])])
    out.write("\n".join(lines + _aligned(table)) + "\n")
    return EXIT_OK


def _aligned(table: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, numbers right-aligned."""
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    return ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                      for column, (cell, width) in enumerate(zip(row, widths))).rstrip() for row in table]


def add_usage_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "usage", help="totals and breakdowns of the call log",
        description="Calls, tokens, cost, error rate, latency and cache savings from the call log, "
                    "with one line per model, day, source or prompt.",
    )
    parser.add_argument("--since", metavar="AGE", help="only calls from this age on: 7d, 12h, 30m, 2w, or a date "
                                                      "like 2026-03-01 (UTC); default: all calls")
    parser.add_argument("--by", choices=sorted(usage_stats.BREAKDOWNS), default="model",
                        help="group the breakdown by this (default: model)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(handler=handle_usage)
    return parser


# ---------------------------------------------------------------- history


def _prompt_name(text: str | None) -> str | None:
    """A prompt name, or the name inside a prompt file given by path."""
    if text is None or not text.endswith(".prompt.json"):
        return text
    path = Path(text)
    if not path.exists():
        raise UsageError(f"no prompt file {text}; give a prompt's name or the path of its .prompt.json file")
    try:
        return load_prompt(path).name
    except PromptFileError as error:
        raise UsageError(str(error)) from None


def handle_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The newest runs (logical calls), of one prompt or of all, with the first line of each reply."""
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    name = _prompt_name(args.prompt)
    log = open_call_log()
    runs = usage_stats.recent_runs(log, name, limit=args.limit)
    if args.json:
        out.write(json.dumps(runs, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not runs:
        out.write(EMPTY_LOG_ADVICE.format(scope=f" for prompt {name!r}" if name else "") + "\n")
        return EXIT_OK
    table = [["id", "time (UTC)", "source", "prompt", "model", "in", "out", "cost", "latency", "outcome", "reply"]]
    for run in runs:
        outcome = usage_stats.outcome_label(run)
        if run["attempt"] > 1:
            outcome += f" (attempt {run['attempt']})"
        table.append([str(run["id"]), run["created_at"][:19].replace("T", " "), run["source"],
                      run["prompt_name"] or "", run["model"], f"{run['input_tokens']:,}", f"{run['output_tokens']:,}",
                      present.usd(run["cost_usd"]), present.ms(run["latency_ms"]), outcome, run["first_line"][:60]])
    out.write("\n".join(_aligned(table)) + "\n")
    return EXIT_OK


def add_history_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "history", help="list logged runs, newest first",
        description="The newest runs from the call log (each retried call once), optionally of one prompt, "
                    "with tokens, cost, latency and the first line of the reply.",
    )
    parser.add_argument("prompt", nargs="?", metavar="PROMPT",
                        help="a prompt's name, or its .prompt.json file; default: runs of every prompt")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs (default 20)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    parser.set_defaults(handler=handle_history)
    return parser
