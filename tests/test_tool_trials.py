"""Try and matrix against the simulator: tool calls judged against the schema, per-model 400s, the loop closed."""
from __future__ import annotations

import anthropic

from workbench.models import offline_catalog
from workbench.request_edits import ToolResultInput
from workbench.runner import run_once
from workbench.tool_trials import (
    MatrixOutcome, describe_cell, follow_up_request, judge, matrix_rows, model_rates, plan_for_model, plan_trials,
    run_trials, tool_choice_param, trial_request,
)
from workbench.usage_log import UsageLog

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a given location, with temperature and conditions.",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit."},
            "days": {"type": "integer", "minimum": 1, "maximum": 7, "description": "Days ahead."},
        },
        "required": ["location"],
    },
}
MESSAGES = ["What's the weather in Paris?", "Forecast for Lisbon for 3 days", "Is it raining in Oslo?"]
CATALOG = offline_catalog()
REFUSES_FORCED = "claude-opus-5-5"  # forced tool use returns 400 on this model (model_quirks.json)
ACCEPTS_FORCED = ("claude-haiku-4-5", "claude-sonnet-5")


def test_a_forced_call_is_valid_against_the_schema(client):
    request = trial_request([WEATHER], MESSAGES[0], "claude-haiku-4-5",
                            tool_choice=tool_choice_param("tool", "get_weather"))
    result = run_once(client, request, source="tools")
    verdict = judge(result, [WEATHER])
    assert result.stop_reason == "tool_use"
    assert verdict.called and verdict.valid, verdict
    assert verdict.calls[0].name == "get_weather"
    assert "location" in verdict.calls[0].input


def test_an_input_that_breaks_the_schema_is_reported_with_its_path(client):
    request = trial_request([WEATHER], MESSAGES[0], "claude-haiku-4-5", tool_choice={"type": "any"})
    result = run_once(client, request)
    # Judge the simulator's reply against a stricter schema than the one it answered, so the input breaks it.
    stricter = {**WEATHER, "input_schema": {**WEATHER["input_schema"], "required": ["location", "country"],
                                            "properties": {**WEATHER["input_schema"]["properties"],
                                                           "location": {"type": "integer"}}}}
    verdict = judge(result, [stricter])
    assert verdict.called and not verdict.valid
    paths = {finding.path for call in verdict.calls for finding in call.violations}
    assert "$.input" in paths  # 'country' is a required property
    assert "$.input.location" in paths  # not an integer
    assert describe_cell(verdict).startswith("invalid · get_weather · $.input")


def test_forced_tool_use_on_a_model_that_refuses_it_is_a_400(client):
    request = trial_request([WEATHER], MESSAGES[0], REFUSES_FORCED, tool_choice={"type": "any"})
    result = run_once(client, request)
    verdict = judge(result, [WEATHER])
    assert result.error is not None and result.error.status == 400
    assert "forced tool use" in result.error.message
    assert verdict.label == "error" and not verdict.valid


def test_plan_skips_or_redirects_models_that_refuse_forced_tool_use():
    choice = tool_choice_param("tool", "get_weather")
    refused = plan_for_model(REFUSES_FORCED, [WEATHER], choice, CATALOG, use_structured_fallback=False)
    assert refused.problems and "forced tool use" in refused.problems[0]
    redirected = plan_for_model(REFUSES_FORCED, [WEATHER], choice, CATALOG, use_structured_fallback=True)
    assert redirected.structured and not redirected.problems and "output_config.format" in redirected.note
    fine = plan_for_model("claude-haiku-4-5", [WEATHER], choice, CATALOG, use_structured_fallback=True)
    assert not fine.structured and not fine.problems
    calls = plan_trials([WEATHER], MESSAGES, [refused, fine], tool_choice=choice)
    assert {call.model for call in calls} == {"claude-haiku-4-5"}  # no call spent to hear a 400


def test_matrix_messages_by_models_with_valid_call_rates(client, workbench_home):
    choice = tool_choice_param("tool", "get_weather")
    plans = [plan_for_model(model, [WEATHER], choice, CATALOG, use_structured_fallback=True)
             for model in (*ACCEPTS_FORCED, REFUSES_FORCED)]
    calls = plan_trials([WEATHER], MESSAGES, plans, tool_choice=choice, max_tokens=400)
    assert len(calls) == len(MESSAGES) * 3
    assert [call.model for call in calls[:3]] == [*ACCEPTS_FORCED, REFUSES_FORCED]  # models vary fastest
    log = UsageLog()
    outcome = run_trials(client, calls, [WEATHER], choice, concurrency=4, log=log)
    assert outcome.done == len(calls)
    rates = {rate.model: rate for rate in model_rates(outcome)}
    for model in ACCEPTS_FORCED:
        assert rates[model].cells == 3 and rates[model].valid == 3 and rates[model].valid_rate == 1.0
    # Asked through structured output instead: the reply is JSON valid against the tool's schema.
    assert rates[REFUSES_FORCED].valid == 3, [describe_cell(outcome.verdicts[c.index]) for c in calls]
    rows = matrix_rows(outcome)
    assert [row["message"] for row in rows] == MESSAGES
    assert all(row[model].startswith("valid") for row in rows for model in outcome.models)
    # Counted from the other side: the call log has one "tools" row per call.
    assert log.count(source="tools") == len(calls)


def test_auto_choice_cells_say_when_no_tool_was_called(client):
    plans = [plan_for_model("claude-haiku-4-5", [WEATHER], None, CATALOG, use_structured_fallback=False)]
    calls = plan_trials([WEATHER], ["Tell me a joke", "What is the weather like in Rome?"], plans, max_tokens=400)
    outcome = run_trials(client, calls, [WEATHER])
    labels = [outcome.verdicts[call.index].label for call in calls]
    assert labels == ["no call", "valid"]  # the simulator calls a tool whose name/description is mentioned
    assert model_rates(outcome)[0].valid_rate == 0.5


def test_closing_the_loop_gets_the_final_answer(client):
    request = trial_request([WEATHER], MESSAGES[0], "claude-haiku-4-5", tool_choice={"type": "any"})
    first = run_once(client, request)
    call_id = first.tool_uses[0]["id"]
    follow_up = follow_up_request(request, first, [ToolResultInput(call_id, '{"temperature": 21, "sky": "clear"}')])
    assert follow_up["messages"][-1]["content"][0]["tool_use_id"] == call_id
    assert "tool_choice" not in follow_up  # forcing a tool again would ask for another call, not the answer
    final = run_once(client, follow_up, source="tools")
    assert final.ok and final.stop_reason == "end_turn"
    assert "temperature" in final.text  # the simulator quotes the tool result it was given


def test_matrix_outcome_tracks_progress():
    outcome = MatrixOutcome(calls=[], tools=[WEATHER])
    assert outcome.done == 0 and outcome.models == [] and matrix_rows(outcome) == []
