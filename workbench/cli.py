"""`python -m workbench ...`: run and count prompts from the shell. Exit 0 ok, 1 API error, 2 bad usage or input.

Subcommands live in SUBCOMMANDS: each entry is an `add_parser(subparsers)` function that adds its
parser (with help text) and sets `handler=<function(args, out, err) -> exit code>` via set_defaults.
A handler writes to `out` and `err` (never to sys.stdout/sys.stderr), so tests call main() in-process.
It raises UsageError (or PromptFileError, MissingVariableError, BackendConfigError) for input
problems: main() prints the message as one line and exits 2, never with a traceback.

Input is checked before the SDK is imported (importing anthropic takes seconds): a subcommand
module imports anthropic, runner or tokens only inside its handler, after its input checks.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from workbench import preflight, present
from workbench.backend import NO_KEY_REASON, Backend, BackendConfigError, make_client, resolve_backend
from workbench.cli_common import (
    EXIT_API_ERROR, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, UsageError, load_prices, open_call_log, parse_vars,
    refuse_errors,
)
from workbench.cli_batch import add_parser as add_batch_parser
from workbench import cli_usage
from workbench.cli_compare import add_parser as add_compare_parser
from workbench.cli_export import add_parser as add_export_parser
from workbench.cli_tools import add_parser as add_tool_parser
from workbench.models import Catalog, default_model_id, offline_catalog
from workbench.spec import PromptFileError, PromptSpec, load_prompt, new_prompt
from workbench.templating import MissingVariableError, filled_values, find_variables

if TYPE_CHECKING:
    from workbench.runner import RunResult

DEFAULT_MAX_TOKENS = 1024
# ---------------------------------------------------------------- shared pieces


def _local_catalog() -> Catalog:
    """The shipped catalog: enough for defaults and limits without a network call before the real one."""
    return offline_catalog()


def _add_prompt_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that say which prompt: a file, or -p text, plus variables and overrides."""
    parser.add_argument("file", nargs="?", help="a *.prompt.json file")
    parser.add_argument("-p", "--prompt", metavar="TEXT", help="prompt text instead of a file (one user message)")
    parser.add_argument("--system", metavar="TEXT", help="system prompt (with -p)")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="value for a {{variable}}; repeat for several")
    parser.add_argument("--model", help="model id (overrides the file; default for -p: the newest Sonnet model)")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="max_tokens (overrides the file)")


def _prompt_from_args(args: argparse.Namespace) -> PromptSpec:
    if args.file and args.prompt is not None:
        raise UsageError("give either a prompt file or -p TEXT, not both")
    if not args.file and args.prompt is None:
        raise UsageError("give a prompt file or -p TEXT (see --help)")
    if args.file:
        if args.system is not None:
            raise UsageError("--system goes with -p; a prompt file has its own system prompt")
        return load_prompt(args.file)
    spec = new_prompt(args.model or default_model_id(_local_catalog()), args.prompt, args.system, DEFAULT_MAX_TOKENS)
    spec.name = "cli -p"
    return spec


def _template_from_args(args: argparse.Namespace) -> tuple[PromptSpec, dict, dict[str, str]]:
    """The spec, its request with the overrides applied ({{variables}} still in it), and the variable values.

    The rule book's model-independent checks run here, before any connection or SDK import.
    """
    spec = _prompt_from_args(args)
    given = parse_vars(args.var, find_variables(spec.request))
    template = copy.deepcopy(spec.request)
    if args.model is not None:
        if not args.model.strip():
            raise UsageError("--model must name a model, e.g. claude-haiku-4-5")
        template["model"] = args.model.strip()
    if args.max_tokens is not None:
        template["max_tokens"] = args.max_tokens
    values = preflight.effective_values(spec.variables, given)  # as compare: a blank --var falls back to the default
    refuse_errors(preflight.check(template, None, values))
    return spec, template, values


