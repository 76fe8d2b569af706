"""Session state and the shared resources every page uses (backend, client, catalog, prices, log)."""
from __future__ import annotations

import copy
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.page_state import (
    COMPARE_STATE_KEY, EDITOR_STATE_KEY, TOOLS_STATE_KEY, CompareState, EditorKeys, EditorState, ToolsState,
)
from workbench.backend import Backend, BackendConfigError, make_client, resolve_backend
from workbench import drafts, models, run_history
from workbench.models import Catalog, fetch_catalog, offline_catalog
from workbench.paths import call_log_path
from workbench.pricing import DEFAULT_PRICE_FILE, PriceTable, load_price_table
from workbench.spec import PromptSpec, load_prompt, new_prompt
from workbench.tokens import TokenCounter
from workbench.usage_log import UsageLog, UsageLogTooNew

if TYPE_CHECKING:  # the SDK is loaded by the first call, after the Editor's form is on screen
    import anthropic

# The URL query parameter naming a tab's draft.
DRAFT_TAB_PARAM = "draft"
# Settings the backend reads; only these are taken from st.secrets.
BACKEND_SETTINGS = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "WORKBENCH_BACKEND", "WORKBENCH_SIMULATOR_SPEED")


def setup_state() -> None:
    """Give each page its state object, once; later calls change nothing."""
    if EDITOR_STATE_KEY not in st.session_state:
        st.session_state[EDITOR_STATE_KEY] = _editor_state_from_draft()  # a new session (a reload)
    if COMPARE_STATE_KEY not in st.session_state:
        st.session_state[COMPARE_STATE_KEY] = CompareState()
    if TOOLS_STATE_KEY not in st.session_state:
        st.session_state[TOOLS_STATE_KEY] = ToolsState()


def keep_draft_in_url() -> None:
    """The Editor's URL names this tab's draft, so a reload of the tab finds it again.

    Only the Editor sets it: setting a query parameter on the run right after a page switch raced
    with the first edits on the new page (the Tools page lost them).
    """
    tab = editor_state().draft_tab
    if st.query_params.get(DRAFT_TAB_PARAM) != tab:
        st.query_params[DRAFT_TAB_PARAM] = tab


def editor_state() -> EditorState:
    """The Editor's state (the prompt being edited, its values, last run, ...)."""
    setup_state()
    return st.session_state[EDITOR_STATE_KEY]


def compare_state() -> CompareState:
    """The Compare page's state (its choices and last results)."""
    setup_state()
    return st.session_state[COMPARE_STATE_KEY]


def tools_state() -> ToolsState:
    """The Tools page's state (the tool being built, proof settings and last results)."""
    setup_state()
    return st.session_state[TOOLS_STATE_KEY]


def _editor_state_from_draft() -> EditorState:
    """This tab's draft after a reload, or a copy of the newest draft for a fresh tab; an unreadable one is said once."""
    requested = st.query_params.get(DRAFT_TAB_PARAM)
    known_tab = drafts.is_tab_id(requested)
    own = known_tab and drafts.draft_path(requested).exists()
    # A fresh tab gets its own draft, starting as a copy of the newest: editing it never touches the other tab's.
    tab = requested if known_tab else drafts.new_tab_id()
    try:
        if own:
            draft = drafts.load_draft(requested)
        else:
            drafts.prune_tab_drafts()
            found, newest = drafts.newest_tab()
            draft = drafts.load_draft(newest) if found else None
    except (drafts.DraftError, OSError) as error:
        return EditorState(prompt=new_prompt(default_model_id()), notices=[("warning", str(error))], draft_tab=tab)
    if draft is None:
        return EditorState(prompt=new_prompt(default_model_id()), draft_tab=tab)
    state = EditorState(prompt=draft.spec, variable_values=dict(draft.values), draft_tab=tab)
    if own:  # a copy is written to this tab's own file at its first change
        state.draft_fingerprint = drafts.draft_fingerprint(draft.spec, draft.values)
    if draft.values_problem:
        state.notices.append(("warning", draft.values_problem))
    return state


# --- fast start -------------------------------------------------------------------------------------
# A fresh server's first page run would wait for the SDK import (over a second), the in-process
# simulator, the model listing and the first count before drawing anything. Instead, that run draws
# the Editor's form from the offline catalog (the right column, which needs the backend, says it
# follows) and ends; the loads follow once the browser has drawn the page, and the page is drawn
# again with the real thing.
#
# "Once the browser has drawn it": the SDK import takes a whole core, and on a 2-core machine the
# browser drawing the Editor needs both. Started right after the page was sent (in the same run,
# or on a thread), the import made the first draw about 0.2 s slower (bench/cold_start.py: 1.44x a
# bare app, against 1.29-1.32x this way); so a fragment drawn with the page asks for the loads
# LOADS_AFTER_DRAW_S after the browser got it. An edit sent before then reruns the page as usual
# (still from the offline catalog); one sent while the loads run waits for them, and the redraw
# carries it.
LOADS_AFTER_DRAW_S = 0.3

# Sessions whose first run is being drawn before the slow loads. Kept here rather than in session
# state, which holds one object per page: this belongs to the app's start, not to a page.
_deferred_sessions: set[str] = set()
_started_sessions: set[str] = set()  # sessions begin_start has seen while the process was cold
_process_ready = False  # set once any session has loaded the SDK, backend and catalog


