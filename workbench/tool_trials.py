"""Prove a tool against models: try it, run a matrix of messages × models, close the loop.

Calls go through the same runner as Compare (`compare.stream_compare` -> `runner.run_many`), so
they run concurrently, re-queue rate-limited calls and are logged, here with source "tools".
Each reply is judged: did the model call the tool, and is every tool_use input valid against the
tool's schema (each violation with its JSON path)?
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from workbench import compare, preflight, runner
from workbench.models import Catalog
from workbench.request_edits import ToolResultInput, append_tool_results
from workbench.spec import loads_strict_json
from workbench.tool_form import release_forced_tool_choice
from workbench.tools_schema import Finding, closed_schema, input_violations

TOOLS_SOURCE = "tools"
TOOL_CHOICE_KINDS = ("auto", "any", "tool", "none")
FORCED_KINDS = ("any", "tool")
DEFAULT_MAX_TOKENS = 1024
MAX_MESSAGES = 50
MAX_MODELS = 6


def tool_choice_param(kind: str, name: str | None = None) -> dict | None:
    """The request's tool_choice for a choice in the UI; None for "auto" (the API's default)."""
    if kind not in TOOL_CHOICE_KINDS:
        raise ValueError(f"tool choice must be one of {', '.join(TOOL_CHOICE_KINDS)}, got {kind!r}")
    if kind == "auto":
        return None
    if kind == "tool":
        if not name:
            raise ValueError("a tool choice of type 'tool' needs the tool's name")
        return {"type": "tool", "name": name}
    return {"type": kind}


def is_forced(tool_choice: dict | None) -> bool:
    return isinstance(tool_choice, dict) and tool_choice.get("type") in FORCED_KINDS


def trial_request(tools: Sequence[dict], message: str, model: str, *, tool_choice: dict | None = None,
                  max_tokens: int = DEFAULT_MAX_TOKENS, system: str | None = None) -> dict:
    """A one-turn request that offers `tools` to `model` for the user `message`."""
    request: dict = {"model": model, "max_tokens": max_tokens,
                     "messages": [{"role": "user", "content": message}], "tools": copy.deepcopy(list(tools))}
    if system:
        request["system"] = system
    if tool_choice is not None:
        request["tool_choice"] = copy.deepcopy(tool_choice)
    return request


def structured_request(tool: dict, message: str, model: str, *, max_tokens: int = DEFAULT_MAX_TOKENS,
                       system: str | None = None) -> dict:
    """The same question asked through structured output: the reply is JSON matching the tool's schema.

    What to do on a model that refuses forced tool use (output_config.format, with every object
    closed by additionalProperties: false as structured output requires).
    """
    request: dict = {"model": model, "max_tokens": max_tokens,
                     "messages": [{"role": "user", "content": message}],
                     "output_config": {"format": {"type": "json_schema",
                                                  "schema": closed_schema(tool.get("input_schema") or {})}}}
    if system:
        request["system"] = system
    return request


def forced_tool(tools: Sequence[dict], tool_choice: dict | None) -> dict | None:
    """The tool a forced choice makes the model call (the named one, or the only one for "any")."""
    if not is_forced(tool_choice):
        return None
    if tool_choice.get("type") == "tool":
        return next((tool for tool in tools if tool.get("name") == tool_choice.get("name")), None)
    return tools[0] if len(tools) == 1 else None


# --- planning --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrialCall:
    """One call of a try or a matrix: which model, which sample message, how it asks, the exact body."""

    index: int
    model: str
    message_index: int
    message: str
    request: dict
    structured: bool = False  # asked through output_config.format instead of forced tool use
    # What Compare's runner logs to restore a call: a trial has no {{variables}}, the request is the prompt.
    template: dict | None = None
    values: dict | None = None


@dataclass(frozen=True)
class ModelPlan:
    """How a model is asked, or why it is not (a problem found before sending)."""

    model: str
    structured: bool
    problems: tuple[str, ...]
    note: str | None = None


def plan_for_model(model: str, tools: Sequence[dict], tool_choice: dict | None, catalog: Catalog, *,
                   use_structured_fallback: bool) -> ModelPlan:
    """Ask with the tool choice; where the model refuses forced tool use, structured output instead."""
    probe = trial_request(tools, "probe", model, tool_choice=tool_choice)
    entry = catalog.get(model)
    problems = preflight.check(probe, entry).messages("error")
    if not problems or not is_forced(tool_choice) or not use_structured_fallback:
        return ModelPlan(model, False, tuple(problems))
    tool = forced_tool(tools, tool_choice)
    if tool is None or entry is None or not entry.supports_structured_outputs:
        return ModelPlan(model, False, tuple(problems))
    structured = preflight.check(structured_request(tool, "probe", model), entry).messages("error")
    if structured:
        return ModelPlan(model, False, tuple(problems))
    return ModelPlan(model, True, (), note=f"{model} refuses forced tool use, so it is asked for `{tool['name']}`'s "
                                           "input as structured output (output_config.format) instead.")


def plan_trials(tools: Sequence[dict], messages: Sequence[str], plans: Sequence[ModelPlan], *,
                tool_choice: dict | None = None, max_tokens: int = DEFAULT_MAX_TOKENS,
                system: str | None = None) -> list[TrialCall]:
    """Every call of a matrix, messages × models (models vary fastest), skipping refused models."""
    calls: list[TrialCall] = []
    for message_index, message in enumerate(messages):
        for plan in plans:
            if plan.problems:
                continue
            if plan.structured:
                tool = forced_tool(tools, tool_choice)
                request = structured_request(tool, message, plan.model, max_tokens=max_tokens, system=system)
            else:
                request = trial_request(tools, message, plan.model, tool_choice=tool_choice, max_tokens=max_tokens,
                                        system=system)
            calls.append(TrialCall(len(calls), plan.model, message_index, message, request, plan.structured))
    return calls


def sample_messages(text: str) -> list[str]:
    """One sample user message per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- judging ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedCall:
    """One tool_use block (or structured reply) and its input checked against the tool's schema."""

    id: str | None
    name: str
    input: object
    violations: tuple[Finding, ...]
    known_tool: bool = True

    @property
    def valid(self) -> bool:
        return self.known_tool and not self.violations


