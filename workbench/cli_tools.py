"""`python -m workbench tool validate|infer`: check tool files, or make a tool from an example or a function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from workbench.cli_common import EXIT_BAD_INPUT, EXIT_OK
from workbench.tool_inference import InferenceError, tool_from_example, tool_from_python
from workbench.tool_library import ToolFileError, parse_tool_text, read_tool_file, tool_file_findings, tool_file_text


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `tool` (with `validate` and `infer`) on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "tool",
        help="validate *.tool.json files, or infer a tool from example JSON or a Python function",
        description="Work with tool definitions (the API's own tool object, stored as *.tool.json).",
    )
    actions = parser.add_subparsers(dest="tool_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check tool files; each finding as FILE: path: message",
        description=(
            "Check each tool file: the name and property-key patterns the API enforces, input_schema "
            "as valid JSON Schema (draft 2020-12), required names that exist, strict-mode needs, and "
            "descriptions. Prints each finding as `FILE: path: error|warning: message fix`. Exit 0 when "
            "every file is valid (warnings allowed), 2 when any has an error or is not JSON."
        ),
    )
    validate.add_argument("files", nargs="+", metavar="FILE.tool.json", help="tool files (a tool object, or an array of them)")
    validate.set_defaults(handler=handle_validate)
    infer = actions.add_parser(
        "infer",
        help="print a tool object inferred from example input JSON or a Python function",
        description=(
            "Print a tool object (JSON) whose input_schema is inferred from an example input "
            "(--from-json) or from a Python function's parameters, annotations, defaults and docstring "
            "(--from-python FILE:FUNCTION; the file is parsed, never run or imported). What could not "
            "be inferred is said on stderr."
        ),
    )
    source = infer.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-json", metavar="FILE", help="a JSON object of argument name -> example value")
    source.add_argument("--from-python", metavar="FILE[:FUNCTION]",
                        help="a Python file and the function in it (default: the first top-level function)")
    infer.add_argument("--name", help="the tool's name (default: the function's name, or my_tool)")
    infer.add_argument("--description", default="", help="the tool's description (default: the docstring)")
    infer.set_defaults(handler=handle_infer)
    return parser


def handle_validate(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print every finding of every file; 0 when none has an error, 2 otherwise."""
    out = out or sys.stdout
    failed = False
    for file_name in args.files:
        try:
            value = read_tool_file(file_name)
        except ToolFileError as error:
            print(str(error), file=out)  # already "FILE: $: ..."
            failed = True
            continue
        findings = tool_file_findings(value)
        for finding in findings:
            print(f"{file_name}: {finding.path}: {finding.severity}: {finding.message} {finding.fix}".rstrip(),
                  file=out)
        if any(finding.is_error for finding in findings):
            failed = True
        elif not findings:
            print(f"{file_name}: valid", file=out)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def handle_infer(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the inferred tool object; notes on stderr; 2 with one line when the input can't be used."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        inferred = _infer(args)
    except (InferenceError, ToolFileError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=err)
        return EXIT_BAD_INPUT
    for note in inferred.notes:
        print(f"note: {note}", file=err)
    out.write(tool_file_text(inferred.tool))
    return EXIT_OK


def _infer(args: argparse.Namespace):
    if args.from_json:
        example = parse_tool_text(Path(args.from_json).read_bytes(), args.from_json)
        inferred = tool_from_example(example, name=args.name or "my_tool", description=args.description)
        return inferred
    file_name, _, function = args.from_python.rpartition(":") if ":" in args.from_python else (args.from_python, "", "")
    path = Path(file_name)
    if not path.is_file():
        raise InferenceError(f"{file_name}: no such file (give FILE.py or FILE.py:FUNCTION)")
    inferred = tool_from_python(path.read_text(encoding="utf-8"), function or None)
    if args.name:
        inferred.tool["name"] = args.name
    if args.description:
        inferred.tool["description"] = args.description
    return inferred

