"""Every CSV Workbench writes keeps spreadsheet formulas inert and numbers as plain decimals."""
from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.compare_cases import grid_csv
from workbench.csv_out import csv_cell
from workbench.usage_log import CallRecord, UsageLog

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_formula_leading_text_cell_is_written_inert(cell):
    assert csv_cell(cell) == "'" + cell


def test_numbers_are_plain_decimals_and_negative_numbers_stay_numbers():
    assert csv_cell(6.91e-05) == "0.0000691"
    assert csv_cell(1.5e-10) == "0.00000000015"
    assert csv_cell(-0.25) == "-0.25"
    assert csv_cell(12) == "12"
    assert csv_cell(None) == "" and csv_cell(float("nan")) == ""
    assert csv_cell("plain text") == "plain text"


def test_compare_grid_csv_neutralises_outputs_and_variables():
    rows = [{"case": 1, "topic": "@SUM(A1)", "model": "m", "output": "=cmd|' /C calc'!A0", "cost_usd": 6.91e-05}]
    parsed = list(csv.reader(io.StringIO(grid_csv(rows))))
    assert parsed[1] == ["1", "'@SUM(A1)", "m", "'=cmd|' /C calc'!A0", "0.0000691"]


def test_call_log_export_neutralises_cells_and_writes_plain_costs(tmp_path):
    log = UsageLog(tmp_path / "calls.db")
    log.append(CallRecord(
        created_at="2026-03-01T09:00:00Z", source="cli", prompt_name="=HYPERLINK(\"x\")", model="m",
        request_hash="h", input_tokens=1, output_tokens=1, cache_write_tokens=0, cache_read_tokens=0,
        ttft_ms=None, latency_ms=None, stop_reason="end_turn", error_type=None, error_status=None,
        request_id=None, cost_usd=6.91e-05, price_version="v", request_json=json.dumps({"a": 1}),
        response_json=None,
    ))
    out = io.StringIO()
    assert log.export_csv(out) == 1
    row = dict(zip(*list(csv.reader(io.StringIO(out.getvalue())))))
    assert row["prompt_name"] == "'=HYPERLINK(\"x\")"
    assert row["cost_usd"] == "0.0000691"
