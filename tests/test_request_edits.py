"""The editor's request edits are pure functions: request in, new request out, input untouched."""
from __future__ import annotations

import copy

from workbench import request_edits as edits
from workbench.models import offline_catalog

BASE = {"model": "claude-opus-5-5", "max_tokens": 2048,
        "messages": [{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}]}


def test_edits_never_change_their_input():
    before = copy.deepcopy(BASE)
    edits.set_message_text(BASE, 0, "changed")
    edits.set_cache_ttl(BASE, 1, "1h")
    edits.move_message(BASE, 0, 1)
    edits.set_system_text(BASE, "sys")
    assert BASE == before


def test_cache_breakpoints_on_system_tools_and_turns_round_trip():
    request = edits.set_system_text(BASE, "Be brief.")
    request = edits.set_cache_ttl(request, "system", "1h")
    assert request["system"] == [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    assert edits.cache_ttl(request, "system") == "1h"
    request = edits.set_cache_ttl(request, 0, "5m")
    assert request["messages"][0]["content"] == [{"type": "text", "text": "one", "cache_control": {"type": "ephemeral"}}]
    assert edits.cache_ttl(request, 0) == "5m"
    # Editing the text keeps the breakpoint; removing the breakpoint gives back a plain string.
    request = edits.set_message_text(request, 0, "uno")
    assert edits.cache_ttl(request, 0) == "5m" and edits.message_text(request["messages"][0]) == "uno"
    request = edits.set_cache_ttl(request, 0, None)
    assert request["messages"][0]["content"] == "uno"
    request = edits.set_cache_ttl(dict(request, tools=[{"name": "a"}, {"name": "b"}]), "tools", "5m")
    assert request["tools"][-1]["cache_control"] == {"type": "ephemeral"} and "cache_control" not in request["tools"][0]


def test_clearing_the_system_prompt_removes_it():
    assert "system" not in edits.set_system_text(edits.set_system_text(BASE, "x"), "")


def test_turn_text_keeps_other_blocks():
    message = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "18C"}]}
    request = dict(BASE, messages=[message])
    request = edits.set_message_text(request, 0, "and also this")
    assert [block["type"] for block in request["messages"][0]["content"]] == ["tool_result", "text"]
    request = edits.set_message_text(request, 0, "")
    assert [block["type"] for block in request["messages"][0]["content"]] == ["tool_result"]


def test_add_move_remove_turns():
    request = edits.add_message(BASE)
    assert request["messages"][-1] == {"role": "user", "content": ""}
    assert [m["content"] for m in edits.move_message(BASE, 1, -1)["messages"]] == ["two", "one"]
    assert edits.move_message(BASE, 0, -1) == BASE
    assert edits.remove_message(BASE, 0)["messages"] == [{"role": "assistant", "content": "two"}]
    single = dict(BASE, messages=[{"role": "user", "content": "x"}])
    assert edits.remove_message(single, 0)["messages"] == [{"role": "user", "content": ""}]


def test_settings_edits():
    request = edits.set_thinking(BASE, "enabled")
    assert request["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert "thinking" not in edits.set_thinking(request, None)
    request = edits.set_effort(edits.set_output_schema(BASE, {"type": "object"}), "low")
    assert request["output_config"] == {"format": {"type": "json_schema", "schema": {"type": "object"}}, "effort": "low"}
    assert "output_config" not in edits.set_effort(edits.set_output_schema(request, None), None)
    assert edits.stop_sequences_from_text("a\n\n b \n") == ["a", " b "]
    assert "stop_sequences" not in edits.set_stop_sequences(dict(BASE, stop_sequences=["x"]), [])


def test_adapt_to_model_drops_what_the_model_rejects():
    catalog = offline_catalog()
    request = edits.set_effort(edits.set_thinking(dict(BASE, max_tokens=100_000), "enabled", 5000), "max")
    adapted, changes = edits.adapt_to_model(request, catalog.get("claude-sonnet-5"))  # no manual thinking
    assert adapted["model"] == "claude-sonnet-5" and adapted["max_tokens"] == 100_000
    assert "thinking" not in adapted and adapted["output_config"] == {"effort": "max"}
    assert len(changes) == 1
    adapted, changes = edits.adapt_to_model(request, catalog.get("claude-haiku-4-5"))  # no effort
    assert adapted["max_tokens"] == 64_000 and adapted["thinking"]["type"] == "enabled"
    assert "output_config" not in adapted and len(changes) == 2
    same, none = edits.adapt_to_model(BASE, catalog.get("claude-opus-5"))
    assert none == [] and same["model"] == "claude-opus-5"


def test_replies_and_tool_results_are_appended_as_turns():
    reply = [{"type": "text", "text": "Calling.", "citations": None},
             {"type": "tool_use", "id": "tu1", "name": "w", "input": {"city": "Oslo"}}]
    request = edits.append_tool_results(BASE, reply, [edits.ToolResultInput("tu1", "sunny", is_error=True)])
    assert request["messages"][-2] == {"role": "assistant", "content": [
        {"type": "text", "text": "Calling."}, {"type": "tool_use", "id": "tu1", "name": "w", "input": {"city": "Oslo"}}]}
    assert request["messages"][-1] == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "tu1", "content": "sunny", "is_error": True}]}
    plain = edits.append_reply(BASE, [{"type": "text", "text": "Hi", "citations": None}])
    assert plain["messages"][-1] == {"role": "assistant", "content": "Hi"}


def test_extra_headers_parse_and_refuse_credentials():
    import pytest

    assert edits.parse_extra_headers("  ") == {}
    assert edits.parse_extra_headers('{"anthropic-beta": "x"}') == {"anthropic-beta": "x"}
    with pytest.raises(ValueError, match="Not valid JSON"):
        edits.parse_extra_headers("{")
    with pytest.raises(ValueError, match="header name"):
        edits.parse_extra_headers('{"a": 1}')
    with pytest.raises(edits.CredentialHeaderError, match="ANTHROPIC_API_KEY"):
        edits.parse_extra_headers('{"X-Api-Key": "not-a-real-key"}')
