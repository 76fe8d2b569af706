"""Shared set-up for the AppTest tests of the app shell and the Editor page."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.page_state import EDITOR_STATE_KEY, EditorKeys, EditorState
from workbench.spec import PromptSpec

APP = Path(__file__).resolve().parents[1] / "app.py"
# The first run lists models and may start things; later runs are fast.
TIMEOUT_S = 30


def new_app() -> AppTest:
    """An AppTest of app.py, which runs app.py (sidebar, setup_state, navigation) on every run."""
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def open_app(monkeypatch, simulator, *, api_key: str = "test-key", panels_open: bool = True) -> AppTest:
    """The app pointed at the session simulator (a custom endpoint with `api_key`), after its first run.

    With `panels_open`, the Editor's "Thinking, effort, …" and "Add a tool" expanders are open, as a
    user opens them before using what is inside (their content is built only while they are open).
    """
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", api_key)
    app = new_app()
    if panels_open:
        open_editor_panels(app)
    app.run()
    assert not app.exception, app.exception
    return app


def open_editor_panels(app: AppTest) -> None:
    """Open the Editor's settings and Add-a-tool expanders (applied on the next run)."""
    app.session_state[EditorKeys.SETTINGS_OPEN] = True
    app.session_state[EditorKeys.ADD_TOOL_OPEN] = True


def set_editor_prompt(app: AppTest, spec: PromptSpec) -> None:
    """Make `spec` the Editor's prompt: a fresh Editor state before the first run, else in the existing one."""
    if EDITOR_STATE_KEY in app.session_state:
        app.session_state[EDITOR_STATE_KEY].prompt = spec
    else:
        app.session_state[EDITOR_STATE_KEY] = EditorState(prompt=spec)


def metric_value(app: AppTest, label: str) -> str:
    """The value shown by the metric with this label (metrics have no keys)."""
    values = [metric.value for metric in app.metric if metric.label == label]
    assert values, f"no metric labelled {label!r}; have {[metric.label for metric in app.metric]}"
    return values[0]


def texts(app: AppTest) -> str:
    """All markdown, captions, errors, warnings, infos and successes of the page, for `in` checks."""
    parts = []
    for group in (app.markdown, app.caption, app.error, app.warning, app.info, app.success):
        parts += [str(element.value) for element in group]
    return "\n".join(parts)


def write_turn(app: AppTest, index: int, text: str) -> AppTest:
    """Type into turn `index` and rerun (a text area commits on blur, which AppTest's run stands for)."""
    app.text_area(key=f"editor_turn_{index}_text").input(text)
    app.run()
    assert not app.exception, app.exception
    return app


def click(app: AppTest, key: str) -> AppTest:
    """Click the button with this key and rerun."""
    app.button(key=key).click()
    app.run()
    assert not app.exception, app.exception
    return app


def apply_json(app: AppTest, text: str) -> AppTest:
    """Type a request body into the Request JSON view and press Apply."""
    app.text_area(key="editor_raw_json").input(text)
    return click(app, "editor_apply_json")
