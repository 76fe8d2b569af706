"""Hypothesis-generated prompts, exported and run in every language, send Workbench's body.

Each example is a batch of prompts run by one process per language, which keeps the test lean.
"""
from __future__ import annotations

import itertools

import pytest
from capture_server import CaptureServer
from codegen_support import RUNNERS, Case, assert_sent_as_workbench, ensure_node_packages, workbench_body, write_snippets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

VARIABLES = ("a", "b.c", "d-e", "class", "client")
TRICKY_BITS = ["${", "${x}", "`", "$(", "$", "'", '"', "\\", "\\n", "\n", "\r\n", "\t", "JSON", "EOF", "{", "}",
               "{{", "}}", "%s", "\x00", "\x1b", "\x7f", "\u2028", "\ufeff", "é", "😀", "漢", "\\(", "*/", "//"]
_counter = itertools.count()

plain_text = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(TRICKY_BITS)), max_size=6).map("".join)
template_text = st.lists(st.one_of(plain_text, st.sampled_from([f"{{{{{name}}}}}" for name in VARIABLES]
                                                               + ["{{ a }}", "{{\tb.c}}"])), max_size=5).map("".join)
# A blank value counts as missing, and a shell argument cannot hold NUL: values always have a letter, never NUL.
values = st.fixed_dictionaries({name: plain_text.map(lambda text: "v" + text.replace("\x00", ""))
                                for name in VARIABLES})
safe_int = st.integers(-(2**53) + 1, 2**53 - 1)
json_key = st.one_of(plain_text, st.sampled_from(["__proto__", "constructor", "toString", "a-b", "0", ""]))
json_value = st.recursive(
    st.none() | st.booleans() | safe_int | st.floats(allow_nan=False, allow_infinity=False) | plain_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(json_key, children, max_size=3),
    max_leaves=8,
)
cache_control = st.sampled_from([{"type": "ephemeral"}, {"type": "ephemeral", "ttl": "5m"},
                                 {"type": "ephemeral", "ttl": "1h"}])


@st.composite
def text_block(draw):
    block = {"type": "text", "text": draw(template_text)}
    if draw(st.booleans()):
        block["cache_control"] = draw(cache_control)
    return block


@st.composite
def request(draw):
    body = {"model": draw(st.sampled_from(["claude-haiku-4-5", "claude-sonnet-5-5", "claude-opus-5-5"])),
            "max_tokens": draw(st.integers(1, 64000))}
    if draw(st.booleans()):
        body["system"] = draw(st.one_of(template_text, st.lists(text_block(), min_size=1, max_size=2)))
    turns = draw(st.integers(1, 3))
    body["messages"] = [{"role": "user" if turn % 2 == 0 else "assistant",
                         "content": draw(st.one_of(template_text, st.lists(text_block(), min_size=1, max_size=2)))}
                        for turn in range(turns)]
    if draw(st.booleans()):
        body["tools"] = [{"name": draw(st.from_regex(r"[a-z_]{1,12}", fullmatch=True)),
                          "description": draw(template_text),
                          "input_schema": {"type": "object",
                                           "properties": draw(st.dictionaries(json_key, json_value, max_size=3))}}]
    optional = {
        "stop_sequences": st.lists(plain_text, max_size=3),
        "metadata": st.fixed_dictionaries({"user_id": plain_text}),
        "temperature": st.floats(0, 1),
        "top_k": st.integers(1, 500),
        "thinking": st.fixed_dictionaries({"type": st.just("enabled"), "budget_tokens": st.integers(1024, 32000)}),
        "x_extra": json_value,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body


@st.composite
def cases(draw):
    return [Case(f"h{next(_counter)}", draw(request()), draw(values),
                 draw(st.sampled_from([{}, {"anthropic-beta": "beta-1"}])))
            for _ in range(8)]


@pytest.fixture(scope="module")
def server():
    ensure_node_packages()
    capture = CaptureServer()
    yield capture
    capture.stop()


# Shrinking would rerun whole batches of processes for minutes: a failure reports its batch as drawn.
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(batch=cases(), stream=st.booleans(), keep=st.booleans(), custom=st.booleans())
def test_generated_prompts_round_trip_in_every_language(server, tmp_path, batch, stream, keep, custom):
    expected = {case.label: workbench_body(server, case) for case in batch}
    for language, run_snippets in RUNNERS.items():
        folder = tmp_path / f"batch{next(_counter)}"
        runs = write_snippets(server, batch, language, folder, stream=stream, keep_variables=keep,
                              custom_base_url=custom)
        run_snippets(runs, folder)
        for run, case in zip(runs, batch):
            assert_sent_as_workbench(server, run, expected[case.label], case, stream=stream)
