"""Compare page, top half: which prompt, which models, per-model settings, tokens and projected cost."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from components import session
from components.page_state import CompareKeys as Keys
from workbench import compare, preflight, present, prompt_store
from workbench.compare_stats import ProjectedCost, projected_cost
from workbench.models import Catalog, ModelEntry
from workbench.spec import PromptFileError, PromptSpec, request_hash
from workbench.templating import MissingVariableError, find_variables, substitute
from workbench.tokens import TokenCount, estimate_input_tokens

EDITOR_SOURCE = "The Editor's current prompt"
FILE_SOURCE = "A saved prompt file"
PROMPT_SETTING = "prompt's setting"


@dataclass
class ModelSetup:
    """What the page knows about one picked model before running."""

    entry: ModelEntry
    overrides: compare.ModelOverrides
    problems: list[str]
    card: Any = None  # the model's bordered container, so the projection lands in the same card


# Every widget here starts from a remembered (non-widget) value passed as value=/index=/default=,
# and an on_change callback copies edits back. Widget keys are never assigned: a widget whose state
# Streamlit kept on the server after the browser dropped it (a run that ended mid-render) would be
# drawn with its bare default (max_tokens 1, no models) and the browser would send that back.
# When a remembered value is reset from elsewhere (another prompt's settings), the widget key
# changes with it, so the browser gets a fresh widget rather than keeping the old one.


def as_sentence(problem: str) -> str:
    """A core problem ("pick 2 to 4 models ...") as a sentence for a warning box."""
    return problem[0].upper() + problem[1:] + "."


def remember(widget_key: str, field: str, convert: Callable[[Any], Any] = lambda value: value) -> None:
    """on_change: copy widget `widget_key`'s value to the Compare state's `field`."""
    setattr(session.compare_state(), field, convert(st.session_state[widget_key]))


def render_prompt_source() -> PromptSpec | None:
    """Pick the Editor's prompt or a saved file; returns the spec, or None with the reason shown."""
    left, right = st.columns([1, 2])
    sources = [EDITOR_SOURCE, FILE_SOURCE]
    chosen = session.compare_state().prompt_choice
    source = left.radio(
        "Prompt", sources, index=sources.index(chosen) if chosen in sources else 0, key=Keys.PROMPT_SOURCE,
        on_change=remember, args=(Keys.PROMPT_SOURCE, "prompt_choice"), horizontal=False,
    )
    session.compare_state().prompt_choice = source
    if source == EDITOR_SOURCE:
        spec = session.current_prompt()
        right.markdown(f"**{spec.name}** · from the Editor")
    else:
        spec = _render_saved_prompt_choice(right)
        if spec is None:
            return None
    right.caption(_prompt_preview(spec))
    for problem in compare.prompt_problems(spec.request):
        right.info(problem.message, icon=":material/edit_note:")
    return spec


def _render_saved_prompt_choice(place) -> PromptSpec | None:
    """The saved-file picker in `place`; the file's spec, or None with the reason shown."""
    files = [path.name for path in prompt_store.list_saved()]  # newest first, as in the Editor's Open
    if not files:
        place.info(f"No saved prompts in {prompt_store.prompts_dir()}. Save one from the Editor, or use the "
                   "Editor's prompt.")
        return None
    remembered_file = session.compare_state().prompt_file_name
    name = place.selectbox(
        "Saved prompt", files, index=files.index(remembered_file) if remembered_file in files else 0,
        key=Keys.PROMPT_FILE, on_change=remember, args=(Keys.PROMPT_FILE, "prompt_file_name"),
    )
    session.compare_state().prompt_file_name = name
    try:
        return session.load_saved_prompt(prompt_store.saved_path(name))
    except (PromptFileError, OSError) as error:
        place.error(f"Cannot use this file: {error}")
        return None


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
    remembered = session.compare_state().variable_values
    editor_values = session.variable_values() if session.compare_state().prompt_choice == EDITOR_SOURCE else {}
    values = {}
    starting = {name: remembered.get(name, editor_values.get(name, spec.variables.get(name, ""))) for name in names}
    unfilled_before = compare.unfilled_variables(spec, starting)
    with st.expander(f"Variables ({', '.join(names)})", expanded=bool(unfilled_before)):
        columns = st.columns(min(len(names), 3))
        for position, name in enumerate(names):
            values[name] = columns[position % len(columns)].text_input(
                name, value=starting[name], key=Keys.variable(name), on_change=_remember_variable, args=(name,),
                placeholder=f"default: {spec.variables[name]}" if spec.variables.get(name) else "needs a value",
            )
        unfilled = compare.unfilled_variables(spec, values)
        if unfilled:
            st.caption(f"No value yet for {', '.join(unfilled)}: side-by-side runs need one "
                       "(test cases bring their own).")
    session.compare_state().variable_values = {**remembered, **values}
    return values


def _remember_variable(name: str) -> None:
    session.compare_state().variable_values = {
        **session.compare_state().variable_values, name: st.session_state[Keys.variable(name)]}


