"""Uploads have size limits of their own: the cases CSV had none."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench import prompt_store
from workbench.compare_cases import MAX_CASES_CSV_MB, CasesTableError, read_cases_csv

REPO = Path(__file__).resolve().parents[2]


def test_a_cases_csv_over_the_limit_is_refused_with_its_size_before_parsing():
    row = "x" * 1000 + ",,\n"
    data = ("topic,check,expected\n" + row * (MAX_CASES_CSV_MB * 1100)).encode()
    with pytest.raises(CasesTableError) as refused:
        read_cases_csv(data, "big.csv")
    assert f"at most {MAX_CASES_CSV_MB} MB" in str(refused.value) and "big.csv is 5.3 MB" in str(refused.value)


def test_a_cases_csv_under_the_limit_loads():
    columns, rows = read_cases_csv(b"topic,check,expected\ntides,,\n", "small.csv")
    assert columns == ["topic", "check", "expected"] and len(rows) == 1


def test_a_prompt_upload_over_its_limit_is_refused():
    with pytest.raises(prompt_store.PromptTooLargeError):
        prompt_store.read_upload(b" " * (prompt_store.MAX_UPLOAD_MB * 1024 * 1024 + 1), "big.prompt.json")


def test_the_server_refuses_any_upload_bigger_than_the_largest_limit():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == max(prompt_store.MAX_UPLOAD_MB, MAX_CASES_CSV_MB)
