"""The autosaved drafts: the prompt being edited and the values typed for its variables, so a reload loses nothing.

Each browser tab has its own draft, `WORKBENCH_HOME/drafts/<tab>.prompt.json`, so two tabs never
overwrite each other; a fresh tab starts from the newest draft of any tab. A draft is an ordinary
prompt file (the same text save_prompt writes, so it can be opened, run or counted like any other);
`<tab>.values.json` holds the typed values, kept apart from the prompt's `variables` defaults so
that both come back exactly as they were. `WORKBENCH_HOME/draft.prompt.json` is the single draft
earlier versions kept (tab None); a fresh tab still starts from it when it is the newest.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from workbench.paths import workbench_home
from workbench.spec import (
    PromptFileError, PromptSpec, checked_prompt_text, load_prompt, request_hash, write_text_atomically,
)
from workbench.templating import is_variable_name

DRAFT_FILE = "draft.prompt.json"
VALUES_FILE = "draft.values.json"
TABS_DIR = "drafts"
PROMPT_SUFFIX, VALUES_SUFFIX = ".prompt.json", ".values.json"
# Tab drafts kept; older ones (tabs long closed) are removed when a new tab starts.
KEPT_TAB_DRAFTS = 50
_TAB_ID = re.compile(r"[0-9a-f]{12}")
VALUES_FORMAT = "workbench.draft-values/1"
# A draft that can't be read is renamed to this suffix (not deleted: it may hold the only copy).
SET_ASIDE_SUFFIX = ".unreadable"


class DraftError(Exception):
    """The draft exists but can't be used; it has been set aside, and the message says where."""


@dataclass(frozen=True)
class Draft:
    """A restored draft: the prompt, the typed values, and why the values were not restored (if so)."""

    spec: PromptSpec
    values: dict[str, str] = field(default_factory=dict)
    values_problem: str | None = None


def new_tab_id() -> str:
    """A fresh id for a browser tab's draft."""
    return secrets.token_hex(6)


def is_tab_id(text: object) -> bool:
    """True for an id new_tab_id could have made (it comes from the URL, so it is checked before use as a file name)."""
    return isinstance(text, str) and _TAB_ID.fullmatch(text) is not None


def _tabs_dir() -> Path:
    return workbench_home() / TABS_DIR


def draft_path(tab: str | None = None) -> Path:
    if tab is None:
        return workbench_home() / DRAFT_FILE
    if not is_tab_id(tab):
        raise ValueError(f"{tab!r} is not a draft tab id")
    return _tabs_dir() / f"{tab}{PROMPT_SUFFIX}"


def draft_values_path(tab: str | None = None) -> Path:
    if tab is None:
        return workbench_home() / VALUES_FILE
    return draft_path(tab).with_name(f"{tab}{VALUES_SUFFIX}")


def newest_tab() -> tuple[bool, str | None]:
    """(found, tab) of the most recently written draft: a tab's, or the old single draft (tab None)."""
    candidates = [(path, path.name.removesuffix(PROMPT_SUFFIX)) for path in _tabs_dir().glob(f"*{PROMPT_SUFFIX}")
                  if is_tab_id(path.name.removesuffix(PROMPT_SUFFIX))]
    candidates.append((draft_path(None), None))
    newest: tuple[float, str | None] | None = None
    for path, tab in candidates:
        try:
            modified = path.stat().st_mtime_ns
        except OSError:
            continue
        if newest is None or modified > newest[0]:
            newest = (modified, tab)
    return (False, None) if newest is None else (True, newest[1])


def prune_tab_drafts(keep: int = KEPT_TAB_DRAFTS) -> None:
    """Remove all but the `keep` most recently written tab drafts (best effort)."""
    prompts = []
    for path in _tabs_dir().glob(f"*{PROMPT_SUFFIX}"):
        try:
            prompts.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(prompts, reverse=True)[keep:]:
        tab = path.name.removesuffix(PROMPT_SUFFIX)
        for stale in (path, path.with_name(f"{tab}{VALUES_SUFFIX}")):
            try:
                stale.unlink()
            except OSError:
                pass


def draft_fingerprint(spec: PromptSpec, values: dict[str, str]) -> str:
    """Equal for an unchanged prompt (request, name, description, defaults) and values: nothing to write."""
    return request_hash({"prompt": spec.to_file_dict(), "values": dict(values)})


def save_draft(spec: PromptSpec, values: dict[str, str], tab: str | None = None) -> Path:
    """Write a tab's draft atomically (values first, then the prompt); raises ValueError (a bad prompt or value) or OSError."""
    clean = _checked_values(values, "values")  # refuse before touching the disk
    values_text = json.dumps({"format": VALUES_FORMAT, "values": clean}, sort_keys=True, indent=2,
                             ensure_ascii=False) + "\n"
    # Check and serialise the prompt before writing either file: a refused prompt leaves the old draft whole.
    path = draft_path(tab)
    prompt_text = checked_prompt_text(spec, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(draft_values_path(tab), values_text)
    return write_text_atomically(path, prompt_text)


def load_draft(tab: str | None = None) -> Draft | None:
    """A tab's last autosaved draft, or None when there is none; raises DraftError when it can't be read."""
    path = draft_path(tab)
    if not path.exists():
        return None
    try:
        spec = load_prompt(path)
    except PromptFileError as error:
        kept = _set_aside(path)
        _set_aside(draft_values_path(tab))
        raise DraftError(f"The autosaved draft could not be restored ({error.json_path}: {error.problem}); "
                         f"{_where(kept, path)} and a new prompt was started.") from error
    values_path = draft_values_path(tab)
    if not values_path.exists():
        return Draft(spec=spec, values=dict(spec.variables))
    try:
        values = _read_values(values_path)
    except (OSError, ValueError) as error:
        kept = _set_aside(values_path)
        problem = (f"The variable values typed last time could not be restored ({error}); "
                   f"{_where(kept, values_path)} and the prompt's defaults are used.")
        return Draft(spec=spec, values=dict(spec.variables), values_problem=problem)
    return Draft(spec=spec, values=values)


def _read_values(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError("not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg}") from error
    if not isinstance(data, dict) or data.get("format") != VALUES_FORMAT:
        raise ValueError(f'not a {VALUES_FORMAT} file')
    return _checked_values(data.get("values"), "$.values")


def _checked_values(values: object, where: str) -> dict[str, str]:
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be an object of variable name -> text")
    for name, text in values.items():
        if not is_variable_name(name) or not isinstance(text, str):
            raise ValueError(f"{where} holds {name!r}, which is not a variable name with a text value")
    return dict(values)


def _set_aside(path: Path) -> Path | None:
    """Rename an unusable draft file so the next session doesn't trip on it again; None if it can't be."""
    kept = path.with_name(path.name + SET_ASIDE_SUFFIX)
    try:
        path.replace(kept)
    except OSError:  # gone, or left where it is: the next session says so again, better than a traceback
        return None
    return kept


def _where(kept: Path | None, path: Path) -> str:
    return f"it was moved to {kept}" if kept is not None else f"it is left at {path}"
