"""Typed page state: each page keeps one dataclass under one session key; every other key is a widget
key named in components/page_state.py; no component builds keys from a prefix."""
from __future__ import annotations

import re
from pathlib import Path

from components.page_state import (
    BuilderKeys, CompareKeys, CompareState, EditorKeys, EditorState, ExportKeys, ToolsKeys, ToolsState,
)
from editor_apptest import click, open_app, write_turn

REPO = Path(__file__).resolve().parents[1]
# Keys made by the Keys classes' functions (turns, variables, tool results, per-model overrides).
KEY_PATTERNS = [re.escape(EditorKeys.turn(0, "x")).replace("0", r"\d+").replace("x", r"\w+"),
                re.escape(EditorKeys.turn(0)).replace("0", r"\d+"),
                re.escape(EditorKeys.variable("x")).replace("x", r".+"),
                re.escape(EditorKeys.tool_result(0, "x")).replace("0", r"\d+").replace("x", r"\w+"),
                re.escape(CompareKeys.variable("x")).replace("x", r".+"),
                re.escape(EditorKeys.tool(0, "x")).replace("0", r"\d+").replace("x", r"\w+"),
                re.escape(EditorKeys.tool(0)).replace("0", r"\d+"),
                re.escape(ToolsKeys.try_run(0, "x")).replace("0", r"\d+").replace("x", r"\w+"),
                # a tool builder's parameter widgets, by parameter path (containers use - for /)
                *(re.escape(keys.base) + r"_p_.*" for keys in (ToolsKeys.BUILDER, EditorKeys.TOOL_BUILDER)),
                *(re.escape(CompareKeys.override(setting, "MODEL", "0123abcd")).replace("MODEL", r".+")
                  .replace("0123abcd", r"[0-9a-f]{0,8}") for setting in ("max_tokens", "effort", "thinking", "budget")),
                *(re.escape(key).replace("MODEL", r".+") for key in CompareKeys.export("MODEL").all())]


def declared_widget_keys() -> set[str]:
    declared = {value for keys in (EditorKeys, CompareKeys, ToolsKeys) for name, value in vars(keys).items()
                if name.isupper() and isinstance(value, str)}
    panels = [value for keys in (EditorKeys, CompareKeys) for value in vars(keys).values()
              if isinstance(value, ExportKeys)]
    builders = [value for keys in (EditorKeys, ToolsKeys) for value in vars(keys).values()
                if isinstance(value, BuilderKeys)]
    return declared.union(*(panel.all() for panel in panels), *(vars(builder).values() for builder in builders))


def test_session_state_is_one_object_per_page_plus_declared_widget_keys(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Say hello to {{name}}.")
    app.text_area(key=EditorKeys.variable("name")).input("Ada")
    app.run()
    click(app, EditorKeys.RUN)
    editor_keys = set(app.session_state)
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception, app.exception
    compare_keys = set(app.session_state)
    app.switch_page("app_pages/tools.py").run()
    assert not app.exception, app.exception
    keys = editor_keys | compare_keys | set(app.session_state)

    assert isinstance(app.session_state["editor"], EditorState)
    assert isinstance(app.session_state["compare"], CompareState)
    assert app.session_state["editor"].variable_values == {"name": "Ada"}
    assert app.session_state["editor"].last_run is not None and app.session_state["editor"].last_run.ok
    declared = declared_widget_keys()
    assert isinstance(app.session_state["tools"], ToolsState)
    loose = [key for key in keys - {"editor", "compare", "tools"}
             if key not in declared and not any(re.fullmatch(pattern, key) for pattern in KEY_PATTERNS)]
    assert EditorKeys.RUN in keys and CompareKeys.MODELS in keys and ToolsKeys.TRY in keys
    assert EditorKeys.TOOL_BUILDER.name in keys and ToolsKeys.BUILDER.json in keys
    assert loose == []


def test_no_component_or_page_takes_a_key_prefix():
    files = [*REPO.glob("components/*.py"), *REPO.glob("app_pages/*.py")]
    assert files and [path.name for path in files if "key_prefix" in path.read_text(encoding="utf-8")] == []
