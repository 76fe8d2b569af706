"""Each Compare column exports its own request: its model, its overrides, the run's variable values."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.compare_setup import override_key
from components.page_state import CompareKeys
from editor_apptest import APP, TIMEOUT_S, set_editor_prompt
from workbench import compare
from workbench.codegen import export_snippet
from workbench.spec import PromptSpec, new_prompt


def test_each_column_exports_its_model_and_overrides(monkeypatch, simulator):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=300)
    spec = PromptSpec(request=spec.request, name="landmarks", variables={"city": "Paris"})
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    set_editor_prompt(app, spec)
    app.switch_page("app_pages/compare.py")
    app.run()
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-opus-5-5"]).run()
    basis = app.session_state["compare"].overrides_basis
    app.number_input(key=override_key("max_tokens", "claude-opus-5-5", basis)).set_value(777).run()
    assert not app.code  # closed panels build nothing
    for model in ("claude-haiku-4-5", "claude-opus-5-5"):
        app.session_state[CompareKeys.export(model).open] = True
    app.run()
    assert not app.exception, app.exception

    python = [element.value for element in app.code if element.language == "python"]
    assert len(python) == 2
    haiku, opus = python
    assert 'model="claude-haiku-4-5"' in haiku and "max_tokens=300," in haiku
    assert 'model="claude-opus-5-5"' in opus and "max_tokens=777," in opus
    opus_request = compare.request_for_model(spec.request, "claude-opus-5-5", compare.ModelOverrides(max_tokens=777))
    expected = export_snippet(opus_request, {"city": "Paris"}, "python", stream=True, base_url=simulator.base_url,
                              name="landmarks claude-opus-5-5")
    assert opus == expected.code.rstrip("\n")
    assert "Name one landmark of Paris." in opus

    app.toggle(key=CompareKeys.export("claude-opus-5-5").keep_variables).set_value(True).run()
    python = [element.value for element in app.code if element.language == "python"]
    assert 'f"Name one landmark of {city}."' in python[1] and "{city}" not in python[0]
    downloads = {button.key: button.label for button in app.get("download_button")}
    assert downloads[CompareKeys.export("claude-opus-5-5").download("python")] == "Download landmarks_claude_opus_5_5.py"
