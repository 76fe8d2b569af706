"""The tool library under WORKBENCH_HOME/tools: save, list newest first, broken files named, bad input refused."""
from __future__ import annotations

import os

import pytest

from workbench.paths import tools_dir
from workbench.tool_library import (
    ToolFileError, ToolNotSaved, delete_tool, library_entries, parse_tool_text, read_tool_file, save_tool,
)

TOOL = {"name": "get_weather", "description": "Get the weather for a city, now or for the next days.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string", "description": "City."}},
                         "required": ["city"]}}


def test_save_writes_the_api_tool_object_and_reads_it_back(workbench_home):
    path = save_tool(TOOL)
    assert path == workbench_home / "tools" / "get_weather.tool.json"
    assert read_tool_file(path) == TOOL
    assert list(read_tool_file(path)) == ["name", "description", "input_schema"]  # key order kept


def test_a_tool_with_errors_is_not_saved():
    with pytest.raises(ToolNotSaved, match=r"\$\.name"):
        save_tool({**TOOL, "name": "get weather"})
    assert list(tools_dir().iterdir()) == []


def test_list_is_newest_first_and_names_broken_files():
    older = save_tool(TOOL)
    os.utime(older, (1_000_000, 1_000_000))
    save_tool({**TOOL, "name": "get_time"})
    (tools_dir() / "broken.tool.json").write_text("{nope")
    os.utime(tools_dir() / "broken.tool.json", (1, 1))
    entries = library_entries()
    assert [entry.name for entry in entries] == ["get_time", "get_weather", "broken"]
    assert entries[-1].tool is None and "not valid JSON" in entries[-1].problem
    delete_tool(older)
    delete_tool(older)  # already gone is fine
    assert [entry.name for entry in library_entries()] == ["get_time", "broken"]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "the file is empty"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": NaN}', "NaN is not allowed"),
    (b"[1,", "not valid JSON"),
    (b"x" * 1_000_001, "a tool file is a small JSON object"),
])
def test_bad_files_are_a_sentence_not_a_traceback(data, expected):
    with pytest.raises(ToolFileError, match=expected):
        parse_tool_text(data, "upload.tool.json")


def test_a_byte_order_mark_is_tolerated():
    assert parse_tool_text(b"\xef\xbb\xbf" + b'{"name": "x"}') == {"name": "x"}
