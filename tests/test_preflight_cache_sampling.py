"""The rule book on prompt-cache minimums per model and on the sampling parameters each model takes."""
from __future__ import annotations

import pytest

from workbench import preflight
from workbench.models import offline_catalog

CATALOG = offline_catalog()


def cached_system(text: str) -> dict:
    return {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}


def request(model: str, **changes) -> dict:
    return {"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": "Question?"}], **changes}


def warnings(body: dict, tokens: int) -> list[preflight.Problem]:
    verdict = preflight.check(body, CATALOG.get(body["model"]), input_tokens=tokens)
    return [problem for problem in verdict.warnings if problem.code == "cache_below_minimum"]


def test_a_breakpoint_below_the_models_minimum_is_a_warning_not_an_error():
    body = request("claude-haiku-4-5", system=[cached_system("x" * 1000)])
    found = warnings(body, 3000)
    assert [problem.path for problem in found] == ["$.system[0].cache_control"]
    assert "4,096-token minimum" in found[0].message and "nothing will be cached" in found[0].message
    assert preflight.check(body, CATALOG.get("claude-haiku-4-5"), input_tokens=3000).ok


def test_the_same_prefix_is_fine_on_a_model_with_a_lower_minimum():
    body = request("claude-sonnet-4-6", system=[cached_system("x" * 1000)])
    assert warnings(body, 3000) == []
    assert warnings(request("claude-opus-5", system=[cached_system("x" * 1000)]), 600) == []  # 512 there


def test_a_dated_snapshot_id_uses_its_aliases_minimum():
    assert warnings(request("claude-haiku-4-5-20251001", system=[cached_system("x" * 1000)]), 3000)


def test_an_early_breakpoint_gets_its_share_of_the_count():
    body = request("claude-sonnet-4-6", system=[cached_system("a" * 100), {"type": "text", "text": "b" * 9900}],
                   cache_control={"type": "ephemeral"})
    found = warnings(body, 5000)  # the first breakpoint covers ~1% of 5,000 tokens; the top-level one all of it
    assert [problem.path for problem in found] == ["$.system[0].cache_control"]
    assert "about 50 tokens" in found[0].message


def test_no_count_no_cache_warning():
    body = request("claude-haiku-4-5", system=[cached_system("x")])
    assert preflight.check(body, CATALOG.get("claude-haiku-4-5")).warnings == []


@pytest.mark.parametrize("model", ["claude-haiku-4-5", "claude-haiku-4-5-20251001", "claude-opus-4-6"])
def test_temperature_with_top_p_is_refused_where_the_api_refuses_the_pair(model):
    verdict = preflight.check(request(model, temperature=0.5, top_p=0.9), CATALOG.get(model))
    assert [problem.code for problem in verdict.errors] == ["sampling_pair_rejected"]
    assert preflight.check(request(model, temperature=0.5), CATALOG.get(model)).ok
    assert preflight.model_options(CATALOG.get(model), model).sampling_parameters == ("temperature", "top_p", "top_k")


@pytest.mark.parametrize("model", ["claude-opus-4-7", "claude-sonnet-5", "claude-fable-5-2", "claude-mythos-5-2"])
def test_models_without_sampling_parameters_offer_none(model):
    options = preflight.model_options(CATALOG.get(model), model)
    assert options.sampling_parameters == ()
    assert not preflight.check(request(model, temperature=0.3), CATALOG.get(model)).ok
    assert preflight.check(request(model, temperature=1.0), CATALOG.get(model)).ok  # the default is accepted


def test_the_simulator_refuses_the_pair_in_the_apis_words(client):
    import anthropic
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=[{"role": "user", "content": "hi"}],
                               extra_body={"temperature": 0.5, "top_p": 0.9})
    assert raised.value.api_message == "`temperature` and `top_p` cannot both be specified for this model"
    with pytest.raises(anthropic.BadRequestError, match="temperature is deprecated for this model"):
        client.messages.create(model="claude-opus-4-7", max_tokens=20, messages=[{"role": "user", "content": "hi"}],
                               extra_body={"temperature": 0.5})
    ok = client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=[{"role": "user", "content": "hi"}],
                                extra_body={"temperature": 0.2})
    assert ok.content
