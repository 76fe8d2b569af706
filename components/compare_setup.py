"""Compare page, top half: which prompt, which models, per-model settings, tokens and projected cost."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from pathlib import Path

import streamlit as st

from components import session
from workbench import compare
from workbench.compare_stats import ProjectedCost, format_usd, projected_cost
from workbench.models import Catalog, ModelEntry
from workbench.paths import prompts_dir
from workbench.spec import PromptFileError, PromptSpec, load_prompt, request_hash
from workbench.templating import MissingVariableError, find_variables, substitute

EDITOR_SOURCE = "The Editor's current prompt"
FILE_SOURCE = "A saved prompt file"
PROMPT_SETTING = "prompt's setting"
# Thinking types a request can ask for (capabilities also list 'between_tools', a behaviour).
REQUESTABLE_THINKING = ("adaptive", "enabled", "disabled")
DEFAULT_THINKING_BUDGET = 2048


@dataclass
class ModelSetup:
    """What the page knows about one picked model before running."""

    entry: ModelEntry
    overrides: compare.ModelOverrides
    problems: list[str]
    card: Any = None  # the model's bordered container, so the projection lands in the same card


def _seed(widget_key: str, value) -> None:
    """Fill a widget from its persisted value when the widget has no state (first render, or page return)."""
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value


def render_prompt_source() -> PromptSpec | None:
    """Pick the Editor's prompt or a saved file; returns the spec, or None with the reason shown."""
    _seed("compare_prompt_source", st.session_state["compare_prompt_choice"])
    files = sorted(path.name for path in prompts_dir().glob("*.prompt.json"))
    left, right = st.columns([1, 2])
    source = left.radio("Prompt", [EDITOR_SOURCE, FILE_SOURCE], key="compare_prompt_source", horizontal=False)
    st.session_state["compare_prompt_choice"] = source
    if source == EDITOR_SOURCE:
        spec = session.current_prompt()
        right.markdown(f"**{spec.name}** · from the Editor")
        right.caption(_prompt_preview(spec))
        empty = compare.empty_prompt_problem(spec.request)
        if empty:
            right.info(empty, icon=":material/edit_note:")
        return spec
    if not files:
        right.info(f"No saved prompts in {prompts_dir()}. Save one from the Editor, or use the Editor's prompt.")
        return None
    _seed("compare_prompt_file", st.session_state["compare_prompt_file_name"] or files[0])
    if st.session_state["compare_prompt_file"] not in files:
        st.session_state["compare_prompt_file"] = files[0]
    name = right.selectbox("Saved prompt", files, key="compare_prompt_file")
    st.session_state["compare_prompt_file_name"] = name
    try:
        spec = load_prompt(Path(prompts_dir()) / name)
    except (PromptFileError, OSError) as error:
        right.error(f"Cannot use this file: {error}")
        return None
    right.caption(_prompt_preview(spec))
    empty = compare.empty_prompt_problem(spec.request)
    if empty:
        right.info(empty, icon=":material/edit_note:")
    return spec


def _prompt_preview(spec: PromptSpec) -> str:
    """The first user text of the prompt, shortened, for a caption."""
    for message in spec.request.get("messages", []):
        content = message.get("content")
        text = content if isinstance(content, str) else " ".join(
            block.get("text", "") for block in content if isinstance(block, dict)
        )
        if text.strip():
            return (text[:160] + "…") if len(text) > 160 else text
    return "(no text)"


def render_variable_values(spec: PromptSpec) -> dict[str, str]:
    """Inputs for the prompt's {{variables}} (side-by-side runs); pre-filled from the Editor."""
    names = find_variables(spec.request)
    if not names:
        return {}
    remembered = st.session_state["compare_variable_values"]
    editor_values = session.variable_values() if st.session_state["compare_prompt_choice"] == EDITOR_SOURCE else {}
    values = {}
    for name in names:
        _seed(f"compare_var_{name}", remembered.get(name, editor_values.get(name, spec.variables.get(name, ""))))
    unfilled_before = compare.unfilled_variables(
        spec, {name: st.session_state[f"compare_var_{name}"] for name in names})
    with st.expander(f"Variables ({', '.join(names)})", expanded=bool(unfilled_before)):
        columns = st.columns(min(len(names), 3))
        for position, name in enumerate(names):
            values[name] = columns[position % len(columns)].text_input(
                name, key=f"compare_var_{name}",
                placeholder=f"default: {spec.variables[name]}" if spec.variables.get(name) else "needs a value",
            )
        unfilled = compare.unfilled_variables(spec, values)
        if unfilled:
            st.caption(f"No value yet for {', '.join(unfilled)}: side-by-side runs need one "
                       "(test cases bring their own).")
    st.session_state["compare_variable_values"] = {**remembered, **values}
    return values


