"""The builder's edits: the form and the JSON are views of one tool object; what the form can't express stays."""
from __future__ import annotations

import pytest

from workbench import preflight
from workbench.models import offline_catalog
from workbench.tool_form import (
    ADVANCED, add_param, attach_tool, default_from_text, detach_tool, enum_values_from_text, new_tool, param_kind,
    params, remove_param, rename_param, set_constraint, set_enum_values, set_item_kind, set_kind, set_required,
    set_strict, set_tool_choice, structured_output_instead, unexpressed_keys,
)
from workbench.tools_schema import errors_in, validate_tool


def built_weather() -> dict:
    tool = new_tool("get_weather")
    tool = add_param(tool)  # param_1
    tool = rename_param(tool, ("param_1",), "city")
    tool = set_constraint(tool, ("city",), "description", "City name")
    tool = add_param(tool, name="unit")
    tool = set_kind(tool, ("unit",), "enum")
    tool = set_enum_values(tool, ("unit",), enum_values_from_text("celsius\nfahrenheit\n"))
    tool = set_required(tool, ("unit",), False)
    tool = add_param(tool, name="days")
    tool = set_kind(tool, ("days",), "integer")
    tool = set_constraint(tool, ("days",), "minimum", 1)
    tool = add_param(tool, name="stops")
    tool = set_kind(tool, ("stops",), "array")
    tool = set_item_kind(tool, ("stops",), "object")
    tool = add_param(tool, ("stops",), name="name")
    return tool


def test_building_a_tool_in_the_form_makes_the_api_tool_object():
    tool = built_weather()
    schema = tool["input_schema"]
    assert list(schema["properties"]) == ["city", "unit", "days", "stops"]
    assert schema["properties"]["unit"] == {"type": "string", "description": "", "enum": ["celsius", "fahrenheit"]}
    assert schema["required"] == ["city", "days", "stops"]
    assert schema["properties"]["days"]["minimum"] == 1
    assert schema["properties"]["stops"]["items"]["properties"]["name"]["type"] == "string"
    assert schema["properties"]["stops"]["items"]["required"] == ["name"]
    assert [param.name for param in params(tool, ("stops",))] == ["name"]
    assert errors_in(validate_tool(tool)) == []


def test_renaming_keeps_order_and_required_and_refuses_a_clash():
    tool = built_weather()
    renamed = rename_param(tool, ("days",), "day_count")
    assert list(renamed["input_schema"]["properties"]) == ["city", "unit", "day_count", "stops"]
    assert "day_count" in renamed["input_schema"]["required"]
    with pytest.raises(ValueError, match="already"):
        rename_param(tool, ("days",), "city")
    removed = remove_param(tool, ("city",))
    assert "city" not in removed["input_schema"]["properties"] and "city" not in removed["input_schema"]["required"]


def test_json_the_form_cannot_express_is_kept_intact():
    tool = {"name": "draw", "description": "Draw shapes on the canvas.", "input_schema": {
        "type": "object", "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "properties": {"shape": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/point"}], "description": "A."},
                       "size": {"type": "integer"}},
        "anyOf": [{"required": ["shape"]}, {"required": ["size"]}]}}
    kinds = {param.name: param.kind for param in params(tool)}
    assert kinds == {"shape": ADVANCED, "size": "integer"}
    assert set(unexpressed_keys(tool)) == {"$defs", "anyOf"}
    edited = set_constraint(add_param(tool, name="color"), ("size",), "maximum", 10)
    assert edited["input_schema"]["$defs"] == tool["input_schema"]["$defs"]
    assert edited["input_schema"]["anyOf"] == tool["input_schema"]["anyOf"]
    assert edited["input_schema"]["properties"]["shape"] == tool["input_schema"]["properties"]["shape"]


def test_strict_closes_every_object_and_new_objects_stay_closed():
    tool = set_strict(built_weather(), True)
    assert tool["strict"] is True
    assert tool["input_schema"]["additionalProperties"] is False
    assert tool["input_schema"]["properties"]["stops"]["items"]["additionalProperties"] is False
    tool = add_param(tool, name="extra")
    tool = set_kind(tool, ("extra",), "object")
    assert tool["input_schema"]["properties"]["extra"]["additionalProperties"] is False
    assert not [f for f in errors_in(validate_tool(tool)) if f.code.startswith("strict")]
    assert "strict" not in set_strict(tool, False)


def test_defaults_are_typed_by_kind():
    assert default_from_text("integer", "3") == 3
    assert default_from_text("boolean", "True") is True
    assert default_from_text("array", "[1, 2]") == [1, 2]
    assert default_from_text("string", "3") == "3"
    assert default_from_text("number", "") is None
    with pytest.raises(ValueError, match="whole number"):
        default_from_text("integer", "3.5")
    with pytest.raises(ValueError, match="true or false"):
        default_from_text("boolean", "yes")


def test_param_kinds():
    assert param_kind({"type": "string"}) == "string"
    assert param_kind({"type": "string", "enum": ["a"]}) == "enum"
    assert param_kind({"type": "array", "items": {"type": "integer"}}) == "array"
    assert param_kind({"type": ["string", "null"]}) == ADVANCED
    assert param_kind({"$ref": "#/$defs/x"}) == ADVANCED
    assert param_kind("string") == ADVANCED


def test_attaching_detaching_and_structured_output_instead():
    request = {"model": "claude-opus-5-5", "max_tokens": 512, "messages": [{"role": "user", "content": "Hi"}]}
    tool = built_weather()
    request, replaced = attach_tool(request, tool)
    assert not replaced and request["tools"] == [tool]
    request, replaced = attach_tool(request, {**tool, "description": "new"})
    assert replaced and len(request["tools"]) == 1
    forced = set_tool_choice(request, {"type": "tool", "name": "get_weather"})
    entry = offline_catalog().get("claude-opus-5-5")
    assert "forced_tool_choice_rejected" in [p.code for p in preflight.check(forced, entry).errors]
    instead = structured_output_instead(forced, "get_weather")
    assert "tool_choice" not in instead and "tools" not in instead  # the tool only shaped the reply
    schema = instead["output_config"]["format"]["schema"]
    assert schema["additionalProperties"] is False and schema["properties"]["stops"]["items"]["additionalProperties"] is False
    assert preflight.check(instead, entry).ok
    assert "tools" not in detach_tool(forced, 0) and "tool_choice" not in detach_tool(forced, 0)
