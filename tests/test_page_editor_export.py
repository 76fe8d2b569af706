"""The Editor's Export code panel: the current prompt and typed values as Python, TypeScript and curl."""
from __future__ import annotations

import json

from editor_apptest import open_app, texts, write_turn

from components.page_state import EditorKeys
from workbench.codegen import export_snippet

KEYS = EditorKeys.EXPORT
CANARY = "sk-ant-" + "canary-editor-export-99"  # split: no key-shaped literal in the tree


def open_panel(app):
    """Open the Export code expander (its content is built only while it is open)."""
    app.session_state[KEYS.open] = True
    app.run()
    assert not app.exception, app.exception
    return app


def codes(app) -> dict[str, str]:
    shown = {element.language: element.value for element in app.code}
    assert set(shown) >= {"python", "typescript", "bash"}, shown.keys()
    return shown


def test_the_panel_shows_the_prompt_as_code_with_the_typed_values(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator, api_key=CANARY)
    write_turn(app, 0, "Say hi to {{name}} and $(whoami) `x`.")
    assert not app.code  # closed: nothing is generated
    open_panel(app)
    app.text_area(key=EditorKeys.variable("name")).input("Ada \"the\" Countess").run()
    spec = app.session_state["editor"].prompt
    shown = codes(app)
    expected = export_snippet(spec.request, {"name": 'Ada "the" Countess'}, "python", stream=True,
                              base_url=simulator.base_url, name=spec.name)
    assert shown["python"] == expected.code.rstrip("\n")  # st.code drops the last newline
    assert "client.messages.stream(" in shown["python"]
    # The session simulator is a custom endpoint here (ANTHROPIC_BASE_URL), so the code calls it.
    assert f'base_url="{simulator.base_url}"' in shown["python"]
    assert f"'{simulator.base_url}/v1/messages'" in shown["bash"]
    assert all(CANARY not in code for code in shown.values())
    downloads = {button.key: button.label for button in app.get("download_button")}
    assert downloads[KEYS.download("python")] == "Download untitled.py"
    assert downloads[KEYS.download("typescript")] == "Download untitled.ts"
    assert downloads[KEYS.download("curl")] == "Download untitled.sh"


def test_options_change_the_code(monkeypatch, simulator):
    app = open_panel(open_app(monkeypatch, simulator))
    write_turn(app, 0, "Say hi to {{name}}.")
    app.text_area(key=EditorKeys.variable("name")).input("Ada").run()
    app.toggle(key=KEYS.keep_variables).set_value(True).run()
    app.toggle(key=KEYS.stream).set_value(False).run()
    shown = codes(app)
    assert 'f"Say hi to {name}."' in shown["python"] and 'send_prompt(name="Ada")' in shown["python"]
    assert "client.messages.create(" in shown["python"] and "stream" not in shown["python"].split("import")[1]
    assert "`Say hi to ${name}.`" in shown["typescript"]
    assert "--arg name" in shown["bash"]


def test_a_variable_without_a_value_is_named_instead_of_code(monkeypatch, simulator):
    app = open_panel(open_app(monkeypatch, simulator))
    write_turn(app, 0, "Say hi to {{name}}.")
    assert not app.code
    assert "Give every variable a value to export this prompt: no value for variable {{name}}" in texts(app)


def test_extra_headers_are_carried_into_the_code(monkeypatch, simulator):
    app = open_panel(open_app(monkeypatch, simulator))
    write_turn(app, 0, "Hello")
    app.text_input(key=EditorKeys.EXTRA_HEADERS).input(json.dumps({"anthropic-beta": "tools-2026"})).run()
    shown = codes(app)
    assert 'extra_headers={"anthropic-beta": "tools-2026"}' in shown["python"]
    assert "headers: { \"anthropic-beta\": \"tools-2026\" }" in shown["typescript"]
    assert "--header 'anthropic-beta: tools-2026'" in shown["bash"]