def model_label(catalog: Catalog, model_id: str) -> str:
    entry = catalog.get(model_id)
    if entry is None:
        return model_id
    suffix = " (deprecated)" if entry.lifecycle == "deprecated" else ""
    return f"{entry.display_name}{suffix}"


def render_model_picker(catalog: Catalog) -> list[str]:
    """Multiselect of 2–4 models; defaults to the newest model of each tier."""
    choices = [entry.id for entry in catalog.active_models()]
    if st.session_state["compare_picked_models"] is None:
        st.session_state["compare_picked_models"] = compare.default_models(catalog)
    _seed("compare_models", [model for model in st.session_state["compare_picked_models"] if model in choices])
    picked = st.multiselect(
        "Models (2 to 4)",
        choices,
        key="compare_models",
        max_selections=compare.MAX_MODELS,
        format_func=lambda model_id: model_label(catalog, model_id),
        help=f"Catalog: {catalog.source_label}",
    )
    st.session_state["compare_picked_models"] = list(picked)
    for problem in compare.selection_problems(picked, catalog):
        st.warning(problem[0].upper() + problem[1:] + ".")
    return list(picked)


def render_model_settings(spec: PromptSpec, models: list[str], catalog: Catalog) -> dict[str, ModelSetup]:
    """One column per model: overrides within what the model supports, and what it would reject."""
    setups: dict[str, ModelSetup] = {}
    if not models:
        return setups
    _forget_overrides_if_prompt_settings_changed(spec, catalog)
    remembered: dict = st.session_state["compare_model_overrides"]
    for column, model in zip(st.columns(len(models)), models):
        entry = catalog.get(model)
        if entry is None:
            continue
        card = column.container(border=True)
        with card:
            st.markdown(f"**{model_label(catalog, model)}**")
            st.caption(f"`{entry.id}` · max output {entry.max_tokens or 0:,} · context {entry.max_input_tokens or 0:,}")
            note = compare.lifecycle_note(entry)
            if note:
                st.warning(note, icon=":material/schedule:")
            overrides = _render_overrides(spec, entry, remembered.get(model))
            remembered[model] = overrides
            problems = compare.model_problems(spec.request, model, overrides, catalog)
            for problem in problems:
                st.error(problem, icon="⛔")
        setups[model] = ModelSetup(entry, overrides, problems, card)
    st.session_state["compare_model_overrides"] = remembered
    return setups


OVERRIDE_WIDGET_PREFIXES = ("compare_max_tokens_", "compare_effort_", "compare_thinking_", "compare_budget_")


def _forget_overrides_if_prompt_settings_changed(spec: PromptSpec, catalog: Catalog) -> None:
    """Overrides start from the prompt's own settings: another prompt (or edited settings) resets them."""
    basis = request_hash({name: spec.request.get(name) for name in ("max_tokens", "thinking", "output_config")})
    if st.session_state["compare_overrides_basis"] == basis:
        return
    st.session_state["compare_overrides_basis"] = basis
    st.session_state["compare_model_overrides"] = {}
    # Assign the new defaults rather than deleting the keys: a widget whose state is deleted
    # while it is on screen comes back with the browser's stale value.
    for key in [key for key in st.session_state if str(key).startswith(OVERRIDE_WIDGET_PREFIXES)]:
        prefix = next(prefix for prefix in OVERRIDE_WIDGET_PREFIXES if str(key).startswith(prefix))
        entry = catalog.get(str(key).removeprefix(prefix))
        if prefix == "compare_max_tokens_" and entry is not None:
            st.session_state[key] = _default_max_tokens(spec, entry)
        elif prefix == "compare_budget_":
            st.session_state[key] = DEFAULT_THINKING_BUDGET
        else:
            st.session_state[key] = PROMPT_SETTING


def _default_max_tokens(spec: PromptSpec, entry: ModelEntry) -> int:
    limit = entry.max_tokens or 1_000_000
    return min(compare.default_overrides(spec.request, entry).max_tokens or 1024, limit)


