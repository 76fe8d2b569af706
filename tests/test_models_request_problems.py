"""request_problems flags what a model would reject, and the simulator (which mirrors the API) agrees."""
from __future__ import annotations

import anthropic
import pytest

from workbench.models import offline_catalog, request_problems
from workbench.runner import run_once

CATALOG = offline_catalog()


def base_request(model: str, **changes) -> dict:
    request = {"model": model, "max_tokens": 2048, "messages": [{"role": "user", "content": "Say hi."}]}
    request.update(changes)
    return request


TOOL = {"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
SCHEMA_FORMAT = {"type": "json_schema", "schema": {"type": "object", "properties": {"a": {"type": "string"}},
                                                   "required": ["a"], "additionalProperties": False}}
PREFILL = [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi"}]

# (request, words the problem sentence must contain)
REJECTED = [
    (base_request("claude-nonexistent-9"), "not in the model catalog"),
    (base_request("claude-opus-4-1"), "retired"),
    (base_request("claude-haiku-4-5", max_tokens=100_000), "at most 64,000"),
    (base_request("claude-sonnet-5", thinking={"type": "enabled", "budget_tokens": 1024}), "thinking type 'enabled'"),
    (base_request("claude-opus-5-5", thinking={"type": "disabled"}), "thinking type 'disabled'"),
    (base_request("claude-haiku-4-5", thinking={"type": "adaptive"}), "thinking type 'adaptive'"),
    (base_request("claude-haiku-4-5", thinking={"type": "enabled"}), "needs a thinking.budget_tokens"),
    (base_request("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 512}), "at least 1,024"),
    (base_request("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 4096}), "less than max_tokens"),
    (base_request("claude-haiku-4-5", output_config={"effort": "high"}), "does not support output_config.effort"),
    (base_request("claude-sonnet-5-5", output_config={"effort": "xhigh"}), "effort 'xhigh'"),
    (base_request("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "any"}), "forced tool use"),
    (base_request("claude-fable-5-1", tools=[TOOL], tool_choice={"type": "tool", "name": "get_weather"}),
     "forced tool use"),
    (base_request("claude-opus-4-8", messages=PREFILL), "prefill"),
    (base_request("claude-sonnet-5", temperature=0.2), "sampling parameters"),
    (base_request("claude-sonnet-5", top_k=5), "top_k"),
]

ACCEPTED = [
    base_request("claude-haiku-4-5"),
    base_request("claude-haiku-4-5", thinking={"type": "enabled", "budget_tokens": 1024}),
    base_request("claude-sonnet-5", thinking={"type": "adaptive"}, output_config={"effort": "low"}),
    base_request("claude-opus-5-5", output_config={"effort": "xhigh", "format": SCHEMA_FORMAT}),
    base_request("claude-haiku-4-5", tools=[TOOL], tool_choice={"type": "any"}),
    base_request("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "auto"}),
    base_request("claude-haiku-4-5", messages=PREFILL),
    base_request("claude-haiku-4-5", temperature=0.2),
    base_request("claude-opus-4-5"),  # deprecated still answers
]


def ids(cases):
    return [f"{case[0]['model']}-{i}" if isinstance(case, tuple) else f"{case['model']}-{i}"
            for i, case in enumerate(cases)]


@pytest.mark.parametrize("request_body, words", REJECTED, ids=ids(REJECTED))
def test_each_rule_is_flagged_in_a_sentence(request_body, words):
    problems = request_problems(request_body, CATALOG.get(request_body["model"]))
    assert len(problems) == 1, problems
    assert words in problems[0]
    assert problems[0].endswith(".")


@pytest.mark.parametrize("request_body", ACCEPTED, ids=ids(ACCEPTED))
def test_clean_requests_have_no_problems(request_body):
    assert request_problems(request_body, CATALOG.get(request_body["model"])) == []


def test_several_problems_are_all_reported():
    request = base_request("claude-sonnet-5", max_tokens=500_000, temperature=1.0,
                           thinking={"type": "enabled", "budget_tokens": 2000})
    problems = request_problems(request, CATALOG.get("claude-sonnet-5"))
    assert len(problems) == 3


@pytest.fixture
def strict_client(simulator):
    """No SDK retries: a 400 must come back as it is."""
    return anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0)


@pytest.mark.parametrize("request_body, words", REJECTED, ids=ids(REJECTED))
def test_simulator_rejects_what_request_problems_flags(strict_client, request_body, words):
    # Streamed through the runner: the SDK refuses a big max_tokens without streaming.
    result = run_once(strict_client, request_body)
    # Unknown and retired models are 404 on the API; every other setting is a 400.
    expected = 404 if words in ("not in the model catalog", "retired") else 400
    assert result.error is not None and result.error.status == expected, result.error


@pytest.mark.filterwarnings("ignore:The model 'claude-opus-4-5' is deprecated:DeprecationWarning")
@pytest.mark.parametrize("request_body", ACCEPTED, ids=ids(ACCEPTED))
def test_simulator_accepts_what_request_problems_passes(strict_client, request_body):
    result = run_once(strict_client, request_body)
    assert result.ok, result.error