def _checked_request(client: Any, template: dict, values: dict[str, str], err: TextIO) -> dict:
    """The request to send, once the rule book passed it for its model in the endpoint's own catalog.

    The catalog is the one the app and `compare` use (models.list, or the shipped file when listing
    fails). A model it does not list is left to the API, which answers 404 (exit 1).
    """
    from workbench.models import fetch_catalog  # after input checks: it loads the SDK

    verdict = preflight.check(template, fetch_catalog(client).get(template["model"]), values)
    refuse_errors(verdict)
    for warning in verdict.warnings:
        if warning.code != "model_unknown":  # the API's own 404 says it, as the one error line
            print(f"warning: {warning.message}", file=err)
    return verdict.request


def _connect(err: TextIO, quiet: bool = False) -> tuple[Backend, Any]:
    backend = resolve_backend()
    if backend.kind == "simulator" and not quiet:
        reason = "no ANTHROPIC_API_KEY set" if backend.simulator_reason == NO_KEY_REASON else backend.simulator_reason
        print(f"Using the local simulator: {reason}", file=err)
    return backend, make_client(backend)


def _verbose_lines(result: RunResult) -> list[str]:
    return [
        f"model: {result.model}",
        f"tokens: {present.usage_line(result.usage)}",
        f"cost: {present.cost(result.cost, with_reason=True)}"
        + (f" ({'; '.join(result.cost.notes)})" if result.cost.notes else ""),
        f"time to first token: {present.ms(result.ttft_ms)}; total: {present.ms(result.latency_ms)}; "
        f"output: {present.tokens_per_s(result.output_tokens_per_s)}",
        f"stop_reason: {result.stop_reason}; request-id: {result.request_id}; log id: {result.log_id}",
    ]


def _tool_use_line(name: str, tool_input: dict) -> str:
    return f"\n[tool_use {name}: {json.dumps(tool_input, ensure_ascii=False)}]\n"


# ---------------------------------------------------------------- run


