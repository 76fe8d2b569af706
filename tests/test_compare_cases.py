"""The Compare test-cases table: columns against the prompt's variables, rows, CSV in and out."""
from __future__ import annotations

import math

import pytest

from workbench.compare_cases import (
    CasesTableError,
    ModelScore,
    case_columns,
    cases_to_rows,
    column_problems,
    grid_csv,
    load_cases_csv,
    parse_cases,
    read_cases_csv,
)

VARIABLES = ["city", "tone"]


def test_matching_columns_have_no_problems():
    assert column_problems(["city", "tone", "check", "expected"], VARIABLES) == []
    assert column_problems(["tone", "city"], VARIABLES) == []
    assert case_columns(VARIABLES) == ["city", "tone", "check", "expected"]


def test_every_mismatch_is_named():
    problems = column_problems(["city", "mood", "colour"], VARIABLES)
    assert problems[0] == "missing column for prompt variable tone"
    assert problems[1].startswith("columns mood, colour are not a prompt variable (the prompt's variables: city, tone")


def test_parse_cases_skips_blank_rows_and_reads_checks():
    rows = [
        {"city": "Paris", "tone": "dry", "check": "contains", "expected": "France"},
        {"city": None, "tone": math.nan, "check": None, "expected": None},  # data_editor's empty row
        {"city": "Oslo", "tone": "warm", "check": "", "expected": ""},
    ]
    cases = parse_cases(case_columns(VARIABLES), rows, VARIABLES)
    assert [case.values for case in cases] == [{"city": "Paris", "tone": "dry"}, {"city": "Oslo", "tone": "warm"}]
    assert cases[0].check.kind == "contains" and cases[0].check.expected == "France"
    assert cases[1].check is None
    assert [case.index for case in cases] == [0, 1]


def test_row_problems_name_the_row_and_all_are_reported():
    rows = [
        {"city": "a", "tone": "b", "check": "regex", "expected": "(unclosed"},
        {"city": "a", "tone": "b", "check": "json_schema", "expected": "{not json"},
        {"city": "a", "tone": "b", "check": "equals", "expected": "x"},
        {"city": "a", "tone": "b", "check": "", "expected": "orphan"},
        {"city": "a", "tone": "b", "check": "contains", "expected": ""},
    ]
    with pytest.raises(CasesTableError) as caught:
        parse_cases(case_columns(VARIABLES), rows, VARIABLES)
    problems = caught.value.problems
    assert [problem.split(":")[0] for problem in problems] == ["row 1", "row 2", "row 3", "row 4", "row 5"]
    assert "invalid regex" in problems[0]
    assert "not valid JSON" in problems[1]
    assert "unknown check 'equals'" in problems[2]


def test_an_empty_table_cannot_run():
    with pytest.raises(CasesTableError, match="no rows"):
        parse_cases(VARIABLES, [], VARIABLES)


def test_csv_with_bom_loads_and_round_trips():
    data = "\ufeffcity,tone,check,expected\nParis,dry,contains,France\nRome,\"warm, kind\",,\n".encode()
    cases = load_cases_csv(data, VARIABLES, source="trip.csv")
    assert cases[1].values == {"city": "Rome", "tone": "warm, kind"}
    assert cases_to_rows(cases, VARIABLES)[0] == {"city": "Paris", "tone": "dry", "check": "contains", "expected": "France"}


def test_csv_mismatch_names_the_file_and_the_columns():
    with pytest.raises(CasesTableError) as caught:
        load_cases_csv("city,weather\nParis,rain\n", VARIABLES, source="trip.csv")
    assert caught.value.problems[0] == "trip.csv: missing column for prompt variable tone"
    assert "weather is not a prompt variable" in caught.value.problems[1]


def test_csv_that_is_not_utf8_is_refused_in_one_sentence():
    with pytest.raises(CasesTableError, match="not UTF-8"):
        read_cases_csv(b"city\n\xff\xfe\n", "latin.csv")


def test_score_counts_failed_calls_in_cost_per_passing_answer():
    # 4 cells, 3 passed, $0.006 spent in all -> $0.002 per passing answer, 75 % pass rate.
    score = ModelScore(model="m", cells=4, passed=3, total_cost_usd=0.006, cost_note=None)
    assert score.pass_rate == 0.75
    assert score.cost_per_passing_usd == pytest.approx(0.002)
    assert ModelScore("m", 2, 0, 0.004, None).cost_per_passing_usd is None


def test_grid_csv_writes_a_header_and_empty_for_none():
    text = grid_csv([{"case": 1, "model": "m", "output": "a, b", "cost_usd": None}])
    assert text == 'case,model,output,cost_usd\n1,m,"a, b",\n'
