"""Each generated snippet, run for real, sends Workbench's own request body (Python, TypeScript, curl)."""
from __future__ import annotations

import itertools

import pytest
from capture_server import CaptureServer
from codegen_cases import TRICKY
from codegen_support import RUNNERS, assert_sent_as_workbench, ensure_node_packages, workbench_body, write_snippets

OPTIONS = list(itertools.product([False, True], [False, True]))  # (stream, keep_variables)


@pytest.fixture(scope="module")
def server():
    ensure_node_packages()
    capture = CaptureServer()
    yield capture
    capture.stop()


@pytest.fixture(scope="module")
def expected(server):
    """What Workbench itself sent for each case, and its anthropic-version header."""
    bodies = {case.label: workbench_body(server, case) for case in TRICKY}
    assert bodies["plain"][0]["stream"] is True  # the Editor streams
    return bodies


@pytest.mark.parametrize("language", ["python", "typescript", "curl"])
def test_every_snippet_sends_the_body_workbench_sends(language, server, expected, tmp_path):
    runs = []
    for (stream, keep), custom in zip(OPTIONS, [False, True, False, True]):
        batch = write_snippets(server, TRICKY, language, tmp_path / "snippets", stream=stream, keep_variables=keep,
                               custom_base_url=custom)
        runs += [(run, case, stream) for run, case in zip(batch, TRICKY)]
    RUNNERS[language]([run for run, _, _ in runs], tmp_path / "snippets")
    for run, case, stream in runs:
        assert_sent_as_workbench(server, run, expected[case.label], case, stream=stream)