def run_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Send one prompt; stream the reply to `out` (or print one JSON object with --json)."""
    spec, template, values = _template_from_args(args)
    prices = load_prices()
    log = open_call_log()
    _, client = _connect(err)
    request = _checked_request(client, template, values, err)
    from workbench.runner import RunDone, TextDelta, ThinkingDelta, ToolUseReady, stream_run  # after input checks

    stream_to_out = not args.json and not args.no_stream
    result: RunResult | None = None
    thinking_shown = False
    # closing(): if printing fails (a closed pipe) the run is closed, and so logged, at once.
    with contextlib.closing(stream_run(client, request, source="cli", prompt_name=spec.name, log=log,
                                       prices=prices, template=template,
                                       variables=filled_values(values, find_variables(template)))) as events:
        for event in events:
            if isinstance(event, TextDelta) and stream_to_out:
                out.write(event.text)
                out.flush()
            elif isinstance(event, ThinkingDelta) and args.verbose:
                if not thinking_shown:
                    err.write("thinking: ")
                    thinking_shown = True
                err.write(event.text)
            elif isinstance(event, ToolUseReady) and stream_to_out:
                out.write(_tool_use_line(event.name, event.input))
            elif isinstance(event, RunDone):
                result = event.result
    assert result is not None  # stream_run always ends with RunDone

    if args.json:
        print(json.dumps(present.run_json(result), ensure_ascii=False), file=out)
    else:
        if not stream_to_out:
            out.write(result.text)
            for tool_use in result.tool_uses:
                out.write(_tool_use_line(tool_use["name"], tool_use["input"]))
        if result.text and not result.text.endswith("\n") and not result.tool_uses:
            out.write("\n")  # end the reply's line, so the shell prompt starts on its own
        out.flush()
    if args.verbose:
        if thinking_shown:
            err.write("\n")
        for line in _verbose_lines(result):
            print(line, file=err)
    advice = present.stop_reason_advice(result.stop_reason, result.request.get("max_tokens"))
    if advice:
        print(f"warning: {advice}", file=err)
    if result.incomplete and result.error is not None:
        print(f"warning: incomplete reply: the stream stopped with {result.error.type} after "
              f"{len(result.text):,} characters; the text above is what arrived, logged as {result.error.type}.",
              file=err)
    if not result.ok:
        assert result.error is not None
        print(f"error: {present.error_sentence(result.error, result.request_id)}", file=err)
        return EXIT_API_ERROR
    return EXIT_OK


def add_run_parser(subparsers: argparse._SubParsersAction) -> None:
    """`workbench run`: send a prompt file or -p text and print the reply."""
    parser = subparsers.add_parser(
        "run", help="send a prompt and print the reply",
        description="Send a prompt file (or -p TEXT) to the Messages API and stream the reply to stdout. "
                    "Without ANTHROPIC_API_KEY it uses the local simulator. Every call is logged.",
    )
    _add_prompt_arguments(parser)
    parser.add_argument("--no-stream", action="store_true", help="print the reply once it is complete")
    parser.add_argument("--json", action="store_true",
                        help="print exactly one JSON object (text, usage, cost, timings, ids) instead of the text")
    parser.add_argument("--verbose", action="store_true", help="print usage, cost and timings to stderr")
    parser.set_defaults(handler=run_command)


# ---------------------------------------------------------------- count


def count_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Count a prompt's input tokens (exact via count_tokens, or a labelled estimate) and project its cost."""
    _, template, values = _template_from_args(args)
    prices = load_prices()
    _, client = _connect(err, quiet=args.json)
    request = _checked_request(client, template, values, err)
    from workbench.tokens import TokenCounter  # after input checks: it loads the SDK

    counted = TokenCounter(client).count(request)
    if counted.refusal is not None:
        # The API refused the request (an unknown model's 404, a 400): an API error, as `run` reports it.
        print(f"error: count_tokens refused the request: {counted.note}", file=err)
        return EXIT_API_ERROR
    model = request["model"]
    max_tokens = request["max_tokens"]
    input_cost = prices.projected_cost(model, counted.input_tokens, 0)
    ceiling_cost = prices.projected_cost(model, counted.input_tokens, max_tokens)
    if args.json:
        print(json.dumps({
            "model": model, "input_tokens": counted.input_tokens, "exact": counted.exact,
            "source": counted.source, "note": counted.note,
            "input_cost_usd": input_cost.usd, "max_cost_usd": ceiling_cost.usd, "cost_reason": ceiling_cost.reason,
        }, ensure_ascii=False), file=out)
        return EXIT_OK
    print(f"{model}: {counted.label}", file=out)
    if not ceiling_cost.known:
        print(f"projected cost: {present.cost(ceiling_cost, with_reason=True)}", file=out)
    else:
        print(f"projected cost: {present.cost(input_cost)} for the input; up to {present.cost(ceiling_cost)} "
              f"with {present.tokens(max_tokens)} output tokens (max_tokens)", file=out)
    return EXIT_OK


def add_count_parser(subparsers: argparse._SubParsersAction) -> None:
    """`workbench count`: input tokens and projected cost of a prompt, without running it."""
    parser = subparsers.add_parser(
        "count", help="count a prompt's input tokens and project its cost",
        description="Count the input tokens of a prompt file (or -p TEXT) with the API's count_tokens "
                    "(or an offline estimate, labelled as such) and print the projected cost.",
    )
    _add_prompt_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(handler=count_command)


# ---------------------------------------------------------------- registry and entry point

# Every subcommand, in --help order. To add one, append its add_parser(subparsers) function.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_run_parser,
    add_count_parser,
    add_compare_parser,
    add_batch_parser,
    add_export_parser,
    add_tool_parser,
    cli_usage.add_usage_parser,
    cli_usage.add_history_parser,
]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench",
        description="Workbench: run, count and compare Claude prompts from the shell.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_parser in SUBCOMMANDS:
        add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Parse arguments, run the subcommand, and turn user errors into one line on `err` and exit code 2."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        # argparse prints --help and usage errors itself, then exits (0 or 2): route both to out/err.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except SystemExit as stop:
        return EXIT_OK if stop.code is None else int(stop.code)
    try:
        return args.handler(args, out, err)
    except (UsageError, PromptFileError, MissingVariableError, BackendConfigError) as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # The runner has already logged an interrupted call as "cancelled".
        print("\ninterrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Piped into e.g. `head`: the reader has what it wanted. Point stdout at /dev/null so the
        # interpreter's final flush cannot raise (and print) the same error again.
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (e.g. captured in tests)
        pass
