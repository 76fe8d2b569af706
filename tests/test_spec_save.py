"""save_prompt is atomic: a temp file in the same folder, then os.replace; failures leave no trace."""
from __future__ import annotations

import os

import pytest

from workbench.spec import PromptFileError, PromptSpec, load_prompt, new_prompt, save_prompt


def files_in(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_save_leaves_only_the_target_file(tmp_path):
    save_prompt(new_prompt("claude-haiku-4-5", "one"), tmp_path / "p.prompt.json")
    save_prompt(new_prompt("claude-haiku-4-5", "two"), tmp_path / "p.prompt.json")
    assert files_in(tmp_path) == ["p.prompt.json"]
    assert load_prompt(tmp_path / "p.prompt.json").request["messages"][0]["content"] == "two"


def test_save_creates_missing_folders(tmp_path):
    path = save_prompt(new_prompt("claude-haiku-4-5"), tmp_path / "a" / "b" / "p.prompt.json")
    assert path.exists()


def test_unserialisable_spec_leaves_existing_file_intact(tmp_path):
    target = tmp_path / "p.prompt.json"
    save_prompt(new_prompt("claude-haiku-4-5", "original"), target)
    before = target.read_bytes()
    broken = new_prompt("claude-haiku-4-5").with_request(metadata={"user_id": object()})
    with pytest.raises(PromptFileError) as caught:
        save_prompt(broken, target)
    assert str(target) in str(caught.value)
    assert target.read_bytes() == before
    assert files_in(tmp_path) == ["p.prompt.json"]


def test_invalid_spec_is_refused_before_writing(tmp_path):
    target = tmp_path / "p.prompt.json"
    save_prompt(new_prompt("claude-haiku-4-5", "original"), target)
    before = target.read_bytes()
    invalid = PromptSpec(request={"model": "claude-haiku-4-5", "max_tokens": 0, "messages": []})
    with pytest.raises(PromptFileError) as caught:
        save_prompt(invalid, target)
    assert caught.value.json_path == "$.request.max_tokens"
    assert target.read_bytes() == before
    assert files_in(tmp_path) == ["p.prompt.json"]


def test_failure_at_replace_removes_the_temp_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "p.prompt.json"
    save_prompt(new_prompt("claude-haiku-4-5", "original"), target)
    before = target.read_bytes()
    seen_temp_files = []

    def crash_instead_of_replacing(src, dst):
        seen_temp_files.append(os.path.dirname(src))
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", crash_instead_of_replacing)
    with pytest.raises(OSError):
        save_prompt(new_prompt("claude-haiku-4-5", "new"), target)
    assert seen_temp_files == [str(tmp_path)]          # the temp file was in the same folder
    assert target.read_bytes() == before
    assert files_in(tmp_path) == ["p.prompt.json"]


def test_save_keeps_existing_permissions(tmp_path):
    target = tmp_path / "p.prompt.json"
    save_prompt(new_prompt("claude-haiku-4-5"), target)
    target.chmod(0o640)
    save_prompt(new_prompt("claude-haiku-4-5", "again"), target)
    assert target.stat().st_mode & 0o777 == 0o640
