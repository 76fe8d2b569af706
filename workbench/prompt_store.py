"""Saved prompts: WORKBENCH_HOME/prompts/<safe name>.prompt.json. Names, lists (newest first), saves,
opens and takes uploads; the Editor and Compare both use this, so they see the same files in the same order.
"""
from __future__ import annotations

import re
from pathlib import Path

from workbench.paths import prompts_dir
from workbench.spec import PromptFileError, PromptSpec, load_prompt, loads_prompt, save_prompt

PROMPT_SUFFIX = ".prompt.json"
# The largest context window is 1M tokens (about 4 MB of text); a bigger file can't be a prompt
# anyone can run, and loading it would make every rerun of a page crawl.
MAX_UPLOAD_MB = 10


class PromptTooLargeError(ValueError):
    """An upload too big to be a prompt anyone can run; the message says the size and the limit."""


def file_stem(name: str) -> str:
    """A safe file name for a prompt name ("Weekly report!" -> "weekly-report")."""
    stem = re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-.")
    return stem or "untitled"


def file_name(name: str) -> str:
    """The file a prompt called `name` is saved as: "weekly-report.prompt.json"."""
    return f"{file_stem(name)}{PROMPT_SUFFIX}"


def path_for(name: str) -> Path:
    """Where a prompt called `name` is saved."""
    return prompts_dir() / file_name(name)


def saved_path(filename: str) -> Path:
    """A saved prompt's path from its file name, as listed; anything that is not one is refused."""
    if Path(filename).name != filename or not filename.endswith(PROMPT_SUFFIX):
        raise PromptFileError(filename, "$", f"not a saved prompt's file name (<name>{PROMPT_SUFFIX} in the "
                                             "prompts folder)")
    return prompts_dir() / filename


def list_saved() -> list[Path]:
    """Saved prompts, newest first (by modification time, then name); a file deleted while listing is skipped."""
    stamped = []
    for path in prompts_dir().glob(f"*{PROMPT_SUFFIX}"):
        try:
            stamped.append((path.stat().st_mtime_ns, path.name, path))
        except OSError:
            continue
    return [path for _, _, path in sorted(stamped, reverse=True)]


def save(spec: PromptSpec) -> Path:
    """Write `spec` under its name's file; returns the path. Raises PromptFileError or OSError."""
    return save_prompt(spec, path_for(spec.name))


def open_saved(filename: str) -> PromptSpec:
    """Read and validate a saved prompt by its file name. Raises PromptFileError."""
    return load_prompt(saved_path(filename))


def read_upload(data: bytes, filename: str) -> PromptSpec:
    """An uploaded prompt file, size-checked then validated. Raises PromptTooLargeError or PromptFileError."""
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise PromptTooLargeError(f"{filename} is {len(data) / 1024 / 1024:.1f} MB; a prompt file can be at most "
                                  f"{MAX_UPLOAD_MB} MB (no model's context window holds more)")
    return loads_prompt(data, source=filename)
