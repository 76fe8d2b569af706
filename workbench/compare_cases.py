"""Test cases for a prompt: a table of variable values, an optional check per row, and scoring."""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from workbench.csv_out import records_csv_text
from workbench.json_schemas import first_violation, schema_problems
from workbench.spec import loads_strict_json

# Two reserved columns hold the optional check; every other column must be a prompt variable.
CHECK_COLUMN = "check"
EXPECTED_COLUMN = "expected"
RESERVED_COLUMNS = (CHECK_COLUMN, EXPECTED_COLUMN)
CHECK_KINDS = ("contains", "regex", "json_schema")
CHECK_LABELS = {
    "": "no check",
    "contains": "output contains the expected text",
    "regex": "output matches the expected regex",
    "json_schema": "output is JSON valid against the expected schema",
}

# A cases file bigger than this is refused before it is parsed: 5 MB is tens of thousands of
# rows, more than any live matrix runs, and parsing more would stall the page on every upload.
MAX_CASES_CSV_MB = 5

# A regex check is abandoned after this long: patterns such as (a|aa)+$ backtrack for minutes on
# an answer that almost matches, and a check must not hold up the matrix.
REGEX_CHECK_TIMEOUT_S = 1.0

_FENCED_BLOCK = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)


class CasesTableError(ValueError):
    """The cases table cannot run; `problems` says what to fix, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class CheckOutcome:
    """Whether one answer passed its case's check, and why in a few words."""

    passed: bool
    detail: str


@dataclass(frozen=True)
class CaseCheck:
    """One row's check: `kind` in CHECK_KINDS, `expected` the substring, pattern or schema JSON."""

    kind: str
    expected: str

    def evaluate(self, text: str) -> CheckOutcome:
        """Apply the check to an answer's text."""
        if self.kind == "contains":
            found = self.expected in text
            return CheckOutcome(found, f"contains {self.expected!r}" if found else f"missing {self.expected!r}")
        if self.kind == "regex":
            return _evaluate_regex(self.expected, text)
        return _evaluate_json_schema(json.loads(self.expected), text)


def _evaluate_regex(pattern: str, text: str) -> CheckOutcome:
    # The `regex` engine takes a time limit, which `re` has no way to enforce. Imported on first use:
    # it takes a tenth of a second, and the CLI answers bad input before loading what it won't need.
    import regex

    try:
        found = regex.search(pattern, text, timeout=REGEX_CHECK_TIMEOUT_S) is not None
    except TimeoutError:
        return CheckOutcome(False, f"timed out: /{pattern}/ ran over {REGEX_CHECK_TIMEOUT_S:g} s on this output "
                                   "(simplify the pattern, e.g. avoid nested repeats like (a+)+)")
    return CheckOutcome(found, f"matches /{pattern}/" if found else f"no match for /{pattern}/")


def _evaluate_json_schema(schema: dict, text: str) -> CheckOutcome:
    document = parse_json_answer(text)
    if document is _NOT_JSON:
        return CheckOutcome(False, "output is not JSON")
    violation = first_violation(schema, document)
    if violation is not None:
        return CheckOutcome(False, f"schema: {violation}")
    return CheckOutcome(True, "valid JSON for the schema")


_NOT_JSON = object()


def parse_json_answer(text: str) -> Any:
    """The JSON in an answer: the whole text, else its first fenced ```json block; _NOT_JSON if none."""
    # Models often wrap JSON in a fence even when asked not to; the check is about the data.
    candidates = [text.strip()]
    fenced = _FENCED_BLOCK.search(text)
    if fenced:
        candidates.append(fenced.group(1))
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):  # an answer nested thousands deep is not data to check
            continue
    return _NOT_JSON


@dataclass(frozen=True)
class CompareCase:
    """One row of the table: its 0-based position, the variable values, and its check if any."""

    index: int
    values: dict[str, str]
    check: CaseCheck | None

    @property
    def label(self) -> str:
        return f"case {self.index + 1}"


