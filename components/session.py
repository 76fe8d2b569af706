"""Session state and the shared resources every page uses (backend, client, catalog, prices, log)."""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import anthropic
import streamlit as st

from workbench.backend import Backend, BackendConfigError, make_client, resolve_backend
from workbench import drafts, models
from workbench.models import Catalog, fetch_catalog, offline_catalog
from workbench.paths import call_log_path
from workbench.pricing import DEFAULT_PRICE_FILE, PriceTable, load_price_table
from workbench.spec import PromptSpec, load_prompt, new_prompt
from workbench.tokens import TokenCounter
from workbench.usage_log import UsageLog

# Settings the backend reads; only these are taken from st.secrets.
BACKEND_SETTINGS = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "WORKBENCH_BACKEND", "WORKBENCH_SIMULATOR_SPEED")


def _default_prompt() -> PromptSpec:
    return new_prompt(default_model_id())


# Every non-widget session-state key, with a factory for its default. Widget keys are not here:
# widgets are filled from these values on every render (widget state is dropped off-page).
STATE_DEFAULTS: dict[str, Callable[[], Any]] = {
    # The prompt being edited (PromptSpec); survives page switches.
    "prompt": _default_prompt,
    # Values typed for {{variables}}: name -> text.
    "variable_values": dict,
    # Last Editor run (a RunResult), for the results panel and "continue".
    "editor_last_run": lambda: None,
    # Widget key -> why its typed text (raw request JSON, output schema) was not applied.
    "editor_input_errors": dict,
    # Widget key -> text typed but not yet in the prompt (raw JSON, schema, next message), kept
    # here because widget state is dropped while another page is shown.
    "editor_drafts": dict,
    # File name a Save would replace, waiting for the user to confirm (another prompt's file).
    "editor_overwrite_pending": lambda: None,
    # The saved file this prompt was opened from or last saved to (re-saving it needs no confirm).
    "editor_file_name": lambda: None,
    # One-shot messages for the next render: list of (kind, text), kind in success/info/warning/error.
    "editor_notices": list,
    # Set by callbacks (send tool results, continue) to run the prompt in the next script run.
    "editor_run_requested": lambda: False,
    # Extra HTTP headers for Editor runs (e.g. anthropic-beta); not part of the prompt file.
    "editor_extra_headers": dict,
    # The Editor's "Live token count" switch; kept here so a visit to another page doesn't turn it back on.
    "editor_live_count_on": lambda: True,
    # Texts the Request JSON view has shown: a widget value among them is a stale copy, not an edit.
    "editor_raw_json_shown": list,
    # Fingerprint of the prompt and values last written to the autosaved draft (write only on change).
    "draft_fingerprint": lambda: None,
    # Why the last autosave failed (said once, not on every edit); None once a write succeeds.
    "draft_problem": lambda: None,
    # Sentence shown in the sidebar after the API refused the key (set on first failing call).
    "backend_problem": lambda: None,
    # Compare page (widgets are re-filled from these on every render).
    "compare_prompt_choice": lambda: "The Editor's current prompt",  # or "A saved prompt file"
    "compare_prompt_file_name": lambda: None,  # file name under WORKBENCH_HOME/prompts
    "compare_picked_models": lambda: None,  # list of model ids; None = the default line-up
    "compare_model_overrides": dict,  # model id -> workbench.compare.ModelOverrides
    "compare_overrides_basis": lambda: None,  # hash of the prompt settings the overrides start from
    "compare_variable_values": dict,  # {{variable}} values for side-by-side runs
    "compare_count_tokens_on": lambda: True,
    "compare_repeat_count": lambda: 1,
    "compare_concurrency_limit": lambda: 4,
    "compare_run_outcome": lambda: None,  # {"outcome", "summary", "prompt_name"} of the last run
    "compare_cases_table": lambda: None,  # {"columns": [...], "rows": [...]}: the table the editor starts from
    "compare_cases_edited": lambda: None,  # the same shape, as last edited
    "compare_cases_upload_id": lambda: None,  # file_id of the CSV already loaded (load it once)
    "compare_matrix_outcome": lambda: None,  # {"outcome", "summary", "prompt_name"} of the last matrix
    "compare_batch_repeats": lambda: 1,  # repeats per cell of a batch
    "compare_batch_shown": lambda: None,  # id of the batch whose results are shown
    "compare_batch_notice": lambda: None,  # "submitted ..." said once after the rerun
    "compare_batch_cancel_problems": dict,  # batch id -> why Cancel failed
    "compare_batch_outcomes": dict,  # (batch id, results logged) -> {"outcome", "summary", "prompt_name"}
}


