"""Compare never sends a prompt with a blank {{variable}}: side by side, per case, and from the CLI."""
from __future__ import annotations

import pytest

from workbench.compare import cases_problems, model_warnings, plan_calls, unfilled_variables
from workbench.compare_cases import CompareCase
from workbench.models import offline_catalog
from workbench.spec import PromptSpec, new_prompt
from workbench.templating import MissingVariableError

MODELS = ["claude-haiku-4-5", "claude-opus-5-5"]


def haiku_prompt(**defaults: str) -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text="Write a haiku about {{topic}} in {{lang}}.", max_tokens=100)
    return PromptSpec(request=spec.request, name="haiku", variables=dict(defaults))


def test_blank_values_count_as_missing():
    spec = haiku_prompt()
    assert unfilled_variables(spec, {"topic": "", "lang": "  "}) == ["topic", "lang"]
    with pytest.raises(MissingVariableError) as caught:
        plan_calls(spec, MODELS, values={"topic": "rain", "lang": ""})
    assert caught.value.names == ["lang"]


def test_a_blank_value_falls_back_to_the_prompt_default():
    spec = haiku_prompt(lang="English")
    calls = plan_calls(spec, MODELS, values={"topic": "rain", "lang": ""})
    assert calls[0].request["messages"][0]["content"] == "Write a haiku about rain in English."


def test_a_blank_case_cell_uses_the_default_or_is_named():
    spec = haiku_prompt(lang="English")
    cases = [CompareCase(0, {"topic": "rain", "lang": ""}, None), CompareCase(1, {"topic": "", "lang": "French"}, None)]
    assert cases_problems(spec, cases) == ["case 2: no value for topic (fill the cell, or give the prompt a default)"]
    with pytest.raises(MissingVariableError):
        plan_calls(spec, MODELS, cases=cases)
    calls = plan_calls(spec, MODELS, cases=cases[:1])
    assert calls[0].request["messages"][0]["content"] == "Write a haiku about rain in English."


def test_a_deprecated_model_gets_a_note_and_an_active_one_none():
    catalog = offline_catalog()
    request = {"model": "x", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}
    (note,) = model_warnings(request, "claude-opus-4-5", None, catalog)
    assert "deprecated" in note
    assert model_warnings(request, "claude-haiku-4-5", None, catalog) == []
