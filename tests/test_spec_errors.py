"""Every way a prompt file can be wrong gives PromptFileError naming the file and the JSON path."""
from __future__ import annotations

import copy
import json

import pytest

from workbench.spec import PromptFileError, PromptSpec, load_prompt, loads_prompt, validate_request

SOURCE = "greet.prompt.json"
GOOD = {
    "format": "workbench.prompt/1",
    "name": "greet",
    "description": "",
    "variables": {"name": "Ada"},
    "request": {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "system": "Be kind.",
        "messages": [{"role": "user", "content": "Hi {{name}}"},
                     {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}],
    },
}


def changed(edit) -> dict:
    data = copy.deepcopy(GOOD)
    edit(data)
    return data


def set_at(*keys_and_value):
    *keys, value = keys_and_value

    def edit(data):
        holder = data
        for key in keys[:-1]:
            holder = holder[key]
        holder[keys[-1]] = value
    return edit


def drop(*keys):
    def edit(data):
        holder = data
        for key in keys[:-1]:
            holder = holder[key]
        del holder[keys[-1]]
    return edit


BAD_FILES = [
    # (case id, edit, JSON path at fault, words the problem must contain)
    ("format missing", drop("format"), "$.format", "missing"),
    ("format wrong", set_at("format", "workbench.prompt/2"), "$.format", '"workbench.prompt/2"'),
    ("unknown top-level key", set_at("varaibles", {}), "$.varaibles", "unknown key"),
    ("name not a string", set_at("name", 3), "$.name", "string"),
    ("description not a string", set_at("description", ["x"]), "$.description", "string"),
    ("variables not an object", set_at("variables", ["name"]), "$.variables", "object"),
    ("variable default not a string", set_at("variables", "name", 5), "$.variables.name", "string"),
    ("variable name invalid", set_at("variables", {"1x": "a"}), '$.variables["1x"]', "not a valid variable name"),
    ("request missing", drop("request"), "$.request", "missing"),
    ("request not an object", set_at("request", "hi"), "$.request", "object"),
    ("model missing", drop("request", "model"), "$.request.model", "missing"),
    ("model empty", set_at("request", "model", ""), "$.request.model", "non-empty string"),
    ("model not a string", set_at("request", "model", 4), "$.request.model", "non-empty string"),
    ("max_tokens missing", drop("request", "max_tokens"), "$.request.max_tokens", "missing"),
    ("max_tokens zero", set_at("request", "max_tokens", 0), "$.request.max_tokens", "positive integer"),
    ("max_tokens a string", set_at("request", "max_tokens", "100"), "$.request.max_tokens", "positive integer"),
    ("max_tokens a bool", set_at("request", "max_tokens", True), "$.request.max_tokens", "positive integer"),
    ("max_tokens a float", set_at("request", "max_tokens", 1.5), "$.request.max_tokens", "positive integer"),
    ("stream present", set_at("request", "stream", True), "$.request.stream", "must not be present"),
    ("stream false present", set_at("request", "stream", False), "$.request.stream", "must not be present"),
    ("messages missing", drop("request", "messages"), "$.request.messages", "missing"),
    ("messages empty", set_at("request", "messages", []), "$.request.messages", "at least one"),
    ("messages an object", set_at("request", "messages", {}), "$.request.messages", "array"),
    ("message not an object", set_at("request", "messages", 0, "hi"), "$.request.messages[0]", "object"),
    ("role wrong", set_at("request", "messages", 1, "role", "bot"), "$.request.messages[1].role",
     'must be "user" or "assistant", got "bot"'),
    ("role missing", drop("request", "messages", 0, "role"), "$.request.messages[0].role", "missing"),
    ("content missing", drop("request", "messages", 0, "content"), "$.request.messages[0].content", "missing"),
    ("content a number", set_at("request", "messages", 0, "content", 7), "$.request.messages[0].content",
     "string or an array"),
    ("block not an object", set_at("request", "messages", 1, "content", ["hi"]),
     "$.request.messages[1].content[0]", "content block"),
    ("block without type", set_at("request", "messages", 1, "content", [{"text": "hi"}]),
     "$.request.messages[1].content[0].type", "string"),
    ("text block without text", set_at("request", "messages", 1, "content", [{"type": "text"}]),
     "$.request.messages[1].content[0].text", "string"),
    ("tool_result content wrong", set_at("request", "messages", 0, "content",
                                         [{"type": "tool_result", "tool_use_id": "t", "content": 5}]),
     "$.request.messages[0].content[0].content", "string or an array"),
    ("system a number", set_at("request", "system", 1), "$.request.system", "string or an array"),
    ("system block not text", set_at("request", "system", [{"type": "image"}]), "$.request.system[0]", "text block"),
    ("system text not a string", set_at("request", "system", [{"type": "text", "text": None}]),
     "$.request.system[0].text", "string"),
    ("tools not a list", set_at("request", "tools", {}), "$.request.tools", "array"),
    ("tool without name", set_at("request", "tools", [{"description": "x"}]), "$.request.tools[0].name",
     "non-empty string"),
    ("stop_sequences wrong", set_at("request", "stop_sequences", "END"), "$.request.stop_sequences", "strings"),
    ("temperature a string", set_at("request", "temperature", "hot"), "$.request.temperature", "number"),
    ("top_k a float", set_at("request", "top_k", 0.5), "$.request.top_k", "integer"),
    ("thinking not an object", set_at("request", "thinking", "on"), "$.request.thinking", "object"),
]