def _session_id() -> str:
    context = get_script_run_ctx()
    return context.session_id if context is not None else ""


def begin_start() -> None:
    """Before the page (app.py): defer the slow loads if this is a browser session's first run in a
    cold process. A run without a browser (AppTest) has no drawing to wait for and loads at once."""
    # Before setup_state, whose new prompt asks the catalog for a default model.
    session = _session_id()
    if not _process_ready and session not in _started_sessions and st.context.headers:
        _started_sessions.add(session)
        defer_loads()


def defer_loads() -> None:
    """Draw this session's page without the SDK, backend and catalog until finish_start has them loaded."""
    _deferred_sessions.add(_session_id())


def starting_up() -> bool:
    """True while the page is drawn before the SDK, backend and catalog are loaded."""
    return _session_id() in _deferred_sessions


def finish_start() -> None:
    """After the page (app.py): have what begin_start deferred loaded once the browser has drawn the page."""
    if starting_up():
        _load_when_drawn()


@st.fragment(run_every=LOADS_AFTER_DRAW_S)
def _load_when_drawn() -> None:
    """Drawn with the page, it draws nothing; its first timed run loads the SDK, the backend and the
    catalog, then draws the whole page again with them (which no longer draws this fragment)."""
    global _process_ready
    context = get_script_run_ctx()
    if context is None or not context.fragment_ids_this_run or not starting_up():
        return  # the page's own run (or a late timer after the loads): nothing to do yet
    backend, _problem = backend_or_error()  # starts the in-process simulator when it is the backend
    if backend is not None:
        _catalog_for(backend.base_url, backend.key_fingerprint, _client(backend))  # imports the SDK
    _process_ready = True
    _deferred_sessions.discard(_session_id())
    st.rerun(scope="app")


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
    """The model catalog, listed once per client (and hour); the offline file if listing fails,
    and while the app is starting (finish_start lists it and draws the page again)."""
    if starting_up():
        return offline_catalog()
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
    """The call log under WORKBENCH_HOME; raises UsageLogTooNew (see usage_log_or_problem)."""
    return _usage_log_at(str(call_log_path()))


def usage_log_or_problem() -> tuple[UsageLog | None, str | None]:
    """The call log, or None and the sentence saying why it can't be used (then nothing may be sent)."""
    try:
        return get_usage_log(), None
    except UsageLogTooNew as error:
        return None, str(error)
    except (OSError, sqlite3.Error) as error:
        return None, (f"The call log under WORKBENCH_HOME can't be used ({error}), so calls would go unrecorded: "
                      "point WORKBENCH_HOME at a writable folder, or move a damaged calls.db aside.")


def open_call_in_editor(record) -> None:
    """Make a logged call's exact request and variable values the Editor's prompt, with its reply shown.

    Raises PromptFileError when the logged request can't be held by a prompt.
    """
    restored = run_history.prompt_from_record(record)
    replace_prompt(restored.spec)
    state = editor_state()
    state.variable_values = dict(restored.values)
    state.last_run = run_history.result_from_record(record)
    autosave_draft()
    add_notice("info", f"Opened call {record.id} ({record.created_at[:19].replace('T', ' ')} UTC) from the call log"
               + ("." if restored.exact else ": the log holds this request as it was sent, without {{variables}}."))


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
    if starting_up():
        return None, "connecting to the backend, the exact count follows"
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
    """The prompt being edited (kept in the Editor's state, so it survives page switches)."""
    return editor_state().prompt


def set_current_prompt(spec: PromptSpec) -> None:
    """Replace the prompt being edited; widgets pick the new values up on the next render."""
    editor_state().prompt = spec
    autosave_draft()


def replace_prompt(spec: PromptSpec) -> None:
    """Switch to a different prompt (new, loaded, uploaded): its variable defaults become the values."""
    state = editor_state()
    state.prompt = spec
    state.variable_values = copy.deepcopy(dict(spec.variables))
    state.last_run = None
    state.input_errors = {}
    state.drafts = {}
    state.overwrite_pending = None
    state.file_name = None
    # Called from callbacks (before widgets render): the JSON view shows the new prompt, not old typing.
    st.session_state.pop(EditorKeys.RAW_JSON, None)
    autosave_draft()


def variable_values() -> dict[str, str]:
    """Values typed for {{variables}}; change them with set_variable_value."""
    return editor_state().variable_values


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
    state = editor_state()
    fingerprint = drafts.draft_fingerprint(state.prompt, state.variable_values)
    if fingerprint == state.draft_fingerprint:
        return
    try:
        drafts.save_draft(state.prompt, state.variable_values, state.draft_tab)
    except (ValueError, OSError) as error:
        # Not written: the last good draft stays; the next change tries again. Said once per problem.
        problem = f"The draft could not be autosaved, so a reload would lose the latest changes: {error}"
        if state.draft_problem != problem:
            state.draft_problem = problem
            add_notice("warning", problem)
        return
    state.draft_fingerprint = fingerprint
    state.draft_problem = None


def add_notice(kind: str, text: str) -> None:
    """Queue a one-shot message (success/info/warning/error) for the next render of the Editor."""
    editor_state().notices.append((kind, text))


def pop_notices() -> list[tuple[str, str]]:
    """Take the queued one-shot messages."""
    state = editor_state()
    notices, state.notices = list(state.notices), []
    return notices
