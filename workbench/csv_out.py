"""Every CSV Workbench writes goes through here: cells a spreadsheet would run are neutralised,
and numbers are written as plain decimals."""
from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from typing import IO, Any, Iterable, Mapping, Sequence

# A text cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); tab and CR are on the list because some importers strip them first.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One value as the text of a CSV cell: None and NaN blank, numbers plain, formulas inert."""
    if value is None:
        return ""
    if isinstance(value, int):  # bool too: True / False
        return str(value)
    if isinstance(value, float):
        return _plain_decimal(value)
    text = str(value)
    if text.startswith(FORMULA_LEADERS):
        # A leading apostrophe makes a spreadsheet show the text as text, and run nothing.
        return "'" + text
    return text


def _plain_decimal(number: float) -> str:
    """6.91e-05 -> '0.0000691': the shortest repr's digits, without an exponent."""
    if math.isnan(number) or math.isinf(number):
        return ""
    return format(Decimal(repr(number)), "f")


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows of values to a text stream; return how many rows were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    written = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        written += 1
    return written


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV for a header and rows, as one string (for downloads)."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def records_csv_text(records: Sequence[Mapping[str, Any]]) -> str:
    """CSV of dict rows, header from the first row's keys; '' when there are no rows."""
    if not records:
        return ""
    header = list(records[0])
    return csv_text(header, ([record.get(name) for name in header] for record in records))
