"""Editor journeys: type a prompt, see its count and cost, run it on the simulator, see text and metrics."""
from __future__ import annotations

from editor_apptest import click, metric_value, open_app, texts, write_turn
from workbench.usage_log import UsageLog


def _counter_calls() -> int:
    from components.session import get_token_counter

    return get_token_counter().calls


def test_typing_a_prompt_shows_its_exact_token_count_and_projected_costs(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Summarise the plot of Hamlet in two sentences.")
    tokens = metric_value(app, "Input tokens")
    assert not tokens.startswith("≈") and int(tokens.replace(",", "")) > 5
    # No cache breakpoint, so no cache-hit column (it would promise a price no call gets).
    cost_table = next(element.value for element in app.markdown if "| Standard | Batch |" in element.value)
    assert cost_table.count("| $") == 2
    assert metric_value(app, "Context window used").endswith("%")


def test_an_unchanged_request_is_not_counted_again(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Count me once, please.")
    calls = _counter_calls()
    app.run()
    app.switch_page("app_pages/tools.py").run()
    app.switch_page("app_pages/editor.py").run()
    assert _counter_calls() == calls


def test_run_streams_the_reply_and_shows_metrics_and_logs_the_call(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Tell me about lighthouses.")
    click(app, "editor_run")
    assert "Simulated reply" in texts(app)
    metrics = next(element.value for element in app.markdown if "| Time to first token |" in element.value)
    values = metrics.splitlines()[-1].strip("| ").split(" | ")
    assert values[0].endswith("ms") and values[1].endswith(("ms", " s")) and values[3].startswith("$")
    line = texts(app)
    assert "stop_reason `end_turn`" in line and "request-id `req_" in line and "input " in line
    log = UsageLog(workbench_home / "calls.db")
    assert log.count(source="editor") == 1
    assert log.recent(1)[0].prompt_name == "untitled"


def test_the_run_button_is_the_only_way_to_send(monkeypatch, simulator, workbench_home):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Do not send me yet.")
    app.run()
    assert UsageLog(workbench_home / "calls.db").count() == 0


def test_variables_get_inputs_and_their_values_are_sent(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Write a haiku about {{topic}} for {{ reader }}.")
    app.text_area(key="editor_var_topic").input("autumn rain")
    app.text_area(key="editor_var_reader").input("a child")
    app.run()
    click(app, "editor_run")
    assert 'Write a haiku about autumn rain for a child.' in texts(app)
    # The prompt itself keeps the template.
    assert "{{topic}}" in app.session_state["editor"].prompt.request["messages"][0]["content"]


def test_cache_breakpoints_show_cache_tokens_after_runs(monkeypatch, simulator):
    import uuid

    app = open_app(monkeypatch, simulator)
    long_system = f"Reference {uuid.uuid4()}. " + "The quick brown fox jumps over the lazy dog. " * 600
    app.text_area(key="editor_system").input(long_system)
    app.run()
    app.segmented_control(key="editor_system_cache").set_value("1h")
    app.run()
    assert app.session_state["editor"].prompt.request["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    write_turn(app, 0, "Hello")
    click(app, "editor_run")
    assert "cache write 0" not in texts(app)
    click(app, "editor_run")
    assert "cache read 0" not in texts(app)


def test_a_reply_cut_at_max_tokens_gets_a_warning_with_the_fix(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    write_turn(app, 0, "Write a long essay about rivers.")
    app.number_input(key="editor_max_tokens").set_value(8)
    app.run()
    click(app, "editor_run")
    warnings = " ".join(element.value for element in app.warning)
    assert "reached max_tokens (8)" in warnings and "Raise max_tokens" in warnings


def test_thinking_is_shown_in_a_collapsed_block(monkeypatch, simulator):
    app = open_app(monkeypatch, simulator)
    app.selectbox(key="editor_model").set_value("claude-opus-5-5")
    app.run()
    app.selectbox(key="editor_thinking").set_value("enabled")
    app.run()
    app.number_input(key="editor_max_tokens").set_value(4096)
    app.run()
    write_turn(app, 0, "Think about prime numbers, then answer.")
    click(app, "editor_run")
    thinking = [expander for expander in app.expander if expander.label == "Thinking"]
    assert thinking and not thinking[0].proto.expanded
    assert "Simulated reply" in texts(app)
