"""Compare planning: default models, selection rules, per-model overrides, flagged settings, call order."""
from __future__ import annotations

import pytest

from workbench import preflight
from workbench.compare import (
    ModelOverrides,
    default_models,
    default_overrides,
    model_problems,
    plan_calls,
    request_for_model,
    selection_problems,
)
from workbench.compare_cases import CaseCheck, CompareCase
from workbench.models import offline_catalog
from workbench.spec import new_prompt
from workbench.templating import MissingVariableError

CATALOG = offline_catalog()


def city_prompt():
    spec = new_prompt("claude-haiku-4-5", user_text="Describe {{city}} in a {{tone}} tone.", max_tokens=2000)
    return type(spec)(request=spec.request, name="city", variables={"tone": "dry"})


def test_defaults_are_the_newest_active_model_of_each_tier():
    assert default_models(CATALOG) == ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5"]
    assert default_models(CATALOG, count=4)[3] == "claude-fable-5-2"


def test_selection_needs_two_to_four_known_distinct_models():
    assert selection_problems(["claude-haiku-4-5", "claude-opus-5-5"], CATALOG) == []
    assert selection_problems(["claude-haiku-4-5"], CATALOG) == ["pick 2 to 4 models to compare (picked 1)"]
    assert "picked 5" in selection_problems(CATALOG.ids[:5], CATALOG)[0]
    assert "listed twice" in selection_problems(["claude-opus-5-5", "claude-opus-5-5"], CATALOG)[0]
    assert "claude-nope" in selection_problems(["claude-opus-5-5", "claude-nope"], CATALOG)[0]


def test_overrides_replace_only_what_they_set():
    request = {"model": "x", "max_tokens": 100, "output_config": {"format": {"type": "json_schema", "schema": {}}},
               "messages": [{"role": "user", "content": "hi"}]}
    aimed = request_for_model(request, "claude-opus-5-5", ModelOverrides(effort="low", thinking={"type": "adaptive"}))
    assert aimed["model"] == "claude-opus-5-5" and aimed["max_tokens"] == 100
    assert aimed["output_config"] == {"format": {"type": "json_schema", "schema": {}}, "effort": "low"}
    assert aimed["thinking"] == {"type": "adaptive"}
    assert request["model"] == "x" and "thinking" not in request  # the template is untouched


def test_default_max_tokens_is_lowered_to_the_model_limit():
    request = {"max_tokens": 100_000}
    assert default_overrides(request, CATALOG.get("claude-haiku-4-5")).max_tokens == 64_000
    assert default_overrides(request, CATALOG.get("claude-opus-5-5")).max_tokens == 100_000


def test_settings_a_model_would_reject_are_flagged_before_running():
    request = city_prompt().request
    assert model_problems(request, "claude-haiku-4-5", None, CATALOG) == []
    too_long = model_problems(request, "claude-haiku-4-5", ModelOverrides(max_tokens=70_000), CATALOG)
    assert too_long == ["max_tokens is 70,000 but Claude Haiku 4.5 writes at most 64,000 tokens: lower it."]
    no_effort = model_problems(request, "claude-haiku-4-5", ModelOverrides(effort="high"), CATALOG)
    assert no_effort == ["Claude Haiku 4.5 does not support output_config.effort: remove it."]
    always_thinks = model_problems(request, "claude-opus-5-5", ModelOverrides(thinking={"type": "disabled"}), CATALOG)
    assert "does not accept thinking type 'disabled'" in always_thinks[0]
    # Compare offers what the rule book offers: between_tools where the model takes it.
    assert "between_tools" in preflight.model_options(CATALOG.get("claude-sonnet-5-5")).thinking_types
    assert model_problems(request, "claude-opus-5-5", ModelOverrides(thinking={"type": "adaptive"}), CATALOG) == []


def test_plan_runs_models_fastest_so_the_first_wave_holds_every_model():
    calls = plan_calls(city_prompt(), ["claude-haiku-4-5", "claude-opus-5-5"], repeats=2, values={"city": "Oslo"})
    assert [(call.model, call.repeat) for call in calls] == [
        ("claude-haiku-4-5", 0), ("claude-opus-5-5", 0), ("claude-haiku-4-5", 1), ("claude-opus-5-5", 1)]
    assert [call.index for call in calls] == [0, 1, 2, 3]
    assert calls[1].request["messages"][0]["content"] == "Describe Oslo in a dry tone."


def test_plan_rows_by_models_uses_each_case_values_over_the_defaults():
    cases = [CompareCase(0, {"city": "Rome", "tone": "warm"}, CaseCheck("contains", "Rome")),
             CompareCase(1, {"city": "Oslo", "tone": "dry"}, None)]
    overrides = {"claude-opus-5-5": ModelOverrides(max_tokens=300)}
    calls = plan_calls(city_prompt(), ["claude-haiku-4-5", "claude-opus-5-5"], cases=cases, overrides=overrides)
    assert [(call.case.index, call.model) for call in calls] == [
        (0, "claude-haiku-4-5"), (0, "claude-opus-5-5"), (1, "claude-haiku-4-5"), (1, "claude-opus-5-5")]
    assert calls[0].request["messages"][0]["content"] == "Describe Rome in a warm tone."
    assert [call.request["max_tokens"] for call in calls] == [2000, 300, 2000, 300]


def test_plan_names_every_variable_without_a_value():
    with pytest.raises(MissingVariableError) as caught:
        plan_calls(city_prompt(), ["claude-haiku-4-5", "claude-opus-5-5"])
    assert caught.value.names == ["city"]
    with pytest.raises(ValueError, match="repeat must be 1 to 50"):
        plan_calls(city_prompt(), ["claude-haiku-4-5"], repeats=51, values={"city": "x"})