def model_label(catalog: Catalog, model_id: str) -> str:
    entry = catalog.get(model_id)
    if entry is None:
        return model_id
    suffix = " (deprecated)" if entry.lifecycle == "deprecated" else ""
    return f"{entry.display_name}{suffix}"


def render_model_picker(catalog: Catalog) -> list[str]:
    """Multiselect of 2–4 models; defaults to the newest model of each tier."""
    choices = [entry.id for entry in catalog.active_models()]
    if session.compare_state().picked_models is None:
        session.compare_state().picked_models = compare.default_models(catalog)
    picked = st.multiselect(
        "Models (2 to 4)",
        choices,
        default=[model for model in session.compare_state().picked_models if model in choices],
        key=Keys.MODELS,
        on_change=remember,
        args=(Keys.MODELS, "picked_models", list),
        max_selections=compare.MAX_MODELS,
        format_func=lambda model_id: model_label(catalog, model_id),
        help=f"Catalog: {catalog.source_label}",
    )
    session.compare_state().picked_models = list(picked)
    for problem in compare.selection_problems(picked, catalog):
        st.warning(as_sentence(problem))
    return list(picked)


def render_model_settings(spec: PromptSpec, models: list[str], catalog: Catalog) -> dict[str, ModelSetup]:
    """One column per model: overrides within what the model supports, and what it would reject."""
    setups: dict[str, ModelSetup] = {}
    if not models:
        return setups
    _forget_overrides_if_prompt_settings_changed(spec)
    remembered: dict = session.compare_state().model_overrides
    for column, model in zip(st.columns(len(models)), models):
        entry = catalog.get(model)
        if entry is None:
            continue
        card = column.container(border=True)
        with card:
            st.markdown(f"**{model_label(catalog, model)}**")
            st.caption(f"`{entry.id}` · max output {present.tokens(entry.max_tokens)} · "
                       f"context {present.tokens(entry.max_input_tokens)}")
            overrides = _render_overrides(spec, entry, remembered.get(model))
            remembered[model] = overrides
            for note in compare.model_warnings(spec.request, model, overrides, catalog):
                st.warning(note, icon=":material/schedule:")
            problems = compare.model_problems(spec.request, model, overrides, catalog)
            for problem in problems:
                st.error(problem, icon="⛔")
        setups[model] = ModelSetup(entry, overrides, problems, card)
    session.compare_state().model_overrides = remembered
    return setups


def override_key(setting: str, model: str, basis: str | None) -> str:
    """Widget key of one model's override under these prompt settings (see CompareKeys.override)."""
    return Keys.override(setting, model, basis)


def _forget_overrides_if_prompt_settings_changed(spec: PromptSpec) -> None:
    """Overrides start from the prompt's own settings: another prompt (or edited settings) resets them."""
    basis = request_hash({name: spec.request.get(name) for name in ("max_tokens", "thinking", "output_config")})
    if session.compare_state().overrides_basis == basis:
        return
    session.compare_state().overrides_basis = basis  # new widget keys: see override_key
    session.compare_state().model_overrides = {}


def _thinking_override(kind: str, budget: Any) -> dict | None:
    """The thinking override a Thinking choice (and budget, for "enabled") stands for; None keeps the prompt's."""
    if kind == "enabled":
        return {"type": "enabled", "budget_tokens": int(budget)}
    return None if kind == PROMPT_SETTING else {"type": kind}


def _render_overrides(spec: PromptSpec, entry: ModelEntry, saved: compare.ModelOverrides | None) -> compare.ModelOverrides:
    """max_tokens (bounded by the model), effort and thinking only where the model supports them."""
    saved = saved or compare.default_overrides(spec.request, entry)
    model = entry.id
    basis = session.compare_state().overrides_basis
    keys = {setting: override_key(setting, model, basis) for setting in ("max_tokens", "effort", "thinking", "budget")}
    on_change = {"on_change": _remember_overrides, "args": (model, keys, basis)}
    options = preflight.model_options(entry)
    max_tokens = st.number_input(
        "max_tokens", min_value=options.max_tokens_min, max_value=options.max_tokens_max, step=256,
        value=options.clamp_max_tokens(saved.max_tokens or options.max_tokens_default),
        key=keys["max_tokens"], **on_change,
    )
    effort = None
    if options.effort_levels:
        efforts = [PROMPT_SETTING, *options.effort_levels]
        choice = st.selectbox("Effort", efforts, index=efforts.index(saved.effort) if saved.effort in efforts else 0,
                              key=keys["effort"], **on_change)
        effort = None if choice == PROMPT_SETTING else choice
    thinking = None
    if options.thinking_types:
        kinds = [PROMPT_SETTING, *options.thinking_types]
        saved_type = (saved.thinking or {}).get("type", PROMPT_SETTING)
        kind = st.selectbox("Thinking", kinds, index=kinds.index(saved_type) if saved_type in kinds else 0,
                            key=keys["thinking"], **on_change)
        budget = None
        if kind == "enabled":
            saved_budget = (saved.thinking or {}).get("budget_tokens")
            budget = st.number_input(
                "Thinking budget", min_value=options.thinking_budget_min, step=512,
                value=max(options.thinking_budget_min,
                          int(saved_budget or options.thinking_budget_default(int(max_tokens)))),
                key=keys["budget"], help=f"At least {options.thinking_budget_min:,} and less than max_tokens.",
                **on_change,
            )
        thinking = _thinking_override(kind, budget)
    return compare.ModelOverrides(max_tokens=int(max_tokens), effort=effort, thinking=thinking)


