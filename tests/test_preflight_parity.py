"""Parity: the rule book and the simulator (the API's stand-in, with its own validation) give every
request of one shared corpus the same verdict. The simulator is asked through the real SDK over HTTP."""
from __future__ import annotations

import anthropic
import pytest

from tests.preflight_corpus import CORPUS
from workbench import preflight
from workbench.models import offline_catalog

CATALOG = offline_catalog()
# The keyword arguments messages.create takes; anything else goes in the body as extra_body.
SDK_ARGUMENTS = {"model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "tools", "tool_choice",
                 "thinking", "output_config", "service_tier"}


def simulator_accepts(client: anthropic.Anthropic, request: dict) -> tuple[bool, str]:
    known = {key: value for key, value in request.items() if key in SDK_ARGUMENTS}
    extra = {key: value for key, value in request.items() if key not in SDK_ARGUMENTS}
    try:
        # Streamed, as Workbench sends: the SDK refuses a large non-streaming max_tokens on its own.
        with client.messages.create(**known, stream=True, extra_body=extra or None) as events:
            for _ in events:
                pass
    except (anthropic.BadRequestError, anthropic.NotFoundError) as error:
        return False, str(error.message)
    return True, ""


def test_the_corpus_is_large_and_has_both_verdicts():
    verdicts = [preflight.check(request, CATALOG.get(request["model"])).ok for _, request in CORPUS]
    assert len(CORPUS) >= 80
    assert verdicts.count(True) >= 30 and verdicts.count(False) >= 40
    assert len({request["model"] for _, request in CORPUS}) >= 10
    assert len({label for label, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("label", "request_body"), CORPUS, ids=[label for label, _ in CORPUS])
def test_rule_book_and_simulator_agree(simulator, label, request_body):
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="test-key", max_retries=0)
    verdict = preflight.check(request_body, CATALOG.get(request_body["model"]))
    accepted, reason = simulator_accepts(client, request_body)
    assert verdict.ok == accepted, (
        f"rule book says {[problem.code for problem in verdict.errors] or 'ok'}, "
        f"simulator says {reason or 'ok'}"
    )
