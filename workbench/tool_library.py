"""The tool library: *.tool.json files (the API's own tool object) under WORKBENCH_HOME/tools/."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.paths import tools_dir
from workbench.spec import loads_strict_json, write_text_atomically
from workbench.tools_schema import Finding, errors_in, suggest_tool_name, validate_tool, validate_tools

TOOL_SUFFIX = ".tool.json"
_UTF8_BOM = b"\xef\xbb\xbf"
# A tool definition is a few kilobytes; a file far larger is not one, and parsing it would stall the page.
MAX_TOOL_FILE_BYTES = 1_000_000


class ToolFileError(ValueError):
    """A tool file that can't be read as a JSON object; the message says where and what to do."""


def parse_tool_text(data: str | bytes, source: str = "<input>") -> object:
    """The JSON value of a tool file's text (bytes must be UTF-8); ToolFileError when it isn't JSON."""
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        if len(raw) > MAX_TOOL_FILE_BYTES:
            raise ToolFileError(f"{source}: $: the file is {len(raw):,} bytes; a tool file is a small JSON object.")
        try:
            data = raw[len(_UTF8_BOM):].decode("utf-8") if raw.startswith(_UTF8_BOM) else raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ToolFileError(f"{source}: $: not UTF-8 text (byte at offset {error.start}); "
                                "save the file as UTF-8.") from None
    if not data.strip():
        raise ToolFileError(f'{source}: $: the file is empty; a tool file is a JSON object with "name", '
                            '"description" and "input_schema".')
    try:
        return loads_strict_json(data)
    except json.JSONDecodeError as error:
        raise ToolFileError(f"{source}: $: not valid JSON: {error.msg} (line {error.lineno}, "
                            f"column {error.colno}).") from None
    except (ValueError, RecursionError) as error:
        raise ToolFileError(f"{source}: $: not valid JSON: {error}.") from None


def read_tool_file(path: Path | str) -> object:
    """The JSON value in a tool file; ToolFileError when it can't be read or isn't JSON."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ToolFileError(f"{path}: $: cannot read the file: {error.strerror or error}.") from None
    return parse_tool_text(raw, str(path))


def tool_file_findings(value: object) -> list[Finding]:
    """Findings for a tool file's JSON: one tool object, or an array of them (paths from $)."""
    return validate_tools(value, "$") if isinstance(value, list) else validate_tool(value)


def tool_file_text(tool: dict) -> str:
    """The file text: the tool object as written (key order kept: it is the order people read), 2-space indent."""
    return json.dumps(tool, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def tool_file_name(tool: dict) -> str:
    """`<name>.tool.json` for a tool (its name made safe for a file name)."""
    return suggest_tool_name(str(tool.get("name") or "")) + TOOL_SUFFIX


@dataclass(frozen=True)
class LibraryEntry:
    """One file of the library: the tool in it, or why it can't be used."""

    path: Path
    tool: dict | None
    problem: str | None

    @property
    def name(self) -> str:
        return str(self.tool.get("name")) if self.tool else self.path.name.removesuffix(TOOL_SUFFIX)


def library_entries(folder: Path | None = None) -> list[LibraryEntry]:
    """Every *.tool.json in the library, newest first; a broken file is listed with its problem."""
    folder = folder or tools_dir()
    stamped = []
    for path in folder.glob(f"*{TOOL_SUFFIX}"):
        try:
            stamped.append((path.stat().st_mtime, path.name, path))
        except OSError:
            continue  # deleted while listing
    entries = []
    for _, _, path in sorted(stamped, reverse=True):
        try:
            value = read_tool_file(path)
        except ToolFileError as error:
            entries.append(LibraryEntry(path, None, str(error)))
            continue
        errors = errors_in(validate_tool(value))
        if not isinstance(value, dict):
            entries.append(LibraryEntry(path, None, f"{path.name}: {errors[0].line()}"))
        else:
            problem = f"{len(errors)} problem(s), e.g. {errors[0].line()}" if errors else None
            entries.append(LibraryEntry(path, value, problem))
    return entries


class ToolNotSaved(ValueError):
    """The tool has errors the API would refuse, so it is not put in the library."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("Not saved: fix these first: " + "; ".join(finding.line() for finding in findings))


def save_tool(tool: dict, folder: Path | None = None) -> Path:
    """Write a valid tool to `<name>.tool.json` in the library (replacing a file of that name)."""
    errors = errors_in(validate_tool(tool))
    if errors:
        raise ToolNotSaved(errors)
    folder = folder or tools_dir()
    return write_text_atomically(folder / tool_file_name(tool), tool_file_text(tool))


def delete_tool(path: Path) -> None:
    """Remove a library file (already gone is fine)."""
    Path(path).unlink(missing_ok=True)
