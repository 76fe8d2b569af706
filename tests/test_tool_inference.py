"""Inferring a tool from example JSON and from Python source (parsed with ast, never run)."""
from __future__ import annotations

import jsonschema
import pytest

from workbench.tool_inference import InferenceError, function_names, schema_from_example, tool_from_example, tool_from_python
from workbench.tools_schema import errors_in, validate_tool


def test_example_types_nesting_and_arrays():
    inferred = tool_from_example({"city": "Paris", "days": 3, "ratio": 0.5, "metric": True,
                                  "stops": [{"name": "a", "minutes": 5}, {"name": "b", "minutes": 2.5, "note": "x"}],
                                  "tags": ["x", "y"], "owner": {"id": 1}}, name="plan trip")
    schema = inferred.tool["input_schema"]
    assert inferred.tool["name"] == "plan_trip"
    assert schema["properties"]["city"] == {"type": "string"}
    assert schema["properties"]["days"] == {"type": "integer"}
    assert schema["properties"]["ratio"] == {"type": "number"}
    assert schema["properties"]["metric"] == {"type": "boolean"}
    stop = schema["properties"]["stops"]["items"]
    assert stop["properties"]["minutes"] == {"type": "number"}  # 5 and 2.5 merge to number
    assert stop["required"] == ["name", "minutes"]  # "note" is in only one item
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert schema["properties"]["owner"]["properties"]["id"] == {"type": "integer"}
    assert set(schema["required"]) == {"city", "days", "ratio", "metric", "stops", "tags", "owner"}
    assert errors_in(validate_tool(inferred.tool)) == []


def test_example_unknowns_are_said_not_guessed():
    inferred = tool_from_example({"when": None, "items": [], "bad key": 1})
    assert any('"when" was null' in note for note in inferred.notes)
    assert any('"items" was an empty array' in note for note in inferred.notes)
    assert "bad_key" in inferred.tool["input_schema"]["properties"]
    assert "when" not in inferred.tool["input_schema"]["required"]


def test_example_must_be_an_object():
    with pytest.raises(InferenceError, match="JSON object"):
        tool_from_example([1, 2])


def test_mixed_array_items_become_any_of():
    schema = schema_from_example([1, "a", None])
    jsonschema.validate([1, "a", None], schema)


SOURCE = '''
from __future__ import annotations
import os
from typing import Annotated, Literal, Optional, Union

def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius", days: int = 3,
                when: Optional[str] = None, tags: list[str] | None = None, *args, hourly: bool = False,
                scores: dict[str, float] = {}, pair: tuple[int, str] = (1, "a"),
                level: Annotated[int, "How loud, 1 to 5."] = 1, either: Union[int, str] = 0, **kwargs) -> dict:
    """Get the weather forecast for a city.

    Uses the forecast service.

    Args:
        city: The city, e.g. "Paris".
        unit: The temperature unit.
            Celsius unless the user asks.
        days (int): How many days ahead.
    """
    os.system("rm -rf /")
    raise SystemExit("this must never run")

def numpy_style(a: float, b: "list[int]"):
    """Add numbers.

    Parameters
    ----------
    a : float
        The first number.
    b : list of int
        More numbers.
    """
    open("/tmp/side-effect-from-inference", "w").write("ran")

def sphinx_style(x, y: "Optional[int]" = None):
    """Do a thing.

    :param x: The x value.
    :param int y: The y value.
    """
    while True:
        pass

class Store:
    async def find(self, query: str, limit: int = 10):
        """Find products."""
        1 / 0
'''


def test_python_function_parameters_annotations_defaults_and_docstring(tmp_path):
    inferred = tool_from_python(SOURCE, "get_weather")
    tool = inferred.tool
    schema = tool["input_schema"]
    properties = schema["properties"]
    assert tool["name"] == "get_weather"
    assert tool["description"] == "Get the weather forecast for a city. Uses the forecast service."
    assert properties["city"] == {"description": 'The city, e.g. "Paris".', "type": "string"}
    assert properties["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert properties["unit"]["default"] == "celsius"
    assert properties["unit"]["description"] == "The temperature unit. Celsius unless the user asks."
    assert properties["days"] == {"description": "How many days ahead.", "type": "integer", "default": 3}
    assert properties["when"] == {"type": ["string", "null"]}
    assert properties["tags"] == {"type": ["array", "null"], "items": {"type": "string"}}
    assert properties["hourly"] == {"type": "boolean", "default": False}
    assert properties["scores"]["additionalProperties"] == {"type": "number"}
    assert properties["pair"]["prefixItems"] == [{"type": "integer"}, {"type": "string"}]
    assert properties["level"]["description"] == "How loud, 1 to 5."
    assert properties["either"]["type"] == ["integer", "string"]
    assert schema["required"] == ["city"]
    assert "args" not in properties and "kwargs" not in properties
    assert any("*args" in note for note in inferred.notes) and any("**kwargs" in note for note in inferred.notes)
    assert errors_in(validate_tool(tool)) == []


def test_numpy_sphinx_and_methods():
    numpy = tool_from_python(SOURCE, "numpy_style").tool["input_schema"]["properties"]
    assert numpy["a"] == {"description": "The first number.", "type": "number"}
    assert numpy["b"] == {"description": "More numbers.", "type": "array", "items": {"type": "integer"}}
    sphinx = tool_from_python(SOURCE, "sphinx_style")
    assert sphinx.tool["input_schema"]["properties"]["x"] == {"description": "The x value."}
    assert sphinx.tool["input_schema"]["properties"]["y"]["type"] == ["integer", "null"]
    assert sphinx.tool["input_schema"]["required"] == ["x"]
    assert any('"x" has no type annotation' in note for note in sphinx.notes)
    method = tool_from_python(SOURCE, "Store.find").tool
    assert list(method["input_schema"]["properties"]) == ["query", "limit"]  # self is not an input
    assert function_names(SOURCE) == ["get_weather", "numpy_style", "sphinx_style", "Store.find"]


def test_nothing_in_the_source_is_executed(tmp_path, monkeypatch):
    """Bodies that delete files, raise, loop forever or write files: inference finishes and nothing ran."""
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran.txt"
    source = (f"open({str(marker)!r}, 'w').write('module level ran')\n"
              "import this_module_does_not_exist\n"
              f"def tool(path: str = open({str(marker)!r}, 'w').write('default ran')):\n"
              "    '''Delete a path for the user, carefully and with a log line.'''\n"
              "    import shutil; shutil.rmtree(path)\n"
              "    raise RuntimeError('never')\n")
    inferred = tool_from_python(source)
    assert not marker.exists()
    assert inferred.tool["input_schema"]["properties"]["path"] == {"type": "string"}
    assert any("not a literal" in note for note in inferred.notes)
    for name in function_names(SOURCE):
        tool_from_python(SOURCE, name)  # the loop, 1 / 0 and os.system in SOURCE never run
    assert not (tmp_path / "side-effect-from-inference").exists()


def test_bad_source_is_a_clear_error():
    with pytest.raises(InferenceError, match="Not valid Python"):
        tool_from_python("def broken(:\n  pass")
    with pytest.raises(InferenceError, match="No function named 'nope'; the source defines: get_weather"):
        tool_from_python(SOURCE, "nope")
    with pytest.raises(InferenceError, match="No function found"):
        tool_from_python("x = 1\n")