@pytest.mark.parametrize("edit, json_path, words", [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file_names_source_and_path(edit, json_path, words):
    with pytest.raises(PromptFileError) as caught:
        loads_prompt(json.dumps(changed(edit)), SOURCE)
    error = caught.value
    assert (error.source, error.json_path) == (SOURCE, json_path)
    assert words in error.problem
    assert str(error) == f"{SOURCE}: {json_path}: {error.problem}"


def test_the_documented_example_message():
    data = changed(set_at("request", "messages", 1, "role", "bot"))
    with pytest.raises(PromptFileError) as caught:
        loads_prompt(json.dumps(data), SOURCE)
    assert str(caught.value) == (
        'greet.prompt.json: $.request.messages[1].role: must be "user" or "assistant", got "bot"')


def test_the_good_file_itself_loads():
    assert loads_prompt(json.dumps(GOOD), SOURCE).name == "greet"


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    (" \n\t", "empty"),
    (b"", "empty"),
    ("{", "not valid JSON"),
    ('{"format": "workbench.prompt/1",}', "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('"just a string"', "JSON object"),
    ('{"format": NaN}', "NaN"),
])
def test_not_json_or_not_an_object(text, words):
    with pytest.raises(PromptFileError) as caught:
        loads_prompt(text, SOURCE)
    assert caught.value.source == SOURCE and caught.value.json_path == "$"
    assert words in caught.value.problem


def test_json_syntax_error_gives_line_and_column():
    with pytest.raises(PromptFileError) as caught:
        loads_prompt('{\n  "format": "workbench.prompt/1"\n  "name": "x"\n}', SOURCE)
    assert "line 3" in caught.value.problem


def test_non_utf8_bytes_are_refused_with_the_offset():
    raw = json.dumps(GOOD).encode("utf-8").replace(b"Be kind.", b"Be k\xe9nd.")   # Latin-1 é
    offset = raw.index(b"\xe9")
    with pytest.raises(PromptFileError) as caught:
        loads_prompt(raw, SOURCE)
    assert caught.value.json_path == "$"
    assert "not UTF-8" in caught.value.problem and f"offset {offset}" in caught.value.problem
    assert "0xe9" in caught.value.problem
    with pytest.raises(PromptFileError) as caught:
        loads_prompt(b"\xef\xbb\xbf" + raw, SOURCE)        # offsets count the byte-order mark too
    assert f"0xe9 at offset {offset + 3}" in caught.value.problem


def test_load_prompt_names_the_path_it_was_given(tmp_path):
    path = tmp_path / "greet.prompt.json"
    path.write_text(json.dumps(changed(drop("request", "max_tokens"))), encoding="utf-8")
    with pytest.raises(PromptFileError) as caught:
        load_prompt(path)
    assert str(caught.value).startswith(f"{path}: $.request.max_tokens: ")


def test_load_prompt_of_a_missing_file(tmp_path):
    with pytest.raises(PromptFileError) as caught:
        load_prompt(tmp_path / "nope.prompt.json")
    assert "nope.prompt.json" in str(caught.value) and "cannot read" in caught.value.problem


def test_from_file_dict_defaults_the_source():
    with pytest.raises(PromptFileError) as caught:
        PromptSpec.from_file_dict([])
    assert str(caught.value).startswith("<input>: $: ")


def test_validate_request_alone_uses_dollar_paths():
    with pytest.raises(PromptFileError) as caught:
        validate_request({"model": "m", "max_tokens": 1, "messages": [], "stream": True}, "editor")
    assert str(caught.value).startswith("editor: $.stream: ")
