"""`python -m workbench batch list|status|results|cancel`, and the `compare --batch` path.

The call log keeps every submitted batch, so any of these works from a new shell, after a
restart or a Ctrl-C: `batch list` shows what is pending, `batch results ID --wait` carries on.
"""
from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from workbench import present
from workbench.backend import BackendConfigError, make_client, resolve_backend
from workbench.cli_common import (
    EXIT_API_ERROR, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, UsageError, load_prices, open_call_log,
)

if TYPE_CHECKING:
    from workbench import batches

# The SDK (and workbench.batches, which loads it) is imported inside the handlers, after the
# input checks: importing anthropic takes seconds, and bad input is answered before it.

WAIT_POLL_S = 1.0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `batch` and its actions on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "batch",
        help="Message Batches submitted with `compare --batch`: list, status, results, cancel",
        description=(
            "Follow the Message Batches that `compare --batch` submitted (they are kept in the call log, "
            "so this works from any shell, after a restart). `results ID` logs every result as a call "
            "(source 'batch', batch prices) and prints the same report as a live compare. Exit 0 ok, "
            "1 API error (or failed requests in the results), 2 bad usage."
        ),
    )
    actions = parser.add_subparsers(dest="batch_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="batches in the call log, newest first, with their progress")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=handle_list)
    status = actions.add_parser("status", help="a batch's processing status and request counts")
    status.add_argument("batch_id", metavar="ID")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=handle_status)
    results = actions.add_parser("results", help="collect an ended batch's results and print the compare report")
    results.add_argument("batch_id", metavar="ID")
    results.add_argument("--wait", action="store_true", help="wait for the batch to end first (progress on stderr)")
    results.add_argument("--json", action="store_true", help="print the compare report as JSON")
    results.set_defaults(handler=handle_results)
    cancel = actions.add_parser("cancel", help="cancel a batch; requests not yet run end as canceled")
    cancel.add_argument("batch_id", metavar="ID")
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(handler=handle_cancel)
    return parser


# ---------------------------------------------------------------- shared


def _client() -> Any:
    try:
        return make_client(resolve_backend())
    except BackendConfigError as error:
        raise UsageError(str(error)) from None


def _known_batch(log: Any, batch_id: str) -> batches.BatchRecord:
    from workbench import batches

    record = batches.get_batch(log, batch_id)
    if record is None:
        raise UsageError(f"no batch {batch_id} in the call log (see `python -m workbench batch list`)")
    return record


def _api_errors() -> tuple[type[BaseException], ...]:
    """What talking to the API can raise: the SDK's errors and the network's."""
    import anthropic

    return anthropic.APIError, OSError


def _api_error_line(error: Exception) -> str:
    from workbench.models import describe_api_error

    return f"error: {describe_api_error(error)}"


def status_line(record: batches.BatchRecord) -> str:
    counts = record.counts
    parts = [f"{counts.succeeded} succeeded"]
    parts += [f"{value} {name}" for name, value in
              (("errored", counts.errored), ("canceled", counts.canceled), ("expired", counts.expired)) if value]
    return (f"batch {record.id}: {record.status}, {counts.finished:,} of {record.request_count:,} done "
            f"({', '.join(parts)})")


def resume_hint(batch_id: str) -> str:
    return (f"The batch {batch_id} keeps running. Resume with: python -m workbench batch results {batch_id} --wait "
            f"(or see it in `python -m workbench batch list`, or in Compare's Batches list).")


def _wait(client: Any, log: Any, batch_id: str, err: TextIO) -> batches.BatchRecord:
    """Poll to the end with a progress line on stderr; KeyboardInterrupt goes to the caller."""
    from workbench import batches

    last = [""]

    def show(record: batches.BatchRecord) -> None:
        line = status_line(record)
        if line != last[0]:
            print(line, file=err, flush=True)
            last[0] = line

    return batches.wait_until_ended(client, log, batch_id, poll_s=WAIT_POLL_S, on_progress=show)


# ---------------------------------------------------------------- handlers


def handle_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from workbench import batches

    try:
        log = open_call_log()
        records = batches.list_batches(log)
        if any(not record.ended for record in records):
            client = _client()
            records = [_refreshed(client, log, record, err) for record in records]
    except UsageError as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps([record.as_json() for record in records], indent=2), file=out)
        return EXIT_OK
    if not records:
        print("No batches yet: submit one with `python -m workbench compare FILE --models A,B --cases CASES.csv --batch`.",
              file=out)
        return EXIT_OK
    header = ["id", "created", "prompt", "requests", "status", "done", "results"]
    rows = [[record.id, record.created_at[:19].replace("T", " "), record.prompt_name or "", f"{record.request_count:,}",
             record.status, present.percent(record.progress),
             "collected" if record.collected else ("ready" if record.ended else "pending")] for record in records]
    from workbench.cli_compare import format_table

    print(format_table(header, rows, text_columns=2), file=out)
    return EXIT_OK


