"""Compare's "Run as batch (50% off)" and the Batches list, through AppTest by widget key."""
from __future__ import annotations

import time

import anthropic

from editor_apptest import texts
from test_page_compare import CASES_CSV, city_prompt, open_compare, rerun, table_with
from workbench import batches
from workbench.compare_cases import CompareCase
from workbench.simulator import start_simulator
from workbench.usage_log import UsageLog

MODELS = ["claude-haiku-4-5", "claude-opus-5-5"]


def progress_texts(app) -> str:
    """The text of every progress bar (AppTest exposes them as generic elements with their proto)."""
    return "\n".join(element.proto.text for element in app.get("progress"))


def with_cases(app):
    app.multiselect(key="compare_models").set_value(MODELS)
    app.file_uploader(key="compare_cases_upload").upload("cases.csv", CASES_CSV, "text/csv")
    return rerun(app)


def wait_for_batch_end(base_url: str, batch_id: str) -> None:
    client = anthropic.Anthropic(base_url=base_url, api_key="k")
    deadline = time.monotonic() + 60
    while client.messages.batches.retrieve(batch_id).processing_status != "ended":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_run_as_batch_shows_requests_and_projection_then_the_same_grid(monkeypatch, simulator):
    app = with_cases(open_compare(monkeypatch, simulator))
    caption = next(text for text in texts(app).split("\n") if "requests (3 cases × 2 models × 1 repeats)" in text)
    assert "Projected cost at batch prices" in caption and "live" in caption
    app.button(key="compare_run_batch").click()
    rerun(app)
    [record] = batches.list_batches(UsageLog())
    assert record.request_count == 6 and record.source == "compare"
    assert f"Submitted batch {record.id}" in texts(app)

    wait_for_batch_end(simulator.base_url, record.id)
    rerun(app)  # the list refreshes the batch, sees it ended, and collects its results
    assert "6 of 6 done · 6 succeeded" in progress_texts(app)
    grid = table_with(app, "passed")
    # The same cells and verdicts as the live matrix of these cases (test_page_compare).
    assert list(grid["passed"]) == [True, True, False, False, True, True]
    assert "2 of 3 passed" in [metric.delta for metric in app.metric if metric.label == "Claude Haiku 4.5"]
    assert "per passing answer" in texts(app)
    assert app.download_button(key="compare_batch_download_grid").label == "Download the grid (CSV)"
    assert UsageLog().count(source="batch") == 6


def test_a_new_session_picks_up_a_batch_from_the_log(monkeypatch, simulator):
    # Submitted elsewhere (the CLI, or a session before a restart): the page finds it in the log.
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k")
    plan = batches.build_batch(city_prompt(), MODELS, cases=[CompareCase(0, {"city": "Lima"}, None)])
    record = batches.submit(client, plan, UsageLog(), source="cli")
    wait_for_batch_end(simulator.base_url, record.id)
    app = open_compare(monkeypatch, simulator)
    assert "2 of 2 done · 2 succeeded" in progress_texts(app)
    app.button(key=f"batch_show_{record.id}").click()
    rerun(app)
    assert len(table_with(app, "passed")) == 2


def test_cancel_from_the_page_shows_canceled_cells_as_failed(monkeypatch):
    slow = start_simulator(speed=1)
    try:
        app = with_cases(open_compare(monkeypatch, slow))
        app.number_input(key="compare_batch_repeats_input").set_value(5)
        rerun(app)
        assert "30 requests (3 cases × 2 models × 5 repeats)" in texts(app)
        app.button(key="compare_run_batch").click()
        rerun(app)
        [record] = batches.list_batches(UsageLog())
        assert "0 of 30 done" in progress_texts(app)
        app.button(key=f"batch_cancel_{record.id}").click()
        rerun(app)
        wait_for_batch_end(slow.base_url, record.id)
        rerun(app)
        ended = batches.get_batch(UsageLog(), record.id)
        assert ended.counts.canceled == 30 and ended.collected
        assert "30 canceled" in progress_texts(app)
        app.button(key=f"batch_show_{record.id}").click()
        rerun(app)
        grid = table_with(app, "passed")
        assert len(grid) == 30 and not grid["passed"].any()
        assert set(grid["check"]) == {"error: batch_canceled"}
        assert "did not answer (errored 0, canceled 30, expired 0)" in texts(app)
    finally:
        slow.stop()


def test_after_an_app_restart_the_list_resumes_a_batch_from_the_log(monkeypatch, tmp_path):
    # The app's own simulator keeps batches on disk; a restart starts a new one on another port.
    before = start_simulator(speed=2, batch_dir=tmp_path / "batches")
    client = anthropic.Anthropic(base_url=before.base_url, api_key="k")
    plan = batches.build_batch(city_prompt(), MODELS, cases=[CompareCase(0, {"city": "Lima"}, None)], repeats=3)
    record = batches.submit(client, plan, UsageLog(), source="compare")
    before.stop()
    after = start_simulator(speed=2, batch_dir=tmp_path / "batches")
    try:
        app = open_compare(monkeypatch, after)
        assert "of 6 done" in progress_texts(app)
        wait_for_batch_end(after.base_url, record.id)
        rerun(app)
        assert "6 of 6 done · 6 succeeded" in progress_texts(app)
        app.button(key=f"batch_show_{record.id}").click()
        rerun(app)
        assert len(table_with(app, "passed")) == 6
        assert UsageLog().count(source="batch") == 6
    finally:
        after.stop()


def test_batches_stay_reachable_when_the_chosen_prompt_cannot_be_used(monkeypatch, simulator):
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k")
    plan = batches.build_batch(city_prompt(), MODELS, cases=[CompareCase(0, {"city": "Lima"}, None)])
    record = batches.submit(client, plan, UsageLog(), source="cli")
    wait_for_batch_end(simulator.base_url, record.id)
    app = open_compare(monkeypatch, simulator)
    app.radio(key="compare_prompt_source").set_value("A saved prompt file")  # and there is none
    rerun(app)
    assert "No saved prompts" in texts(app)
    assert "2 of 2 done · 2 succeeded" in progress_texts(app)
    app.button(key=f"batch_show_{record.id}").click()
    rerun(app)
    assert len(table_with(app, "passed")) == 2
