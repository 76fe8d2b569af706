"""PromptSpec and the *.prompt.json format: round trips, stable bytes, hashes, small helpers."""
from __future__ import annotations

import json

from workbench.spec import (
    PROMPT_FORMAT,
    PromptSpec,
    dumps_prompt,
    load_prompt,
    loads_prompt,
    new_prompt,
    request_hash,
    save_prompt,
)


def rich_spec() -> PromptSpec:
    """A spec using most of the request shapes a prompt file can hold."""
    return PromptSpec(
        name="greet",
        description="Greets someone — in their language ✓",
        variables={"name": "Ada", "lang": "français"},
        request={
            "model": "claude-sonnet-5-5",
            "max_tokens": 512,
            "system": [{"type": "text", "text": "Reply in {{lang}}.", "cache_control": {"type": "ephemeral"}}],
            "messages": [
                {"role": "user", "content": "Hello, I am {{name}}."},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "lookup",
                                                   "input": {"q": "x"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "found"}]},
            ],
            "tools": [{"name": "lookup", "description": "Look up {{lang}} words",
                       "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}],
            "thinking": {"type": "adaptive"},
            "stop_sequences": ["END"],
        },
    )


def test_round_trip_through_text_keeps_every_field():
    spec = rich_spec()
    assert loads_prompt(dumps_prompt(spec), "greet.prompt.json") == spec


def test_round_trip_through_a_file(tmp_path):
    spec = rich_spec()
    path = save_prompt(spec, tmp_path / "greet.prompt.json")
    assert path == tmp_path / "greet.prompt.json"
    assert load_prompt(path) == spec


def test_saved_bytes_are_stable_sorted_and_end_with_a_newline(tmp_path):
    spec = rich_spec()
    first = save_prompt(spec, tmp_path / "a.prompt.json").read_bytes()
    # The same spec built with keys in another order gives the same bytes: diffs stay minimal.
    shuffled = PromptSpec(request=dict(reversed(list(spec.request.items()))), name=spec.name,
                          description=spec.description, variables=dict(reversed(list(spec.variables.items()))))
    second = save_prompt(shuffled, tmp_path / "b.prompt.json").read_bytes()
    assert first == second
    text = first.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "français" in text and "\\u" not in text      # real UTF-8, not \u escapes
    assert text.splitlines()[1].startswith('  "')         # two-space indent
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_file_dict_has_the_documented_shape():
    data = rich_spec().to_file_dict()
    assert set(data) == {"format", "name", "description", "variables", "request"}
    assert data["format"] == PROMPT_FORMAT == "workbench.prompt/1"


def test_to_file_dict_is_a_copy():
    spec = rich_spec()
    data = spec.to_file_dict()
    data["request"]["messages"][0]["content"] = "changed"
    data["variables"]["name"] = "changed"
    assert spec.request["messages"][0]["content"] == "Hello, I am {{name}}."
    assert spec.variables["name"] == "Ada"


def test_optional_file_keys_take_their_defaults():
    spec = loads_prompt(json.dumps({"format": PROMPT_FORMAT, "request": {
        "model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}}))
    assert (spec.name, spec.description, spec.variables) == ("untitled", "", {})


def test_new_prompt_is_a_valid_one_turn_request():
    spec = new_prompt("claude-opus-5-5", "Hi {{who}}", system="Be brief.", max_tokens=200)
    assert spec.model == "claude-opus-5-5"
    assert spec.request == {"model": "claude-opus-5-5", "max_tokens": 200, "system": "Be brief.",
                            "messages": [{"role": "user", "content": "Hi {{who}}"}]}
    assert loads_prompt(dumps_prompt(spec)) == spec
    assert "system" not in new_prompt("claude-opus-5-5").request


def test_with_request_replaces_keys_on_a_copy():
    spec = rich_spec()
    changed = spec.with_request(model="claude-haiku-5-5", max_tokens=64, thinking=None)
    assert changed.model == "claude-haiku-5-5" and changed.request["max_tokens"] == 64
    assert "thinking" not in changed.request                # None removes the key
    assert spec.model == "claude-sonnet-5-5" and "thinking" in spec.request
    changed.request["messages"].append({"role": "user", "content": "more"})
    assert len(spec.request["messages"]) == 3               # deep copy
    assert (changed.name, changed.variables) == (spec.name, spec.variables)


def test_request_hash_is_canonical_sha256():
    first = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "é"}]}
    reordered = {"messages": [{"content": "é", "role": "user"}], "max_tokens": 5, "model": "m"}
    assert request_hash(first) == request_hash(reordered)
    assert len(request_hash(first)) == 64 and int(request_hash(first), 16) >= 0
    assert request_hash(first) != request_hash({**first, "max_tokens": 6})


def test_request_hash_matches_the_documented_canonical_form():
    import hashlib
    request = {"b": 1, "a": "ü"}
    canonical = '{"a":"ü","b":1}'
    assert request_hash(request) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_a_byte_order_mark_is_tolerated():
    text = dumps_prompt(rich_spec())
    assert loads_prompt(b"\xef\xbb\xbf" + text.encode("utf-8")) == rich_spec()
