"""`python -m workbench export`: print a prompt as Python, TypeScript or curl code that sends the same request."""
from __future__ import annotations

import argparse
from typing import Any, TextIO

from workbench.backend import custom_base_url
from workbench.cli_common import EXIT_OK, UsageError, parse_vars
from workbench.codegen import LANGUAGES, CodegenError, export_snippet
from workbench.spec import load_prompt
from workbench.templating import find_variables


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `export` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "export",
        help="print a prompt as Python, TypeScript or curl code that sends the same request",
        description=(
            "Print a prompt file as a self-contained program that sends exactly the request Workbench "
            "sends: Python (anthropic SDK), TypeScript (@anthropic-ai/sdk) or curl. The key is read "
            "from ANTHROPIC_API_KEY when the code runs; it never appears in the code. A custom "
            "ANTHROPIC_BASE_URL (or --base-url) is written into the code; the Anthropic API is the default."
        ),
    )
    parser.add_argument("prompt_file", metavar="FILE.prompt.json", help="the prompt to export")
    parser.add_argument("--lang", required=True, choices=LANGUAGES, help="the language of the code")
    parser.add_argument("--stream", action="store_true", help="stream the reply (print it as it arrives)")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="value for a {{variable}} (default: the file's); repeat for several")
    parser.add_argument("--keep-variables", action="store_true",
                        help="keep {{variables}} as parameters of a function that fills them in, "
                             "instead of writing their values into the text")
    parser.add_argument("--base-url", metavar="URL",
                        help="the endpoint the code calls (default: ANTHROPIC_BASE_URL when it is a custom one)")
    parser.set_defaults(handler=handle_export)
    return parser


def handle_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the snippet the arguments describe; the SDK is imported only for a valid prompt."""
    spec = load_prompt(args.prompt_file)
    given = parse_vars(args.var, find_variables(spec.request))
    base_url = args.base_url if args.base_url is not None else custom_base_url()
    if base_url is not None and not base_url.strip().lower().startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with http:// or https://, got {base_url!r}")
    try:
        snippet = export_snippet(spec.request, {**spec.variables, **given}, args.lang, stream=args.stream,
                                 keep_variables=args.keep_variables, base_url=base_url, name=spec.name)
    except CodegenError as error:
        raise UsageError(f"cannot export as {args.lang}: {error}") from None
    out.write(snippet.code)
    out.flush()
    return EXIT_OK
