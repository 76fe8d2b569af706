"""Snapshots of the generated code, so every change to what users copy shows up in review.

After an intended change: UPDATE_SNAPSHOTS=1 pytest tests/test_codegen_snapshots.py, then read the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from codegen_cases import TRICKY

from workbench.codegen import export_snippet

SNAPSHOTS = Path(__file__).parent / "snapshots" / "codegen"
CASES = {case.label: case for case in TRICKY}
# (case, stream, keep_variables, custom base URL)
VARIANTS = [
    ("variables", False, False, None),
    ("variables", True, True, None),
    ("tools-and-results", True, False, "https://gateway.example.com/anthropic"),
    ("no-sdk-argument", False, False, None),
    ("settings", False, True, None),
]


@pytest.mark.parametrize("language", ["python", "typescript", "curl"])
@pytest.mark.parametrize(("label", "stream", "keep", "base_url"), VARIANTS)
def test_generated_code_matches_its_snapshot(language, label, stream, keep, base_url):
    case = CASES[label]
    snippet = export_snippet(case.request, case.values, language, stream=stream, keep_variables=keep,
                             base_url=base_url, headers=case.headers, name=label)
    extension = snippet.file_name.rsplit(".", 1)[1]
    path = SNAPSHOTS / f"{label}{'-stream' if stream else ''}{'-kept' if keep else ''}.{extension}"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(snippet.code, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert snippet.code == path.read_text(encoding="utf-8")