def _refreshed(client: Any, log: Any, record: batches.BatchRecord, err: TextIO) -> batches.BatchRecord:
    from workbench import batches

    if record.ended:
        return record
    try:
        return batches.refresh(client, log, record.id)
    except _api_errors() as error:
        print(f"note: {record.id}: status not refreshed ({_api_error_line(error).removeprefix('error: ')})", file=err)
        return record


def handle_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from workbench import batches

    return _show_after(batches.refresh, args, out, err)


def handle_cancel(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from workbench import batches

    return _show_after(batches.cancel, args, out, err)


def _show_after(action, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run `action(client, log, batch_id)` on a batch this log knows, then print its status (or JSON)."""
    try:
        log = open_call_log()
        _known_batch(log, args.batch_id)
        record = action(_client(), log, args.batch_id)
    except UsageError as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    except _api_errors() as error:
        print(_api_error_line(error), file=err)
        return EXIT_API_ERROR
    print(json.dumps(record.as_json(), indent=2) if args.json else status_line(record), file=out)
    return EXIT_OK


def handle_results(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        log = open_call_log()
        prices = load_prices()
        _known_batch(log, args.batch_id)
        client = _client()
    except UsageError as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    return report_results(client, log, prices, args.batch_id, wait=args.wait, as_json=args.json, out=out, err=err)


def report_results(client: Any, log: Any, prices: Any, batch_id: str, *, wait: bool, as_json: bool,
                   out: TextIO, err: TextIO) -> int:
    """Wait (optionally), collect, and print the compare report of a batch; the exit code."""
    from workbench import batches, compare

    try:
        record = _wait(client, log, batch_id, err) if wait else batches.refresh(client, log, batch_id)
        if not record.ended:
            print(f"{status_line(record)}\nNot ended yet: add --wait to wait for it.", file=err)
            return EXIT_API_ERROR
        if not record.collected:
            report = batches.collect(client, log, batch_id, prices=prices)
            for problem in report.problems:
                print(f"warning: {problem}", file=err)
    except KeyboardInterrupt:
        print(f"\ninterrupted. {resume_hint(batch_id)}", file=err)
        return EXIT_INTERRUPTED
    except _api_errors() as error:
        print(_api_error_line(error), file=err)
        return EXIT_API_ERROR
    record = batches.get_batch(log, batch_id)
    outcome, template = batches.outcome_of(log, batch_id, prices)
    summary = compare.summarize(outcome, prices, template_request=template)
    if as_json:
        document = compare.summary_json(outcome, summary)
        document["batch"] = record.as_json()
        print(json.dumps(document, indent=2, ensure_ascii=False), file=out)
    else:
        from workbench.cli_compare import render_report

        headline = (f"Batch {batch_id} of {record.prompt_name!r}: {len(outcome.models)} models, "
                    f"{record.request_count:,} requests, ended {record.ended_at or ''} (batch prices: 50% off)")
        print(render_report(record.prompt_name or "", None, outcome, summary, headline=headline), file=out)
        for problem in record.problems:
            print(f"unread: {problem}", file=out)
    failed = [result for result in outcome.results.values() if not result.ok]
    missing = len(outcome.calls) - len(outcome.results)
    if failed or missing:
        kinds: dict[str, int] = {}
        for result in failed:
            kinds[result.error.type] = kinds.get(result.error.type, 0) + 1
        described = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        unread = f"{missing} results unread" if missing else ""
        print(f"error: {len(failed) + missing} of {len(outcome.calls)} requests did not answer "
              f"({', '.join(part for part in (described, unread) if part)})", file=err)
        return EXIT_API_ERROR
    return EXIT_OK


def submit_compare_batch(spec: Any, calls: list, client: Any, prices: Any, log: Any, *, wait: bool,
                         as_json: bool, out: TextIO, err: TextIO) -> int:
    """`compare --batch`: check the limits, show the projection, submit, and (with --wait) report."""
    from workbench import batches

    plan = batches.plan_from_calls(spec, calls)
    problems = batches.plan_problems(plan)
    if problems:
        print("error: " + " ".join(problems), file=err)
        return EXIT_BAD_INPUT
    from workbench.tokens import TokenCounter

    projection = batches.project_cost(plan, prices, TokenCounter(client))
    print(projection_line(projection), file=err)
    try:
        record = batches.submit(client, plan, log, source="cli")
    except _api_errors() as error:
        print(_api_error_line(error), file=err)
        return EXIT_API_ERROR
    print(f"submitted batch {record.id}: {record.request_count:,} requests", file=err)
    if not wait:
        if as_json:
            print(json.dumps(record.as_json(), indent=2), file=out)
        else:
            print(record.id, file=out)
        print(f"Follow it with: python -m workbench batch status {record.id}; "
              f"collect with: python -m workbench batch results {record.id} --wait", file=err)
        return EXIT_OK
    return report_results(client, log, prices, record.id, wait=True, as_json=as_json, out=out, err=err)


def projection_line(projection: batches.BatchProjection) -> str:
    """Requests and projected cost at batch prices versus live, in one line."""
    return f"{projection.request_count:,} requests; {present.batch_projection(projection)}"