def _render_overrides(spec: PromptSpec, entry: ModelEntry, saved: compare.ModelOverrides | None) -> compare.ModelOverrides:
    """max_tokens (bounded by the model), effort and thinking only where the model supports them."""
    saved = saved or compare.default_overrides(spec.request, entry)
    model = entry.id
    limit = entry.max_tokens or 1_000_000
    _seed(f"compare_max_tokens_{model}", min(saved.max_tokens or _default_max_tokens(spec, entry), limit))
    max_tokens = st.number_input("max_tokens", min_value=1, max_value=limit, step=256, key=f"compare_max_tokens_{model}")
    effort = None
    if entry.effort_levels:
        _seed(f"compare_effort_{model}", saved.effort or PROMPT_SETTING)
        choice = st.selectbox("Effort", [PROMPT_SETTING, *entry.effort_levels], key=f"compare_effort_{model}")
        effort = None if choice == PROMPT_SETTING else choice
    thinking = None
    thinking_types = [kind for kind in REQUESTABLE_THINKING if kind in entry.thinking_types]
    if thinking_types:
        saved_type = (saved.thinking or {}).get("type", PROMPT_SETTING)
        _seed(f"compare_thinking_{model}", saved_type if saved_type in thinking_types else PROMPT_SETTING)
        kind = st.selectbox("Thinking", [PROMPT_SETTING, *thinking_types], key=f"compare_thinking_{model}")
        if kind == "enabled":
            _seed(f"compare_budget_{model}", (saved.thinking or {}).get("budget_tokens", DEFAULT_THINKING_BUDGET))
            budget = st.number_input("Thinking budget", min_value=1, step=512, key=f"compare_budget_{model}")
            thinking = {"type": "enabled", "budget_tokens": int(budget)}
        elif kind != PROMPT_SETTING:
            thinking = {"type": kind}
    return compare.ModelOverrides(max_tokens=int(max_tokens), effort=effort, thinking=thinking)


def render_count_toggle() -> bool:
    """The switch for counting input tokens per model (an API call per changed request)."""
    _seed("compare_count_tokens", st.session_state["compare_count_tokens_on"])
    counting = st.toggle(
        "Count input tokens per model and project the cost (count_tokens, cached per request)",
        key="compare_count_tokens",
    )
    st.session_state["compare_count_tokens_on"] = counting
    return counting


def render_projection(spec: PromptSpec, values: dict[str, str], setups: dict[str, ModelSetup]) -> None:
    """In each model's card: exact input tokens (count_tokens; tokenizers differ) and projected cost."""
    if not setups or compare.empty_prompt_problem(spec.request):
        return
    try:
        template = substitute(spec.request, compare.run_values(spec, values))
        placeholders = False
    except MissingVariableError:
        template = spec.request  # count the text as written; the caption says so
        placeholders = True
    counter = session.get_token_counter()
    prices = session.get_prices()
    last_run = st.session_state["compare_run_outcome"]
    for model, setup in setups.items():
        request = compare.request_for_model(template, model, setup.overrides)
        count = counter.count(request)
        typical = _measured_output_mean(last_run, model)
        projection = projected_cost(model, count, setup.overrides.max_tokens or 0, prices, typical_output_tokens=typical)
        _render_projection(setup.card, projection, count.label, placeholders)


def _measured_output_mean(last_run, model: str) -> float | None:
    if not last_run or model not in last_run["summary"].stats:
        return None
    return last_run["summary"].stats[model].output_tokens_mean


def _render_projection(card, projection: ProjectedCost, count_label: str, placeholders: bool) -> None:
    with card:
        st.divider()
        st.metric("Input tokens", f"{projection.input_tokens:,}", help=count_label)
        if not projection.input_exact or placeholders:
            st.caption(count_label + (" · with {{placeholders}} unfilled" if placeholders else ""))
        if projection.input_only_usd is None:
            st.caption(f"Projected cost unknown: {projection.note}")
            return
        if projection.typical_usd is not None:
            st.metric(
                "Projected per call",
                format_usd(projection.typical_usd),
                help=f"at the measured mean of {projection.typical_output_tokens:,.0f} output tokens",
            )
            st.caption(f"≈ {format_usd(projection.per_1000(projection.typical_usd))} per 1,000 calls")
        else:
            st.metric(
                "Projected per call",
                f"≤ {format_usd(projection.at_max_tokens_usd)}",
                help="a reply that uses all of max_tokens; an empty reply costs the input alone. "
                "Run once for a figure at the measured output length.",
            )
            st.caption(
                f"from {format_usd(projection.input_only_usd)} (input only) · per 1,000 calls: "
                f"{format_usd(projection.per_1000(projection.input_only_usd))} – "
                f"{format_usd(projection.per_1000(projection.at_max_tokens_usd))}"
            )
