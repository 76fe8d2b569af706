"""A regex check that backtracks catastrophically is stopped and reported as timed out."""
from __future__ import annotations

import pytest

from workbench.compare_cases import CaseCheck, CasesTableError, load_cases_csv


# Under `re` this search runs for minutes; the check must give up within its own time limit.
@pytest.mark.timeout(60)
def test_a_catastrophic_pattern_times_out_as_a_reported_failure():
    outcome = CaseCheck("regex", "(a|aa)+$").evaluate("a" * 40 + "!")
    assert not outcome.passed
    assert outcome.detail.startswith("timed out")


@pytest.mark.timeout(60)
def test_the_issue_pattern_finishes():
    outcome = CaseCheck("regex", "(a+)+$").evaluate("a" * 40 + "!")
    assert not outcome.passed and "no match" in outcome.detail


def test_ordinary_patterns_still_match_and_bad_ones_are_refused_at_load():
    assert CaseCheck("regex", r"\bParis\b").evaluate("It is Paris.").passed
    with pytest.raises(CasesTableError, match="invalid regex"):
        load_cases_csv("topic,check,expected\nx,regex,(unclosed\n", ["topic"])