@dataclass(frozen=True)
class Verdict:
    """A reply judged: tool called or not, each input valid or not, or the error."""

    called: bool
    calls: tuple[CheckedCall, ...]
    error: str | None

    @property
    def valid(self) -> bool:
        """The check a schema must pass: the tool was called and every input matches its schema."""
        return self.error is None and self.called and all(call.valid for call in self.calls)

    @property
    def label(self) -> str:
        if self.error is not None:
            return "error"
        if not self.called:
            return "no call"
        return "valid" if self.valid else "invalid"


def judge(result: Any, tools: Sequence[dict], *, structured_tool: dict | None = None) -> Verdict:
    """Judge a RunResult: each tool_use input validated against its tool's input_schema."""
    if result.error is not None:
        return Verdict(False, (), f"{result.error.type}: {result.error.message}")
    if structured_tool is not None:
        return _judge_structured(result, structured_tool)
    by_name = {tool.get("name"): tool for tool in tools}
    checked = []
    for block in result.content:
        if block.get("type") != "tool_use":
            continue
        tool = by_name.get(block.get("name"))
        if tool is None:
            checked.append(CheckedCall(block.get("id"), str(block.get("name")), block.get("input"), (), False))
            continue
        violations = input_violations(tool.get("input_schema"), block.get("input"))
        checked.append(CheckedCall(block.get("id"), tool["name"], block.get("input"), tuple(violations)))
    return Verdict(bool(checked), tuple(checked), None)


def _judge_structured(result: Any, tool: dict) -> Verdict:
    try:
        value = loads_strict_json(result.text)
    except ValueError as error:
        finding = Finding("$", "structured_not_json", f"The reply is not JSON ({error}).",
                          "Check max_tokens: a cut-off reply is not valid JSON.", "error")
        return Verdict(True, (CheckedCall(None, tool["name"], result.text, (finding,)),), None)
    violations = input_violations(closed_schema(tool.get("input_schema") or {}), value)
    return Verdict(True, (CheckedCall(None, tool["name"], value, tuple(violations)),), None)


# --- running ---------------------------------------------------------------------------------------------

