"""The Compare page with a backend that is not set up: estimates and a disabled Run, never a traceback."""
from __future__ import annotations

from editor_apptest import new_app, set_editor_prompt, texts
from workbench.spec import new_prompt


def test_api_backend_without_key_estimates_tokens_and_blocks_both_runs(monkeypatch):
    monkeypatch.setenv("WORKBENCH_BACKEND", "api")
    app = new_app()
    set_editor_prompt(app, new_prompt("claude-haiku-4-5", user_text="Say hi."))
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception, app.exception
    # Token counts fall back to labelled estimates that say why.
    assert "WORKBENCH_BACKEND=api needs an API key" in " ".join(caption.value for caption in app.caption)
    assert app.button(key="compare_run").disabled
    assert app.button(key="compare_run_matrix").disabled
    assert "Nothing can run until the backend is set up" in texts(app)
