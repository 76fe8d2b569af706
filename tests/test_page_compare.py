"""The Compare page through AppTest, by widget key, against the session simulator."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from components.compare_setup import override_key
from editor_apptest import APP, TIMEOUT_S, set_editor_prompt, texts
from workbench import present
from workbench.spec import PromptSpec, new_prompt, save_prompt
from workbench.paths import prompts_dir
from workbench.usage_log import UsageLog
from workbench.pricing import DEFAULT_PRICE_FILE

DEFAULT_LINE_UP = ["claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5"]


def city_prompt(**request_changes) -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}.", max_tokens=300)
    return PromptSpec(request={**spec.request, **request_changes}, name="landmarks", variables={"city": "Paris"})


def open_compare(monkeypatch, simulator, prompt: PromptSpec | None = None) -> AppTest:
    """The Compare page with `prompt` as the Editor's current prompt."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    set_editor_prompt(app, prompt or city_prompt())
    app.switch_page("app_pages/compare.py")
    return rerun(app)


def table_with(app: AppTest, column: str):
    """The DataFrame of the first table that has `column` (read-only tables expose no key)."""
    frames = [element.value for element in app.dataframe if column in element.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def override(app: AppTest, setting: str, model: str) -> str:
    """The widget key of `model`'s `setting` override (it names the prompt settings it starts from)."""
    return override_key(setting, model, app.session_state["compare"].overrides_basis)


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def test_defaults_one_model_per_tier_with_settings_and_projection(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    assert app.multiselect(key="compare_models").value == DEFAULT_LINE_UP
    for model in DEFAULT_LINE_UP:
        assert app.number_input(key=override(app, "max_tokens", model)).value == 300
    # Exact counts per model: the newer tokenizer of the 5.x line counts more than Haiku 4.5 would.
    counts = [metric.value for metric in app.metric if metric.label == "Input tokens"]
    assert len(counts) == 3 and all(int(value.replace(",", "")) > 0 for value in counts)
    projections = [metric.value for metric in app.metric if metric.label == "Projected per call"]
    assert len(projections) == 3 and all(value.startswith("≤ $") for value in projections)
    assert "per 1,000 calls" in texts(app)
    assert not app.button(key="compare_run").disabled


def test_a_setting_a_model_would_reject_is_flagged_before_running(monkeypatch, simulator):
    # Opus 5.5 always thinks: a prompt that disables thinking is flagged for it alone.
    app = open_compare(monkeypatch, simulator, city_prompt(thinking={"type": "disabled"}))
    errors = [element.value for element in app.error]
    assert any("Claude Opus 5.5 does not accept thinking type 'disabled'" in error for error in errors)
    assert not any("Claude Haiku 5.5" in error for error in errors)
    assert app.button(key="compare_run").disabled
    assert "Fix the settings flagged for claude-opus-5-5" in texts(app)
    # Only the thinking types Opus 5.5 accepts are offered; choosing one clears the flag.
    assert app.selectbox(key=override(app, "thinking", "claude-opus-5-5")).options == ["prompt's setting", "adaptive", "enabled"]
    # The rule book's options, as in the Editor: Haiku 5.5 also takes between_tools.
    assert "between_tools" in app.selectbox(key=override(app, "thinking", "claude-haiku-5-5")).options
    app.selectbox(key=override(app, "thinking", "claude-opus-5-5")).set_value("adaptive")
    rerun(app)
    assert not app.error
    assert not app.button(key="compare_run").disabled


def test_effort_is_offered_only_where_supported(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-opus-5-5"])
    rerun(app)
    assert app.selectbox(key=override(app, "effort", "claude-opus-5-5")).options == [
        "prompt's setting", "low", "medium", "high", "xhigh", "max"]
    assert not [box for box in app.selectbox if box.key == override(app, "effort", "claude-haiku-4-5")]


def test_one_model_is_not_enough(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5"])
    rerun(app)
    assert "Pick 2 to 4 models to compare (picked 1)." in texts(app)
    assert app.button(key="compare_run").disabled


def test_run_repeat_shows_statistics_chart_cost_and_every_run(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.number_input(key="compare_repeat").set_value(3)
    app.button(key="compare_run").click()
    rerun(app)
    stats = table_with(app, "latency_p50_ms")
    assert list(stats["model"]) == DEFAULT_LINE_UP
    assert list(stats["calls"]) == [3, 3, 3] and list(stats["errors"]) == [0, 0, 0]
    assert (stats["latency_p50_ms"] > 0).all() and (stats["latency_max_ms"] >= stats["latency_p95_ms"]).all()
    assert app.get("plotly_chart")
    costs = table_with(app, "per_1000_usd")
    summary = app.session_state["compare"].run_outcome["summary"]
    for model, shown_per_1000, shown_batch in zip(costs["model"], costs["per_1000_usd"], costs["batch_per_1000_usd"]):
        row = summary.costs[model]
        assert row.per_call_usd > 0 and row.per_1000_usd == row.per_call_usd * 1000
        assert shown_per_1000 == present.usd(row.per_1000_usd)
        assert shown_batch == present.usd(row.per_1000_usd / 2)
    # A note true of every row is said once under the table, not on each row.
    assert "note" not in costs.columns
    assert texts(app).count("No cache breakpoint in the prompt") == 1
    runs = table_with(app, "tokens_per_s")
    assert len(runs) == 9
    app.selectbox(key="compare_browse_repeat").set_value(3)
    rerun(app)
    assert "simulated" in texts(app).lower()
    assert UsageLog().count(source="compare") == 9
    # The measured mean output now gives a point projection instead of a range.
    assert all(metric.value.startswith("$") for metric in app.metric if metric.label == "Projected per call")


def test_a_reply_cut_at_max_tokens_gets_the_same_advice_as_in_the_editor(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator, city_prompt(max_tokens=8))
    app.text_input(key="compare_var_city").input("Paris")
    rerun(app)
    app.button(key="compare_run").click()
    rerun(app)
    warnings = " ".join(element.value for element in app.warning)
    assert warnings.count("reached max_tokens (8)") == len(DEFAULT_LINE_UP) and "Raise max_tokens" in warnings


def test_results_and_selection_survive_a_visit_to_another_page(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-sonnet-4-6"])
    rerun(app)
    app.number_input(key=override(app, "max_tokens", "claude-haiku-4-5")).set_value(200)
    app.button(key="compare_run").click()
    rerun(app)
    app.switch_page("app_pages/usage.py")
    rerun(app)
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert app.multiselect(key="compare_models").value == ["claude-haiku-4-5", "claude-sonnet-4-6"]
    assert app.number_input(key=override(app, "max_tokens", "claude-haiku-4-5")).value == 200
    assert list(table_with(app, "latency_p50_ms")["model"]) == ["claude-haiku-4-5", "claude-sonnet-4-6"]


def test_a_saved_prompt_file_can_be_compared(monkeypatch, simulator):
    save_prompt(city_prompt(), prompts_dir() / "landmarks.prompt.json")
    app = open_compare(monkeypatch, simulator, new_prompt("claude-haiku-4-5"))
    assert app.button(key="compare_run").disabled  # the Editor's prompt is empty
    assert "Turn 1 (user) is empty: write it or remove it." in texts(app)
    app.radio(key="compare_prompt_source").set_value("A saved prompt file")
    rerun(app)
    assert app.selectbox(key="compare_prompt_file").value == "landmarks.prompt.json"
    assert "Name one landmark of {{city}}." in texts(app)
    assert not app.button(key="compare_run").disabled


def test_saved_prompts_are_listed_newest_first_as_in_the_editor(monkeypatch, simulator):
    import os

    for age, name in enumerate(["zebra", "alpha"]):
        path = save_prompt(PromptSpec(request=city_prompt().request, name=name), prompts_dir() / f"{name}.prompt.json")
        os.utime(path, (1_700_000_000 - age * 60,) * 2)  # zebra is the newer
    app = open_compare(monkeypatch, simulator)
    app.radio(key="compare_prompt_source").set_value("A saved prompt file")
    rerun(app)
    picker = app.selectbox(key="compare_prompt_file")
    assert list(picker.options) == ["zebra.prompt.json", "alpha.prompt.json"] and picker.value == "zebra.prompt.json"
    editor = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    editor.run()
    assert list(editor.selectbox(key="editor_open_choice").options) == list(picker.options)


CASES_CSV = (
    "city,check,expected\n"
    "Paris,contains,Simulated reply\n"
    "Rome,regex,^\\d+$\n"
    "Oslo,,\n"
).encode()


def test_uploaded_cases_run_as_rows_by_models_with_pass_rate_and_download(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-opus-5-5"])
    app.file_uploader(key="compare_cases_upload").upload("cases.csv", CASES_CSV, "text/csv")
    rerun(app)
    assert "Loaded 3 cases from cases.csv." in texts(app)
    app.button(key="compare_run_matrix").click()
    rerun(app)
    grid = table_with(app, "passed")
    assert len(grid) == 6
    # Simulated replies say they are simulated, and are not all digits.
    assert list(grid["passed"]) == [True, True, False, False, True, True]
    assert "2 of 3 passed" in [metric.delta for metric in app.metric if metric.label == "Claude Haiku 4.5"]
    assert "per passing answer" in texts(app)
    download = app.download_button(key="compare_download_grid")
    assert download.label == "Download the grid (CSV)" and not download.disabled
    assert UsageLog().count(source="compare") == 6


def test_mismatched_csv_columns_are_named_and_not_loaded(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.file_uploader(key="compare_cases_upload").upload("bad.csv", b"town,mood\nParis,dry\n", "text/csv")
    rerun(app)
    errors = " ".join(element.value for element in app.error)
    assert "bad.csv: missing column for prompt variable city" in errors
    assert "town, mood are not a prompt variable" in errors
    assert list(app.data_editor(key="compare_cases_editor").value.columns) == ["city", "check", "expected"]


def test_table_rows_with_bad_checks_are_named_and_block_the_run(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.session_state["compare_cases_editor"] = {
        "edited_rows": {0: {"city": "Paris", "check": "regex", "expected": "(unclosed"}},
        "added_rows": [], "deleted_rows": [],
    }
    rerun(app)
    assert "Row 1: invalid regex '(unclosed'" in texts(app)
    assert app.button(key="compare_run_matrix").disabled


def haiku_prompt() -> PromptSpec:
    spec = new_prompt("claude-haiku-4-5", user_text="Write a haiku about {{topic}} in {{lang}}.", max_tokens=100)
    return PromptSpec(request=spec.request, name="haiku")


def test_unfilled_variables_block_side_by_side_until_filled(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator, haiku_prompt())
    assert app.button(key="compare_run").disabled
    assert "Fill in topic, lang under Variables to run side by side" in texts(app)
    (variables,) = [panel for panel in app.expander if panel.label.startswith("Variables")]
    assert variables.proto.expanded  # opened, so the empty fields are in view
    app.text_input(key="compare_var_topic").input("rain")
    app.text_input(key="compare_var_lang").input("  ")  # blank is no value
    rerun(app)
    assert app.button(key="compare_run").disabled and "Fill in lang under Variables" in texts(app)
    app.text_input(key="compare_var_lang").input("French")
    rerun(app)
    assert not app.button(key="compare_run").disabled
    app.button(key="compare_run").click()
    rerun(app)
    sent = UsageLog().recent(1, source="compare")[0].request_json
    assert "Write a haiku about rain in French." in sent


def test_a_deprecated_model_is_marked_before_running(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-opus-4-5"])
    rerun(app)
    assert "**Claude Opus 4.5 (deprecated)**" in texts(app)
    assert any("Claude Opus 4.5 is deprecated and retires" in warning.value for warning in app.warning)
    assert not app.button(key="compare_run").disabled  # it still answers: a warning, not a block


def test_a_blank_cases_table_follows_the_prompt_and_a_typed_one_is_kept(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator)  # variables: city
    assert list(app.data_editor(key="compare_cases_editor").value.columns) == ["city", "check", "expected"]
    set_editor_prompt(app, haiku_prompt())
    rerun(app)
    # Nothing typed: the table now has this prompt's columns, and no error about the old ones.
    assert list(app.data_editor(key="compare_cases_editor").value.columns) == ["topic", "lang", "check", "expected"]
    assert not app.error
    app.session_state["compare_cases_editor"] = {
        "edited_rows": {0: {"topic": "rain", "lang": "English"}}, "added_rows": [], "deleted_rows": []}
    rerun(app)
    assert app.session_state["compare"].cases_edited["rows"][0]["topic"] == "rain"
    set_editor_prompt(app, city_prompt())
    rerun(app)
    # Typed values are kept, the mismatch is named once, and a reset is offered.
    assert app.session_state["compare"].cases_edited["rows"][0]["topic"] == "rain"
    assert [error.value for error in app.error] == [
        "The table doesn't fit this prompt: missing column for prompt variable city.",
        "The table doesn't fit this prompt: columns topic, lang are not a prompt variable (the prompt's variables: "
        "city; optional check columns: check, expected).",
    ]
    assert not app.warning
    assert app.button(key="compare_run_matrix").disabled
    app.button(key="compare_cases_reset").click()
    rerun(app)
    assert list(app.data_editor(key="compare_cases_editor").value.columns) == ["city", "check", "expected"]


def test_a_case_with_a_blank_variable_and_no_default_is_named(monkeypatch, simulator):
    app = open_compare(monkeypatch, simulator, haiku_prompt())
    app.session_state["compare_cases_editor"] = {
        "edited_rows": {0: {"topic": "rain", "lang": "English"}},
        "added_rows": [{"topic": "snow"}], "deleted_rows": []}
    rerun(app)
    assert "Case 2: no value for lang (fill the cell, or give the prompt a default)." in texts(app)
    assert app.button(key="compare_run_matrix").disabled


def test_an_unpriced_model_costs_unknown_never_zero(monkeypatch, simulator, tmp_path):
    prices = json.loads(DEFAULT_PRICE_FILE.read_text())
    prices["prices"] = [row for row in prices["prices"] if row["model"] != "claude-sonnet-4-6"]
    price_file = tmp_path / "prices.json"
    price_file.write_text(json.dumps(prices))
    monkeypatch.setenv("WORKBENCH_PRICES", str(price_file))
    app = open_compare(monkeypatch, simulator)
    app.multiselect(key="compare_models").set_value(["claude-haiku-4-5", "claude-sonnet-4-6"])
    rerun(app)
    assert "Projected cost unknown: no price for model 'claude-sonnet-4-6'" in texts(app)
    app.button(key="compare_run").click()
    rerun(app)
    costs = table_with(app, "per_1000_usd").set_index("model")
    assert costs.loc["claude-sonnet-4-6", "per_call_usd"] == "unknown"
    assert costs.loc["claude-sonnet-4-6", "per_1000_usd"] == "unknown"
    assert costs.loc["claude-haiku-4-5", "per_1000_usd"].startswith("$")
    assert costs.loc["claude-sonnet-4-6", "note"].startswith("no price") and costs.loc["claude-haiku-4-5", "note"] == ""
    runs = table_with(app, "tokens_per_s").set_index("model")
    assert runs.loc["claude-sonnet-4-6", "cost_usd"] == "unknown"