def _remember_overrides(model: str, keys: dict[str, str], basis: str | None) -> None:
    """on_change of any override widget of `model`: its remembered overrides follow the widgets."""
    state = st.session_state
    overrides = session.compare_state().model_overrides
    saved: compare.ModelOverrides | None = overrides.get(model)
    if saved is None or basis != session.compare_state().overrides_basis:
        # The card was drawn under other prompt settings (the browser may still report its widgets
        # after another prompt was picked): its values must not become the new prompt's overrides.
        return
    effort = state.get(keys["effort"], PROMPT_SETTING)
    max_tokens = int(state.get(keys["max_tokens"], saved.max_tokens or 1))
    budget = state.get(keys["budget"], (saved.thinking or {}).get("budget_tokens")
                       or preflight.model_options(None).thinking_budget_default(max_tokens))
    overrides[model] = compare.ModelOverrides(
        max_tokens=max_tokens,
        effort=None if effort == PROMPT_SETTING else effort,
        thinking=_thinking_override(state.get(keys["thinking"], PROMPT_SETTING), budget),
    )


def render_count_toggle() -> bool:
    """The switch for counting input tokens per model (an API call per changed request)."""
    counting = st.toggle(
        "Count input tokens per model and project the cost (count_tokens, cached per request)",
        value=session.compare_state().count_tokens_on,
        key=Keys.COUNT_TOKENS, on_change=remember, args=(Keys.COUNT_TOKENS, "count_tokens_on"),
    )
    session.compare_state().count_tokens_on = counting
    return counting


def render_projection(spec: PromptSpec, values: dict[str, str], setups: dict[str, ModelSetup]) -> None:
    """In each model's card: exact input tokens (count_tokens; tokenizers differ) and projected cost."""
    if not setups or compare.prompt_problems(spec.request):
        return
    try:
        template = substitute(spec.request, compare.run_values(spec, values))
        placeholders = False
    except MissingVariableError:
        template = spec.request  # count the text as written; the caption says so
        placeholders = True
    counter, unavailable = session.token_counter_or_reason()
    prices = session.get_prices()
    last_run = session.compare_state().run_outcome
    for model, setup in setups.items():
        request = compare.request_for_model(template, model, setup.overrides)
        if counter is None:  # no backend to count with: an estimate, labelled with the reason
            count = TokenCount(estimate_input_tokens(request), exact=False, source="estimate", note=unavailable)
        else:
            count = counter.count(request)
        typical = _measured_output_mean(last_run, model)
        projection = projected_cost(model, count, setup.overrides.max_tokens or 0, prices, typical_output_tokens=typical)
        _render_projection(setup.card, projection, count.label, placeholders)
        # Known only once counted: a breakpoint below this model's caching minimum caches nothing.
        for warning in preflight.cache_minimum_warnings(request, setup.entry, count.input_tokens, count.exact):
            setup.card.warning(warning.message, icon=":material/cached:")


def _measured_output_mean(last_run, model: str) -> float | None:
    if not last_run or model not in last_run["summary"].stats:
        return None
    return last_run["summary"].stats[model].output_tokens_mean


def _render_projection(card, projection: ProjectedCost, count_label: str, placeholders: bool) -> None:
    with card:
        st.divider()
        st.metric("Input tokens", present.tokens(projection.input_tokens), help=count_label)
        if not projection.input_exact or placeholders:
            st.caption(count_label + (" · with {{placeholders}} unfilled" if placeholders else ""))
        if projection.input_only_usd is None:
            st.caption(f"Projected cost unknown: {projection.note}")
            return
        if projection.typical_usd is not None:
            st.metric(
                "Projected per call",
                present.usd(projection.typical_usd),
                help=f"at the measured mean of {present.tokens(round(projection.typical_output_tokens))} output tokens",
            )
            st.caption(f"≈ {present.usd(projection.per_1000(projection.typical_usd))} per 1,000 calls")
        else:
            st.metric(
                "Projected per call",
                f"≤ {present.usd(projection.at_max_tokens_usd)}",
                help="a reply that uses all of max_tokens; an empty reply costs the input alone. "
                "Run once for a figure at the measured output length.",
            )
            st.caption(
                f"from {present.usd(projection.input_only_usd)} (input only) · per 1,000 calls: "
                f"{present.usd(projection.per_1000(projection.input_only_usd))} – "
                f"{present.usd(projection.per_1000(projection.at_max_tokens_usd))}"
            )
