"""Run history in the Editor: a reload shows the last reply again; History restores a run and compares two."""
from __future__ import annotations

import json
import sqlite3

from editor_apptest import apply_json, click, open_app, texts, write_turn

from workbench.migrations import MIGRATIONS_TABLE
from workbench.usage_log import UsageLog

TEMPLATE = {"model": "claude-haiku-4-5", "max_tokens": 200,
            "messages": [{"role": "user", "content": "Write a haiku about {{topic}}."}]}


def test_a_reload_shows_the_last_reply_again(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Tell me about lighthouses.")
    click(app, "editor_run")
    reply = app.session_state["editor"].last_run.text
    assert reply
    reloaded = open_app(monkeypatch, simulator)  # a new session: the draft and the call log are all it has
    assert reloaded.session_state["editor"].last_run.text == reply
    assert reply.splitlines()[0][:40] in texts(reloaded)


def test_history_restores_a_runs_request_and_variables_and_compares_two(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    apply_json(app, json.dumps(TEMPLATE))
    app.text_area(key="editor_var_topic").input("rain").run()
    click(app, "editor_run")
    app.text_area(key="editor_var_topic").input("snow").run()
    click(app, "editor_run")
    runs = app.selectbox(key="editor_history_pick").options
    assert len(runs) == 2
    second_run, first_run = (row["id"] for row in UsageLog().query_calls())
    app.selectbox(key="editor_history_pick").set_value(first_run).run()
    click(app, "editor_history_restore")
    assert app.session_state["editor"].variable_values == {"topic": "rain"}
    assert app.session_state["editor"].prompt.request["messages"][0]["content"] == "Write a haiku about {{topic}}."
    assert app.session_state["editor"].last_run.log_id == first_run
    app.multiselect(key="editor_history_compare").select(first_run).select(second_run).run()
    assert not app.exception, app.exception
    assert "Request differs in: `messages`" in texts(app)


def test_a_log_from_a_newer_version_blocks_run_with_one_sentence(monkeypatch, simulator, workbench_home):
    UsageLog().close()
    with sqlite3.connect(workbench_home / "calls.db") as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Hello?")
    assert app.button(key="editor_run").disabled
    assert "newer version of Workbench" in texts(app)