def setup_state() -> None:
    """Give every session-state key its default, once; later calls change nothing."""
    if "prompt" not in st.session_state:
        _start_from_draft()  # a new session (a reload): carry on where the last one left off
    for key, make_default in STATE_DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = make_default()


def _start_from_draft() -> None:
    """Restore the autosaved prompt and values; a draft that can't be read is said once, then ignored."""
    notices = st.session_state.setdefault("editor_notices", [])
    try:
        draft = drafts.load_draft()
    except (drafts.DraftError, OSError) as error:
        notices.append(("warning", str(error)))
        return  # setup_state gives the session a new prompt
    if draft is None:
        return
    st.session_state["prompt"] = draft.spec
    st.session_state["variable_values"] = dict(draft.values)
    st.session_state["draft_fingerprint"] = drafts.draft_fingerprint(draft.spec, draft.values)
    if draft.values_problem:
        notices.append(("warning", draft.values_problem))


# --- backend and client ---------------------------------------------------------------------------

def read_secrets() -> dict[str, str]:
    """Backend settings from st.secrets; no secrets file (or an unreadable one) means no secrets."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return {name: str(st.secrets[name]) for name in BACKEND_SETTINGS if name in st.secrets}
    except Exception:  # a broken secrets file must not take the app down; env and .env still work
        return {}


def get_backend() -> Backend:
    """The backend for this run; raises BackendConfigError with a sentence on what to set."""
    # Resolved on every run from env, .env and secrets (cheap: the simulator starts once per
    # process), so a changed key or URL takes effect without restarting the server.
    return resolve_backend(os.environ, read_secrets())


def backend_or_error() -> tuple[Backend | None, str | None]:
    """The backend, or None and the configuration problem as a sentence."""
    try:
        return get_backend(), None
    except BackendConfigError as error:
        return None, str(error)


@st.cache_resource(show_spinner=False)
def _client_for(base_url: str, key_fingerprint: str, _backend: Backend) -> anthropic.Anthropic:
    # Keyed by URL and key fingerprint; the Backend (holding the key) is not hashed (leading _).
    return make_client(_backend)


def _client(backend: Backend) -> anthropic.Anthropic:
    return _client_for(backend.base_url, backend.key_fingerprint, backend)


def get_client() -> anthropic.Anthropic:
    """The SDK client for the current backend, one per (base URL, key fingerprint)."""
    return _client(get_backend())


@st.cache_resource(show_spinner="Loading the model catalog…", ttl=3600)
def _catalog_for(base_url: str, key_fingerprint: str, _client: anthropic.Anthropic) -> Catalog:
    return fetch_catalog(_client)


def get_catalog() -> Catalog:
    """The model catalog, listed once per client (and hour); the offline file if listing fails."""
    backend, problem = backend_or_error()
    if backend is None:
        return offline_catalog(error=problem)
    return _catalog_for(backend.base_url, backend.key_fingerprint, _client(backend))


def default_model_id() -> str:
    """The model a new prompt starts with (the core's rule, applied to this backend's catalog)."""
    return models.default_model_id(get_catalog())


@st.cache_resource(show_spinner=False)
def _prices_from(path: str | None, modified_ns: int) -> PriceTable:
    return load_price_table(path)


def get_prices() -> PriceTable:
    """The price table ($WORKBENCH_PRICES or the bundled file), reloaded when the file changes."""
    override = os.environ.get("WORKBENCH_PRICES") or None
    path = Path(override) if override else DEFAULT_PRICE_FILE
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError:
        modified_ns = 0  # load_price_table reports the missing file
    return _prices_from(override, modified_ns)


@st.cache_resource(show_spinner=False)
def _usage_log_at(path: str) -> UsageLog:
    # UsageLog opens a connection per call, so one object may serve every session and thread.
    return UsageLog(path)


def get_usage_log() -> UsageLog:
    """The call log under WORKBENCH_HOME."""
    return _usage_log_at(str(call_log_path()))


@st.cache_resource(show_spinner=False)
def _token_counter_for(base_url: str, key_fingerprint: str, _client: anthropic.Anthropic) -> TokenCounter:
    return TokenCounter(_client)


def _token_counter(backend: Backend) -> TokenCounter:
    return _token_counter_for(backend.base_url, backend.key_fingerprint, _client(backend))


def get_token_counter() -> TokenCounter:
    """One TokenCounter per client, so its per-request cache survives reruns and page switches."""
    return _token_counter(get_backend())


def token_counter_or_reason() -> tuple[TokenCounter | None, str | None]:
    """The TokenCounter, or None and the backend's configuration problem (previews then estimate)."""
    backend, problem = backend_or_error()
    return (None, problem) if backend is None else (_token_counter(backend), None)


