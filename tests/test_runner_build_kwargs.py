"""build_call_kwargs: a pure split of the request into SDK keyword arguments and extra_body."""
from __future__ import annotations

import inspect

from anthropic.resources.messages import Messages

from workbench.runner import SDK_BODY_FIELDS, build_call_kwargs


def test_known_fields_become_keyword_arguments():
    request = {
        "model": "claude-haiku-4-5", "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        "system": "Be brief.", "stop_sequences": ["END"], "metadata": {"user_id": "u"},
        "tools": [], "tool_choice": {"type": "auto"}, "thinking": {"type": "disabled"},
        "output_config": {"effort": "low"},
    }
    kwargs = build_call_kwargs(request)
    assert kwargs == request
    assert "extra_body" not in kwargs


def test_unknown_fields_go_into_extra_body():
    # SDK 2.10+ has no temperature/top_p/top_k arguments: they must still reach the API.
    request = {"model": "m", "max_tokens": 1, "messages": [], "temperature": 0.3, "top_k": 5, "new_field": {"a": 1}}
    kwargs = build_call_kwargs(request)
    assert kwargs["extra_body"] == {"temperature": 0.3, "top_k": 5, "new_field": {"a": 1}}
    assert "temperature" not in kwargs


def test_stream_key_is_dropped():
    kwargs = build_call_kwargs({"model": "m", "max_tokens": 1, "messages": [], "stream": True})
    assert "stream" not in kwargs and "extra_body" not in kwargs


def test_pure_no_mutation_and_deep_copies():
    request = {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}], "temperature": 1}
    snapshot = repr(request)
    kwargs = build_call_kwargs(request)
    kwargs["messages"][0]["content"] = "changed"
    kwargs["extra_body"]["temperature"] = 0
    assert repr(request) == snapshot


def test_known_fields_match_the_sdk_signature():
    create_arguments = set(inspect.signature(Messages.create).parameters)
    assert {"model", "max_tokens", "messages", "system", "thinking", "output_config"} <= SDK_BODY_FIELDS
    assert SDK_BODY_FIELDS <= create_arguments
    # Header-only or control arguments never pass as body fields.
    assert not SDK_BODY_FIELDS & {"extra_headers", "extra_body", "timeout", "stream", "workspace_id"}
