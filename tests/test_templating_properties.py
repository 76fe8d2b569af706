"""Property tests of templating: identity without variables, no leftovers, braces survive, names round trip."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workbench.templating import find_variables, render_text, substitute, variables_in_text

variable_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)
brace_free_text = st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=30)
# Text built from braces plus characters that can never start a variable name, so no {{name}}
# can form in it, however the pieces are arranged.
non_name_text = st.text(st.sampled_from(list("{} \t\n0123456789:,\"'[]-.+=$#\\é")), max_size=60)


def request_from(system: str, contents: list[str], tool_description: str) -> dict:
    return {
        "model": "claude-haiku-4-5",
        "max_tokens": 10,
        "system": system,
        "messages": [{"role": "user" if index % 2 == 0 else "assistant",
                      "content": [{"type": "text", "text": text}] if index % 3 == 1 else text}
                     for index, text in enumerate(contents)],
        "tools": [{"name": "t", "description": tool_description}],
    }


@given(system=non_name_text, contents=st.lists(non_name_text, min_size=1, max_size=4), description=non_name_text)
def test_substitution_with_no_variables_is_identity(system, contents, description):
    request = request_from(system, contents, description)
    assert find_variables(request) == []
    assert substitute(request, {}) == request


@given(text=non_name_text)
def test_brace_text_without_valid_names_survives_unchanged(text):
    assert variables_in_text(text) == []
    assert render_text(text, {"x": "X"}) == text


@given(names=st.lists(variable_names, min_size=1, max_size=5, unique=True),
       fillers=st.lists(brace_free_text, min_size=6, max_size=6),
       spaced=st.booleans())
def test_names_round_trip_in_order(names, fillers, spaced):
    template = fillers[0]
    for index, name in enumerate(names):
        template += ("{{ " + name + " }}" if spaced else "{{" + name + "}}") + fillers[index + 1]
    request = request_from(template, [template + template], "")
    assert find_variables(request) == names


@given(names=st.lists(variable_names, min_size=1, max_size=5, unique=True),
       values=st.lists(brace_free_text, min_size=5, max_size=5),
       filler=brace_free_text)
def test_after_substituting_every_value_no_variable_is_left(names, values, filler):
    template = filler.join("{{" + name + "}}" for name in names)
    request = request_from(template, [template, "x " + template], template)
    mapping = dict(zip(names, values[:len(names)], strict=True))
    result = substitute(request, mapping)
    assert find_variables(result) == []
    assert result["system"] == filler.join(mapping[name] for name in names)