@st.cache_data(show_spinner=False, max_entries=16)
def _prompt_file(path: str, modified_ns: int, size: int) -> PromptSpec:
    return load_prompt(path)


def load_saved_prompt(path: Path) -> PromptSpec:
    """A saved prompt file, read and validated once per change (not on every rerun of the page).

    Raises PromptFileError like load_prompt; a failure is not cached.
    """
    try:
        stat = path.stat()
    except OSError:
        return load_prompt(path)  # it reports the missing file
    return _prompt_file(str(path), stat.st_mtime_ns, stat.st_size)


# --- the current prompt -----------------------------------------------------------------------------

def current_prompt() -> PromptSpec:
    """The prompt being edited (non-widget state, so it survives page switches)."""
    setup_state()
    return st.session_state["prompt"]


def set_current_prompt(spec: PromptSpec) -> None:
    """Replace the prompt being edited; widgets pick the new values up on the next render."""
    st.session_state["prompt"] = spec
    autosave_draft()


def replace_prompt(spec: PromptSpec) -> None:
    """Switch to a different prompt (new, loaded, uploaded): its variable defaults become the values."""
    st.session_state["prompt"] = spec
    st.session_state["variable_values"] = copy.deepcopy(dict(spec.variables))
    st.session_state["editor_last_run"] = None
    st.session_state["editor_input_errors"] = {}
    st.session_state["editor_drafts"] = {}
    st.session_state["editor_overwrite_pending"] = None
    st.session_state["editor_file_name"] = None
    # Called from callbacks (before widgets render): the JSON view shows the new prompt, not old typing.
    st.session_state.pop("editor_raw_json", None)
    autosave_draft()


def variable_values() -> dict[str, str]:
    """Values typed for {{variables}} (non-widget state); change them with set_variable_value."""
    setup_state()
    return st.session_state["variable_values"]


def set_variable_value(name: str, text: str) -> None:
    """Record the value typed for {{name}}; an empty box means "not filled in", so a run names it."""
    values = variable_values()
    if text:
        values[name] = text
    else:
        values.pop(name, None)
    autosave_draft()


def autosave_draft() -> None:
    """Write the prompt and values to WORKBENCH_HOME's draft if they changed since the last write.

    Every change to the prompt or the values goes through here (set_current_prompt, replace_prompt,
    set_variable_value), so a reload (a new session) loses nothing; an unchanged pair is not rewritten.
    """
    spec = st.session_state["prompt"]
    values = st.session_state.get("variable_values") or {}
    fingerprint = drafts.draft_fingerprint(spec, values)
    if fingerprint == st.session_state.get("draft_fingerprint"):
        return
    try:
        drafts.save_draft(spec, values)
    except (ValueError, OSError) as error:
        # Not written: the last good draft stays; the next change tries again. Said once per problem.
        problem = f"The draft could not be autosaved, so a reload would lose the latest changes: {error}"
        if st.session_state.get("draft_problem") != problem:
            st.session_state["draft_problem"] = problem
            add_notice("warning", problem)
        return
    st.session_state["draft_fingerprint"] = fingerprint
    st.session_state["draft_problem"] = None


def add_notice(kind: str, text: str) -> None:
    """Queue a one-shot message (success/info/warning/error) for the next render of the page."""
    st.session_state.setdefault("editor_notices", []).append((kind, text))


def pop_notices() -> list[tuple[str, str]]:
    """Take the queued one-shot messages."""
    notices = list(st.session_state.get("editor_notices") or [])
    st.session_state["editor_notices"] = []
    return notices
