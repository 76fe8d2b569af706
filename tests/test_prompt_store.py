"""The prompt store: safe file names, newest-first listing, save, open by name, and uploads."""
from __future__ import annotations

import json
import os

import pytest

from workbench import prompt_store
from workbench.paths import prompts_dir
from workbench.spec import PromptFileError, PromptSpec, new_prompt


def spec_named(name: str, text: str = "hi") -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text=text, max_tokens=10)
    spec.name = name
    return spec


def test_file_names_come_from_prompt_names():
    assert prompt_store.file_stem("Weekly report!") == "weekly-report"
    assert prompt_store.file_stem("  ../../etc/passwd ") == "etc-passwd"
    assert prompt_store.file_stem("") == "untitled"
    assert prompt_store.file_name("Weekly report!") == "weekly-report.prompt.json"


def test_save_writes_under_the_safe_name_and_open_reads_it_back(workbench_home):
    path = prompt_store.save(spec_named("Weekly report!", "Summarise the week."))
    assert path == prompts_dir() / "weekly-report.prompt.json" and path.parent.parent == workbench_home
    reopened = prompt_store.open_saved("weekly-report.prompt.json")
    assert reopened.name == "Weekly report!"
    assert reopened.request["messages"][0]["content"] == "Summarise the week."


def test_listing_is_newest_first_whatever_the_names(workbench_home):
    for age, name in enumerate(["zebra", "alpha", "middle"]):
        path = prompt_store.save(spec_named(name))
        stamp = 1_700_000_000 - age * 60  # zebra newest, middle oldest
        os.utime(path, (stamp, stamp))
    (prompts_dir() / "notes.txt").write_text("not a prompt")
    assert [path.name for path in prompt_store.list_saved()] == [
        "zebra.prompt.json", "alpha.prompt.json", "middle.prompt.json"]


@pytest.mark.parametrize("filename", ["../calls.db", "sub/x.prompt.json", "notes.txt", "/etc/passwd"])
def test_open_refuses_anything_but_a_saved_file_name(filename):
    with pytest.raises(PromptFileError, match="not a saved prompt's file name"):
        prompt_store.open_saved(filename)


def test_an_upload_is_size_checked_then_validated():
    good = json.dumps(spec_named("up").to_file_dict()).encode()
    assert prompt_store.read_upload(good, "up.prompt.json").name == "up"
    with pytest.raises(PromptFileError, match=r"^bad\.json: \$"):
        prompt_store.read_upload(b"{}", "bad.json")
    too_big = b" " * (prompt_store.MAX_UPLOAD_MB * 1024 * 1024 + 1)
    with pytest.raises(prompt_store.PromptTooLargeError, match=r"big\.prompt\.json is 10\.0 MB.*at most 10 MB"):
        prompt_store.read_upload(too_big, "big.prompt.json")
