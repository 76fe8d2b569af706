"""The autosaved draft: written atomically as a normal prompt file, read back exactly, never a traceback."""
from __future__ import annotations

import json
import os

import pytest

from workbench.drafts import (
    DraftError, draft_fingerprint, draft_path, draft_values_path, is_tab_id, load_draft, new_tab_id, newest_tab,
    prune_tab_drafts, save_draft,
)
from workbench.spec import PromptFileError, PromptSpec, load_prompt, new_prompt


def poem_prompt() -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", "Write a poem about {{topic}} for {{reader}}.", system="Be brief.")
    spec.name = "Sea poem"
    spec.variables = {"reader": "children"}
    return spec


def files_in(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_no_draft_yet_is_none(workbench_home):
    assert load_draft() is None
    assert draft_path() == workbench_home / "draft.prompt.json"


def test_a_saved_draft_comes_back_exactly():
    spec = poem_prompt()
    save_draft(spec, {"topic": "the sea"})
    draft = load_draft()
    assert draft.spec == spec
    assert draft.values == {"topic": "the sea"}  # typed values, apart from the prompt's defaults
    assert draft.spec.variables == {"reader": "children"}
    assert draft.values_problem is None


def test_the_draft_is_an_ordinary_prompt_file(workbench_home):
    save_draft(poem_prompt(), {"topic": "the sea"})
    assert load_prompt(draft_path()) == poem_prompt()
    assert json.loads(draft_path().read_text())["format"] == "workbench.prompt/1"
    assert files_in(workbench_home) == ["draft.prompt.json", "draft.values.json"]  # no temp files left


def test_a_second_save_replaces_the_first():
    save_draft(poem_prompt(), {"topic": "the sea"})
    save_draft(new_prompt("claude-haiku-4-5", "Something else"), {})
    draft = load_draft()
    assert draft.spec.request["messages"][0]["content"] == "Something else"
    assert draft.values == {}


def test_fingerprint_changes_with_request_name_defaults_and_values_only():
    spec = poem_prompt()
    base = draft_fingerprint(spec, {"topic": "the sea"})
    assert draft_fingerprint(poem_prompt(), {"topic": "the sea"}) == base
    assert draft_fingerprint(spec.with_request(max_tokens=99), {"topic": "the sea"}) != base
    renamed = poem_prompt()
    renamed.name = "Other"
    assert draft_fingerprint(renamed, {"topic": "the sea"}) != base
    redefaulted = poem_prompt()
    redefaulted.variables = {}
    assert draft_fingerprint(redefaulted, {"topic": "the sea"}) != base
    assert draft_fingerprint(spec, {"topic": "the lake"}) != base


def test_an_invalid_prompt_is_refused_and_the_old_draft_kept():
    save_draft(poem_prompt(), {"topic": "the sea"})
    before = (draft_path().read_bytes(), draft_values_path().read_bytes())
    broken = PromptSpec(request={"model": "claude-haiku-4-5", "max_tokens": 10, "messages": []})
    with pytest.raises(PromptFileError):
        save_draft(broken, {"topic": "other"})
    assert (draft_path().read_bytes(), draft_values_path().read_bytes()) == before


def test_bad_values_are_refused_before_writing():
    with pytest.raises(ValueError):
        save_draft(poem_prompt(), {"not a name!": "x"})
    assert not draft_path().exists() and not draft_values_path().exists()


@pytest.mark.parametrize("text", ["", "{not json", '{"format": "workbench.prompt/1"}', "[]", b"\xff\xfe"])
def test_a_corrupt_draft_is_set_aside_with_a_sentence(workbench_home, text):
    workbench_home.mkdir(parents=True, exist_ok=True)
    save_draft(poem_prompt(), {"topic": "the sea"})
    if isinstance(text, bytes):
        draft_path().write_bytes(text)
    else:
        draft_path().write_text(text)
    with pytest.raises(DraftError) as caught:
        load_draft()
    message = str(caught.value)
    assert "could not be restored" in message and "draft.prompt.json.unreadable" in message
    # Kept for the user to look at, and out of the next session's way.
    assert (workbench_home / "draft.prompt.json.unreadable").exists()
    assert load_draft() is None


def test_corrupt_values_keep_the_prompt_and_fall_back_to_defaults(workbench_home):
    save_draft(poem_prompt(), {"topic": "the sea"})
    draft_values_path().write_text('{"format": "workbench.draft-values/1", "values": {"topic": 3}}')
    draft = load_draft()
    assert draft.spec == poem_prompt()
    assert draft.values == {"reader": "children"}
    assert "could not be restored" in draft.values_problem
    assert (workbench_home / "draft.values.json.unreadable").exists()
    assert load_draft().values_problem is None  # said once


def test_a_draft_without_values_file_uses_the_defaults():
    save_draft(poem_prompt(), {"topic": "the sea"})
    draft_values_path().unlink()
    assert load_draft().values == {"reader": "children"}


def test_a_prompt_that_cannot_be_written_as_json_leaves_both_files_whole():
    # NaN passes the shape checks (a number) but not the file's strict JSON: refused before either write.
    save_draft(poem_prompt(), {"topic": "the sea"})
    before = (draft_path().read_bytes(), draft_values_path().read_bytes())
    with pytest.raises(PromptFileError):
        save_draft(poem_prompt().with_request(temperature=float("nan")), {"topic": "other"})
    assert (draft_path().read_bytes(), draft_values_path().read_bytes()) == before


def test_each_tab_has_its_own_files_and_the_newest_of_any_is_found(workbench_home):
    first, second = new_tab_id(), new_tab_id()
    assert first != second and is_tab_id(first) and not is_tab_id("../x") and not is_tab_id(None)
    assert newest_tab() == (False, None)
    save_draft(poem_prompt(), {"topic": "the sea"}, first)
    save_draft(new_prompt("claude-haiku-4-5", "Other tab"), {}, second)
    assert load_draft(first).values == {"topic": "the sea"}
    assert load_draft(second).spec.request["messages"][0]["content"] == "Other tab"
    assert newest_tab() == (True, second)
    save_draft(poem_prompt(), {"topic": "a river"}, first)
    assert newest_tab() == (True, first)
    with pytest.raises(ValueError, match="not a draft tab id"):
        draft_path("../../etc/passwd")


def test_old_tab_drafts_are_pruned_to_the_newest(workbench_home):
    tabs = [new_tab_id() for _ in range(4)]
    for index, tab in enumerate(tabs):
        save_draft(new_prompt("claude-haiku-4-5", f"tab {index}"), {}, tab)
        os.utime(draft_path(tab), ns=(index * 10**9, index * 10**9))
    prune_tab_drafts(keep=2)
    assert [draft_path(tab).exists() for tab in tabs] == [False, False, True, True]
    assert not draft_values_path(tabs[0]).exists()
