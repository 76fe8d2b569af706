"""The export rules that need no process: what is refused, what is kept as text, names, timeouts."""
from __future__ import annotations

import pytest

from workbench.codegen import CodegenError, export_snippet, sent_body
from workbench.codegen.plan import unique_identifiers
from workbench.templating import MissingVariableError

REQUEST = {"model": "claude-haiku-4-5", "max_tokens": 100,
           "messages": [{"role": "user", "content": "Hi {{name}}, {{ name }}!"}]}


def test_sent_body_fills_variables_and_adds_stream_only_when_streaming():
    assert sent_body(REQUEST, {"name": "Ada"}, stream=False)["messages"][0]["content"] == "Hi Ada, Ada!"
    assert "stream" not in sent_body(REQUEST, {"name": "Ada"}, stream=False)
    assert sent_body(REQUEST, {"name": "Ada"}, stream=True)["stream"] is True


@pytest.mark.parametrize("language", ["python", "typescript", "curl"])
def test_a_blank_or_missing_value_is_refused_like_a_run(language):
    with pytest.raises(MissingVariableError, match=r"\{\{name\}\}"):
        export_snippet(REQUEST, {"name": "   "}, language)
    with pytest.raises(MissingVariableError):
        export_snippet(REQUEST, None, language, keep_variables=True)


def test_a_request_as_sent_keeps_braces_as_text():
    code = export_snippet(REQUEST, None, "python", templated=False, keep_variables=True).code
    assert '"content": "Hi {{name}}, {{ name }}!"' in code and "def send_prompt" not in code


def test_unknown_language_and_unsendable_text_are_refused_with_a_sentence():
    with pytest.raises(CodegenError, match="choose one of python, typescript, curl"):
        export_snippet(REQUEST, {"name": "x"}, "ruby")
    with pytest.raises(CodegenError, match="not valid Unicode text"):
        export_snippet(REQUEST, {"name": "\ud800"}, "python")


def test_a_nul_in_a_kept_value_cannot_be_a_shell_argument():
    with pytest.raises(CodegenError, match="NUL"):
        export_snippet(REQUEST, {"name": "a\x00b"}, "curl", keep_variables=True)
    assert "\\u0000" in export_snippet(REQUEST, {"name": "a\x00b"}, "curl").code  # inlined, it is JSON text


def test_identifiers_are_valid_distinct_and_never_reserved():
    chosen = unique_identifiers(("a.b", "a-b", "a_b", "class", "class_"), frozenset({"class"}))
    assert chosen == {"a.b": "a_b", "a-b": "a_b_2", "a_b": "a_b_3", "class": "class_", "class_": "class__2"}


@pytest.mark.parametrize(("language", "timeout"), [("python", "timeout=3600.0,"), ("typescript", "timeout: 3600000")])
def test_a_long_non_streaming_call_carries_its_own_timeout(language, timeout):
    long = dict(REQUEST, max_tokens=64000)
    assert timeout in export_snippet(long, {"name": "x"}, language).code
    assert timeout not in export_snippet(long, {"name": "x"}, language, stream=True).code
    assert timeout not in export_snippet(REQUEST, {"name": "x"}, language).code


def test_a_header_the_prompt_sets_replaces_curls_default_instead_of_doubling_it():
    code = export_snippet(REQUEST, {"name": "x"}, "curl", headers={"Anthropic-Version": "2023-06-01"}).code
    assert code.lower().count("anthropic-version") == 1 and "'Anthropic-Version: 2023-06-01'" in code


def test_an_invalid_request_is_a_sentence_not_a_crash():
    with pytest.raises(CodegenError, match=r"the request is not valid: \$\.messages: must hold at least one message"):
        export_snippet({"model": "m", "max_tokens": 5, "messages": []}, None, "typescript")