def stream_trials(client: Any, calls: Sequence[TrialCall], *, concurrency: int = compare.DEFAULT_CONCURRENCY,
                  log: Any = None, prices: Any = None, prompt_name: str | None = None
                  ) -> Iterator[tuple[TrialCall, Any]]:
    """Run the calls concurrently through Compare's runner; yields (call, event), logged as "tools"."""
    yield from compare.stream_compare(client, calls, concurrency=concurrency, log=log, prices=prices,
                                      prompt_name=prompt_name, source=TOOLS_SOURCE)


@dataclass
class MatrixOutcome:
    """The calls of a try or matrix, their results and verdicts as they finish."""

    calls: list[TrialCall]
    tools: list[dict]
    tool_choice: dict | None = None
    results: dict[int, Any] = field(default_factory=dict)
    verdicts: dict[int, Verdict] = field(default_factory=dict)

    def observe(self, call: TrialCall, event: Any) -> bool:
        """Record a finished call (returns True when `event` finished one)."""
        if not isinstance(event, runner.RunDone):
            return False
        self.results[call.index] = event.result
        structured_tool = forced_tool(self.tools, self.tool_choice) if call.structured else None
        self.verdicts[call.index] = judge(event.result, self.tools, structured_tool=structured_tool)
        return True

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(call.model for call in self.calls))

    @property
    def messages(self) -> list[str]:
        ordered = sorted({(call.message_index, call.message) for call in self.calls})
        return [message for _, message in ordered]


def run_trials(client: Any, calls: Sequence[TrialCall], tools: Sequence[dict], tool_choice: dict | None = None,
               **options: Any) -> MatrixOutcome:
    """Run every call to the end (no rendering) and judge each reply."""
    outcome = MatrixOutcome(list(calls), list(tools), tool_choice)
    for call, event in stream_trials(client, calls, **options):
        outcome.observe(call, event)
    return outcome


@dataclass(frozen=True)
class ModelRate:
    """Per model: how many cells finished, called the tool, were valid; and the valid-call rate."""

    model: str
    cells: int
    called: int
    valid: int
    errors: int

    @property
    def valid_rate(self) -> float | None:
        return self.valid / self.cells if self.cells else None


def model_rates(outcome: MatrixOutcome) -> list[ModelRate]:
    """The valid-call rate of each model: valid tool calls / finished cells (errors count as not valid)."""
    rates = []
    for model in outcome.models:
        verdicts = [outcome.verdicts[call.index] for call in outcome.calls
                    if call.model == model and call.index in outcome.verdicts]
        rates.append(ModelRate(model, len(verdicts), sum(v.called for v in verdicts),
                               sum(v.valid for v in verdicts), sum(v.error is not None for v in verdicts)))
    return rates


def describe_cell(verdict: Verdict) -> str:
    """One short line for a matrix cell: what happened and, for an invalid input, the first violation."""
    if verdict.error is not None:
        return f"error · {verdict.error}"
    if not verdict.called:
        return "no tool call"
    names = ", ".join(call.name for call in verdict.calls)
    if verdict.valid:
        return f"valid · {names}"
    first = next(finding for call in verdict.calls for finding in
                 (call.violations or (Finding("$", "unknown_tool", f"unknown tool {call.name}", "", "error"),)))
    return f"invalid · {names} · {first.path}: {first.message}"


def matrix_rows(outcome: MatrixOutcome) -> list[dict]:
    """The grid: one row per sample message, one column per model (cell text); for the page and CSV."""
    rows = []
    for message_index, message in enumerate(outcome.messages):
        row: dict = {"message": message}
        for model in outcome.models:
            call = next((c for c in outcome.calls if c.model == model and c.message_index == message_index), None)
            verdict = outcome.verdicts.get(call.index) if call else None
            row[model] = "—" if call is None else ("running…" if verdict is None else describe_cell(verdict))
        rows.append(row)
    return rows


# --- closing the loop ----------------------------------------------------------------------------------

def follow_up_request(request: dict, result: Any, answers: Sequence[ToolResultInput]) -> dict:
    """The request plus the model's tool_use reply and a user turn of tool_results: what gets the final answer.

    A forced tool_choice is released (auto), or the model would call the tool again.
    """
    return release_forced_tool_choice(append_tool_results(request, result.content, list(answers)))[0]


def tool_result_text(value: str, as_json: bool) -> str:
    """What to send as a tool_result's content; JSON is checked (ValueError with the position)."""
    if not as_json:
        return value
    try:
        return json.dumps(loads_strict_json(value), ensure_ascii=False)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
