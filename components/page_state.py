"""Each page's session state as one typed object under one session key, and each page's widget keys.

Widget state is dropped while its widget is not rendered (another page is shown), so what must
survive lives in these objects and is copied into the widgets on every render. The widget keys
are named here, once: components take them from here, and tests find widgets by them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.codegen import LANGUAGES
from workbench.drafts import new_tab_id
from workbench.spec import PromptSpec
from workbench.tool_form import new_tool

EDITOR_STATE_KEY = "editor"
COMPARE_STATE_KEY = "compare"
TOOLS_STATE_KEY = "tools"


@dataclass
class ToolSlot:
    """A tool being built (the API's tool object) and what the last inference could not work out."""

    tool: dict = field(default_factory=new_tool)
    infer_notes: list[str] = field(default_factory=list)


@dataclass
class EditorState:
    """The Editor's session: the prompt being edited (Compare can use it too) and everything around it."""

    # The prompt being edited; survives page switches.
    prompt: PromptSpec
    # Values typed for {{variables}}: name -> text.
    variable_values: dict[str, str] = field(default_factory=dict)
    # Last run (a RunResult), for the results panel and "continue".
    last_run: Any = None
    # Set by callbacks (send tool results, continue) to run the prompt in the next script run.
    run_requested: bool = False
    # Widget key -> why its typed text (raw request JSON, output schema, headers) was not applied.
    input_errors: dict[str, str] = field(default_factory=dict)
    # Widget key -> text typed but not yet in the prompt (raw JSON, schema, next message).
    drafts: dict[str, str] = field(default_factory=dict)
    # Widget key -> (the value fill() replaced in it, when): the browser may still send that value
    # back for a moment, and it is not an edit (see widget_sync.is_stale_echo).
    replaced_values: dict[str, tuple[Any, float]] = field(default_factory=dict)
    # File name a Save would replace, waiting for the user to confirm (another prompt's file).
    overwrite_pending: str | None = None
    # The saved file this prompt was opened from or last saved to (re-saving it needs no confirm).
    file_name: str | None = None
    # One-shot messages for the next render: (kind, text), kind in success/info/warning/error.
    notices: list[tuple[str, str]] = field(default_factory=list)
    # Extra HTTP headers for runs (e.g. anthropic-beta); not part of the prompt file.
    extra_headers: dict[str, str] = field(default_factory=dict)
    # The "Live token count" switch; kept here so a visit to another page doesn't reset it.
    live_count_on: bool = True
    # Texts the Request JSON view has shown: a widget value among them is a stale copy, not an edit.
    raw_json_shown: list[str] = field(default_factory=list)
    # Fingerprint of the prompt and values last written to the autosaved draft (write only on change).
    draft_fingerprint: str | None = None
    # Why the last autosave failed (said once, not on every edit); None once a write succeeds.
    draft_problem: str | None = None
    # Sentence the sidebar shows after the API refused the key (set by the first failing run).
    backend_problem: str | None = None
    # The tool being built in the Tools section's own builder, before it is added to the prompt.
    tool_builder: ToolSlot = field(default_factory=ToolSlot)
    # This browser tab's draft id (also in the URL as ?draft=), so tabs never overwrite each other.
    draft_tab: str = field(default_factory=new_tab_id)
    # Whether this session has looked up the prompt's last logged reply (once, after a reload).
    last_run_restored: bool = False
    # A run whose page run was stopped by a click (Streamlit started the next run beside it): its
    # call is still being read to its end, undrawn, and becomes last_run (see run_view.stream_into).
    run_in_flight: bool = False
    # "Stop reply" was clicked for that run: its call is cut off (logged as cancelled).
    stop_requested: bool = False


@dataclass
class CompareState:
    """The Compare page's session: its choices (re-filled into widgets on every render) and last results."""

    prompt_choice: str = "The Editor's current prompt"  # or "A saved prompt file"
    prompt_file_name: str | None = None  # file name under WORKBENCH_HOME/prompts
    picked_models: list[str] | None = None  # None = the default line-up
    model_overrides: dict[str, Any] = field(default_factory=dict)  # model id -> compare.ModelOverrides
    overrides_basis: str | None = None  # hash of the prompt settings the overrides start from
    variable_values: dict[str, str] = field(default_factory=dict)  # {{variable}} values for side-by-side runs
    count_tokens_on: bool = True
    repeat_count: int = 1
    concurrency_limit: int = 4
    run_outcome: dict | None = None  # {"outcome", "summary", "prompt_name"} of the last side-by-side run
    cases_table: dict | None = None  # {"columns": [...], "rows": [...]}: the table the editor starts from
    cases_edited: dict | None = None  # the same shape, as last edited
    cases_upload_id: str | None = None  # file_id of the CSV already loaded (load it once)
    matrix_outcome: dict | None = None  # {"outcome", "summary", "prompt_name"} of the last matrix
    batch_repeats: int = 1  # repeats per cell of a batch
    batch_shown: str | None = None  # id of the batch whose results are shown
    batch_notice: str | None = None  # "submitted ..." said once after the rerun
    batch_cancel_problems: dict[str, str] = field(default_factory=dict)  # batch id -> why Cancel failed
    batch_outcomes: dict = field(default_factory=dict)  # (batch id, results logged) -> {"outcome", "summary", ...}
    batch_plan: dict = field(default_factory=dict)  # {"key", "plan", "problem", "projection"}: built once per change


@dataclass(frozen=True)
class ExportKeys:
    """The widget keys of one Export code panel: the Editor has one, each Compare column one, a logged call one."""

    stem: str

    @property
    def open(self) -> str:
        return f"{self.stem}_export_open"

    @property
    def stream(self) -> str:
        return f"{self.stem}_export_stream"

    @property
    def keep_variables(self) -> str:
        return f"{self.stem}_export_keep_variables"

    def download(self, language: str) -> str:
        return f"{self.stem}_export_download_{language}"

    def all(self) -> list[str]:
        return [self.open, self.stream, self.keep_variables, *(self.download(language) for language in LANGUAGES)]


@dataclass
class ToolsState:
    """The Tools page's session: the tool being built, the proof settings, and the last results."""

    builder: ToolSlot = field(default_factory=ToolSlot)
    models: list[str] | None = None  # None: the default line-up
    tool_choice: str = "auto"  # auto / any / tool (the tool being built) / none
    structured_fallback: bool = True  # ask models that refuse forced tool use for structured output
    max_tokens: int = 1024
    message: str = "What's the weather like in Paris today?"
    samples: str = ""  # the matrix's sample user messages, one per line
    concurrency: int = 4
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (model, why) of the last try or matrix
    tries: list[Any] = field(default_factory=list)  # components.tools_page.TryRun of the last "Try it"
    matrix: Any = None  # workbench.tool_trials.MatrixOutcome of the last matrix
    notices: list[tuple[str, str]] = field(default_factory=list)  # one-shot messages for the next render
    delete_pending: str | None = None  # path of the library file a Delete waits to have confirmed


@dataclass(frozen=True)
class BuilderKeys:
    """The widget keys of one tool builder (the Tools page has one, the Editor's Tools section another)."""

    name: str
    description: str
    strict: str
    json: str
    infer_source: str
    infer_text: str
    infer_function: str
    infer: str

    @classmethod
    def named(cls, base: str) -> "BuilderKeys":
        return cls(name=f"{base}_f_name", description=f"{base}_f_description", strict=f"{base}_f_strict",
                   json=f"{base}_json", infer_source=f"{base}_infer_source", infer_text=f"{base}_infer_text",
                   infer_function=f"{base}_infer_function", infer=f"{base}_infer")

    @property
    def base(self) -> str:
        return self.json.removesuffix("_json")

    def param(self, path: tuple[str, ...], part: str) -> str:
        """A parameter's widget (name, kind, required, remove, description, default, enum, items,
        a constraint keyword, box) by its path; `add` under a path (() is the top level)."""
        return f"{self.base}_p_{'/'.join(path)}_{part}"


class ToolsKeys:
    """Every widget key of the Tools page."""

    BUILDER = BuilderKeys.named("tools_b")
    LIBRARY_PICK = "tools_library_pick"
    OPEN = "tools_open"
    DELETE = "tools_delete"
    DELETE_CONFIRM = "tools_delete_confirm"
    DELETE_CANCEL = "tools_delete_cancel"
    NEW = "tools_new"
    SAVE = "tools_save"
    DOWNLOAD = "tools_download"
    ATTACH = "tools_attach"
    UPLOAD = "tools_upload"
    MODELS = "tools_models"
    TOOL_CHOICE = "tools_tool_choice"
    STRUCTURED_FALLBACK = "tools_structured_fallback"
    MAX_TOKENS = "tools_max_tokens"
    MESSAGE = "tools_message"
    TRY = "tools_try"
    SAMPLES = "tools_samples"
    CONCURRENCY = "tools_concurrency"
    RUN_MATRIX = "tools_run_matrix"
    MATRIX_GRID = "tools_matrix_grid"
    GRID = "tools_grid"
    DOWNLOAD_MATRIX = "tools_download_matrix"

    @staticmethod
    def try_run(index: int, part: str = "") -> str:
        """One model's answer in "Try it" (""), or its close-the-loop widgets: send, result_N, result_N_is_error."""
        return f"tools_try_{index}" + (f"_{part}" if part else "")


class EditorKeys:
    """Every widget key of the Editor page."""

    PREFIX = "editor"
    PROMPT_NAME = "editor_prompt_name"
    SAVE = "editor_save"
    DOWNLOAD = "editor_download"
    OPEN_CHOICE = "editor_open_choice"
    OPEN = "editor_open"
    UPLOAD = "editor_upload"
    NEW = "editor_new"
    REPLACE_FILE = "editor_replace_file"
    KEEP_FILE = "editor_keep_file"
    MODEL = "editor_model"
    MAX_TOKENS = "editor_max_tokens"
    SETTINGS_OPEN = "editor_settings_open"  # the "Thinking, effort, …" expander (built only while open)
    THINKING = "editor_thinking"
    THINKING_BUDGET = "editor_thinking_budget"
    EFFORT = "editor_effort"
    STOP_SEQUENCES = "editor_stop_sequences"
    SCHEMA_ON = "editor_schema_on"
    SCHEMA = "editor_schema"
    TEMPERATURE = "editor_temperature"
    TEMPERATURE_ON = "editor_temperature_on"
    TOP_P = "editor_top_p"
    TOP_P_ON = "editor_top_p_on"
    TOP_K = "editor_top_k"
    TOP_K_ON = "editor_top_k_on"
    EXTRA_HEADERS = "editor_extra_headers_text"
    EXTRA_HEADERS_REFUSED = "editor_extra_headers_text_refused"  # an input-error slot, not a widget
    SYSTEM = "editor_system"
    SYSTEM_CACHE = "editor_system_cache"
    TOOLS_CACHE = "editor_tools_cache"
    ADD_TURN = "editor_add_turn"
    TABS = "editor_tabs"  # Prompt | Request JSON; keyed so a notice above does not reset it
    RAW_JSON = "editor_raw_json"
    APPLY_JSON = "editor_apply_json"
    DISCARD_JSON = "editor_discard_json"
    LIVE_COUNT = "editor_live_count"
    RUN = "editor_run"
    STOP_RUN = "editor_stop_run"
    NEXT_USER_TEXT = "editor_next_user_text"
    CONTINUE = "editor_continue"
    TOOL_RESULTS_FORM = "editor_tool_results_form"
    TOOL_BUILDER = BuilderKeys.named("editor_nt")
    ADD_TOOL_OPEN = "editor_add_tool_open"  # the "Add a tool" expander (built only while open)
    TOOL_LIBRARY_PICK = "editor_library_tool"
    ADD_LIBRARY_TOOL = "editor_add_library_tool"
    ADD_BUILT_TOOL = "editor_add_built_tool"
    TOOL_CHOICE = "editor_tool_choice"
    STRUCTURED_TOOL = "editor_structured_tool"
    STRUCTURED_INSTEAD = "editor_structured_instead"
    SEND_TOOL_RESULTS = "editor_send_tool_results"
    EXPORT = ExportKeys("editor")
    HISTORY_TABLE = "editor_history_table"
    HISTORY_PICK = "editor_history_pick"
    HISTORY_RESTORE = "editor_history_restore"
    HISTORY_COMPARE = "editor_history_compare"

    @staticmethod
    def turn(index: int, part: str = "") -> str:
        """A turn's container ("") or one of its widgets: role, text, cache, up, down, remove."""
        return f"editor_turn_{index}" + (f"_{part}" if part else "")

    @staticmethod
    def variable(name: str) -> str:
        return f"editor_var_{name}"

    @staticmethod
    def sampling(name: str, part: str = "") -> str:
        """A sampling parameter's value ("") or its switch ("on"): temperature, top_p, top_k."""
        return {("temperature", ""): EditorKeys.TEMPERATURE, ("temperature", "on"): EditorKeys.TEMPERATURE_ON,
                ("top_p", ""): EditorKeys.TOP_P, ("top_p", "on"): EditorKeys.TOP_P_ON,
                ("top_k", ""): EditorKeys.TOP_K, ("top_k", "on"): EditorKeys.TOP_K_ON}[(name, part)]

    @staticmethod
    def tool(index: int, part: str = "") -> str:
        """An attached tool's row (""), or its "edit" / "remove" button."""
        return f"editor_tool_{index}" + (f"_{part}" if part else "")

    @staticmethod
    def tool_result(index: int, part: str) -> str:
        """One tool_result answer's widget: content, format or is_error."""
        return f"editor_tool_result_{index}_{part}"


@dataclass(frozen=True)
class GridKeys:
    """The widget keys of one test-case results grid (Compare shows a live one and a batch's)."""

    section: str
    table: str
    download: str


class CompareKeys:
    """Every widget key of the Compare page (containers the browser tests find included)."""

    PROMPT_SOURCE = "compare_prompt_source"
    PROMPT_FILE = "compare_prompt_file"
    MODELS = "compare_models"
    COUNT_TOKENS = "compare_count_tokens"
    CONCURRENCY = "compare_concurrency"
    REPEAT = "compare_repeat"
    RUN = "compare_run"
    LATENCY_SECTION = "compare_latency_section"
    COST_SECTION = "compare_cost_section"
    STATS_TABLE = "compare_stats_table"
    LATENCY_CHART = "compare_latency_chart"
    COST_TABLE = "compare_cost_table"
    RUNS_TABLE = "compare_runs_table"
    BROWSE_MODEL = "compare_browse_model"
    BROWSE_REPEAT = "compare_browse_repeat"
    CASES_EDITOR = "compare_cases_editor"
    CASES_UPLOAD = "compare_cases_upload"
    CASES_RESET = "compare_cases_reset"
    RUN_MATRIX = "compare_run_matrix"
    LIVE_GRID = GridKeys("compare_grid_section", "compare_grid", "compare_download_grid")
    BATCH_GRID = GridKeys("compare_batch_grid_section", "compare_batch_grid", "compare_batch_download_grid")
    BATCH_REPEATS = "compare_batch_repeats_input"
    RUN_BATCH = "compare_run_batch"
    BATCH_RESULTS = "compare_batch_results"

    @staticmethod
    def batch_row(batch_id: str, part: str = "") -> str:
        """One batch's row container (""), or its "cancel" / "show" button."""
        return f"batch_{part or 'row'}_{batch_id}"

    @staticmethod
    def variable(name: str) -> str:
        return f"compare_var_{name}"

    @staticmethod
    def export(model: str) -> ExportKeys:
        """The Export code panel in a model's column."""
        return ExportKeys(f"compare_column_{model}")

    @staticmethod
    def override(setting: str, model: str, basis: str | None) -> str:
        """A model's override widget (max_tokens, effort, thinking, budget). The key names the prompt
        settings it starts from, so a changed prompt gets fresh widgets instead of stale values."""
        return f"compare_{setting}_{model}_{(basis or '')[:8]}"


class UsageKeys:
    """Every widget key of the Usage page."""

    RANGE = "usage_range"
    DATES = "usage_dates"
    MODELS = "usage_models"
    SOURCES = "usage_sources"
    PROMPTS = "usage_prompts"
    OUTCOMES = "usage_outcomes"
    REPRICE = "usage_reprice"
    REPRICE_TABLE = "usage_reprice_table"
    CHART_TOKENS = "usage_chart_tokens"
    CHART_COST = "usage_chart_cost"
    CHART_LATENCY = "usage_chart_latency"
    CHART_ERRORS = "usage_chart_errors"
    PAGE = "usage_page"
    CALLS = "usage_calls"
    OPEN = "usage_open"
    CSV = "usage_csv"
    JSONL = "usage_jsonl"
    CLEAR_SCOPE = "usage_clear_scope"
    CLEAR_CONFIRM = "usage_clear_confirm"
    CLEAR = "usage_clear"
    EXPORT = ExportKeys("usage_call")