def case_columns(variables: Sequence[str]) -> list[str]:
    """The columns a cases table for these variables has, in order."""
    return [*variables, *RESERVED_COLUMNS]


def column_problems(columns: Iterable[str], variables: Sequence[str]) -> list[str]:
    """Sentences naming each mismatch between a table's columns and the prompt's variables."""
    present = [str(column).strip() for column in columns]
    missing = [name for name in variables if name not in present]
    unknown = [name for name in present if name not in variables and name not in RESERVED_COLUMNS]
    problems = []
    if missing:
        problems.append(
            f"missing column{'s' if len(missing) > 1 else ''} for prompt variable"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    if unknown:
        expected = ", ".join(variables) if variables else "none"
        problems.append(
            f"column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"{'are' if len(unknown) > 1 else 'is'} not a prompt variable (the prompt's variables: {expected}; "
            f"optional check columns: {', '.join(RESERVED_COLUMNS)})"
        )
    duplicated = sorted({name for name in present if present.count(name) > 1})
    if duplicated:
        problems.append(f"column{'s' if len(duplicated) > 1 else ''} {', '.join(duplicated)} appear more than once")
    return problems


def cell_text(value: Any) -> str:
    """A table cell as text: None and NaN (empty cells in pandas) become ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def table_has_values(rows: Iterable[Mapping[str, Any]]) -> bool:
    """True when any cell of the table holds text: such a table is the user's work, not a blank."""
    return any(cell_text(value).strip() for row in rows for value in row.values())


def parse_cases(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], variables: Sequence[str]) -> list[CompareCase]:
    """Validated cases from a table; CasesTableError lists every problem (columns, then rows)."""
    problems = column_problems(columns, variables)
    if problems:
        raise CasesTableError(problems)
    cases = []
    for position, row in enumerate(rows):
        values = {name: cell_text(row.get(name)) for name in variables}
        kind = cell_text(row.get(CHECK_COLUMN)).strip()
        expected = cell_text(row.get(EXPECTED_COLUMN))
        if not kind and not any(values.values()) and not expected:
            continue  # a blank row (data_editor's new row) is not a case
        check, problem = _parse_check(kind, expected)
        if problem:
            problems.append(f"row {position + 1}: {problem}")
            continue
        cases.append(CompareCase(index=len(cases), values=values, check=check))
    if problems:
        raise CasesTableError(problems)
    if not cases:
        raise CasesTableError(["the table has no rows: add at least one case"])
    return cases


def _parse_check(kind: str, expected: str) -> tuple[CaseCheck | None, str | None]:
    """The check a row asks for, or a sentence saying why it cannot be applied."""
    if not kind:
        if expected:
            return None, f"'{EXPECTED_COLUMN}' is set but '{CHECK_COLUMN}' is empty (use one of {', '.join(CHECK_KINDS)})"
        return None, None
    if kind not in CHECK_KINDS:
        return None, f"unknown check {kind!r} (use one of {', '.join(CHECK_KINDS)}, or leave it empty)"
    if not expected:
        return None, f"check {kind!r} needs a value in '{EXPECTED_COLUMN}'"
    if kind == "regex":
        import regex  # see _evaluate_regex

        try:
            regex.compile(expected)
        except regex.error as error:
            return None, f"invalid regex {expected!r}: {error}"
    if kind == "json_schema":
        try:
            schema = loads_strict_json(expected)  # a key given twice or absurd nesting is refused too
        except ValueError as error:
            return None, f"'{EXPECTED_COLUMN}' is not valid JSON for a schema: {error}"
        problems = schema_problems(schema)
        if problems:
            return None, "invalid JSON schema: " + " ".join(problems)
    return CaseCheck(kind, expected), None


def read_cases_csv(data: bytes | str, source: str = "cases.csv") -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of a CSV file (UTF-8, with or without BOM); CasesTableError if unreadable or too big."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_CASES_CSV_MB * 1024 * 1024:
        raise CasesTableError([f"{source} is {size / 1024 / 1024:.1f} MB; a cases file can be at most "
                               f"{MAX_CASES_CSV_MB} MB: split it into smaller files"])
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise CasesTableError([
            f"{source}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8 "
            "(in Excel: CSV UTF-8) and upload it again"
        ]) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [column.strip() for column in reader.fieldnames or []]
    if not columns:
        raise CasesTableError([f"{source}: empty file: the first line must name the columns"])
    rows = []
    for line_number, raw in enumerate(reader, start=2):
        if None in raw:
            raise CasesTableError([f"{source}: line {line_number} has more cells than the header has columns"])
        rows.append({column.strip(): value or "" for column, value in raw.items()})
    return columns, rows


def load_cases_csv(data: bytes | str, variables: Sequence[str], source: str = "cases.csv") -> list[CompareCase]:
    """Cases from CSV text, validated against the prompt's variables."""
    columns, rows = read_cases_csv(data, source)
    try:
        return parse_cases(columns, rows, variables)
    except CasesTableError as error:
        raise CasesTableError([f"{source}: {problem}" for problem in error.problems]) from None


def cases_to_rows(cases: Sequence[CompareCase], variables: Sequence[str]) -> list[dict[str, str]]:
    """Cases back to table rows (for the data editor)."""
    return [
        {
            **{name: case.values.get(name, "") for name in variables},
            CHECK_COLUMN: case.check.kind if case.check else "",
            EXPECTED_COLUMN: case.check.expected if case.check else "",
        }
        for case in cases
    ]


def judge_answer(case: CompareCase, result: Any) -> CheckOutcome:
    """Pass/fail of one cell: a failed call fails; without a check, a successful call passes."""
    if not result.ok:
        error = result.error
        return CheckOutcome(False, f"error: {error.type}" if error else "error")
    if case.check is None:
        return CheckOutcome(True, "no check (call succeeded)")
    return case.check.evaluate(result.text)


GRID_COLUMNS = ["case", "model", "passed", "check", "output", "latency_ms", "cost_usd", "stop_reason", "error"]


def grid_row(case: CompareCase, model: str, result: Any, variables: Sequence[str]) -> dict[str, Any]:
    """One results-grid row: a case on a model."""
    outcome = judge_answer(case, result)
    return {
        "case": case.index + 1,
        **{name: case.values.get(name, "") for name in variables},
        "model": model,
        "passed": outcome.passed,
        "check": outcome.detail,
        "output": result.text,
        "latency_ms": round(result.latency_ms, 1) if result.latency_ms is not None else None,
        "cost_usd": result.cost.usd,
        "stop_reason": result.stop_reason,
        "error": result.error.message if result.error else "",
    }


@dataclass(frozen=True)
class ModelScore:
    """Pass rate and cost per passing answer of one model over the matrix."""

    model: str
    cells: int
    passed: int
    total_cost_usd: float | None
    cost_note: str | None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.cells if self.cells else None

    @property
    def cost_per_passing_usd(self) -> float | None:
        """Everything spent (failed answers too) divided by the answers that passed."""
        if self.total_cost_usd is None or not self.passed:
            return None
        return self.total_cost_usd / self.passed


def model_score(model: str, rows: Sequence[Mapping[str, Any]], results: Sequence[Any]) -> ModelScore:
    """Score one model from its grid rows and RunResults (the same cells)."""
    unknown = next((result.cost for result in results if result.usage is not None and not result.cost.known), None)
    # Calls with no usage (a 429 that ran out of retries, a connection error) were not billed.
    total = None if unknown else sum(result.cost.usd or 0.0 for result in results if result.usage is not None)
    return ModelScore(
        model=model,
        cells=len(rows),
        passed=sum(1 for row in rows if row["passed"]),
        total_cost_usd=total,
        cost_note=unknown.reason if unknown else None,
    )


def grid_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The results grid as CSV text (header from the first row's keys), written by csv_out."""
    return records_csv_text(rows)
