"""Choosing a model: three models side by side, repeated, with the latency chart and cost table,
then a 3-row test-case matrix whose results grid is downloaded as CSV."""
from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from streamlit_page import wait_for_app_idle
from workbench.spec import PromptSpec, new_prompt, save_prompt

PICKED = ["Claude Haiku 4.5", "Claude Sonnet 5.5", "Claude Opus 5.5"]
CASES_CSV = "city,check,expected\nParis,contains,Simulated reply\nRome,regex,^\\d+$\nOslo,,\n"


def _save_prompt_file(app_home) -> None:
    spec = new_prompt("claude-haiku-4-5", user_text="Name one landmark of {{city}}, in one sentence.", max_tokens=80)
    spec = PromptSpec(request=spec.request, name="landmarks", variables={"city": "Paris"})
    save_prompt(spec, app_home / "prompts" / "landmarks.prompt.json")


def _set_number(page, key: str, value: int) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    wait_for_app_idle(page)


def _pick_models(page, names: list[str]) -> None:
    picker = page.locator(".st-key-compare_models")
    picker.get_by_role("button", name=re.compile("Clear all", re.I)).click()
    wait_for_app_idle(page)
    for name in names:
        picker.locator("input").fill(name)
        page.get_by_role("option", name=name, exact=True).click()
        wait_for_app_idle(page)


def test_pick_three_models_repeat_then_run_a_case_matrix(page, app_url, app_home, artifacts_dir, tmp_path):
    _save_prompt_file(app_home)
    page.goto(app_url)
    wait_for_app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible()

    page.locator(".st-key-compare_prompt_source").get_by_text("A saved prompt file").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Name one landmark of {{city}}, in one sentence.")).to_be_visible()

    _pick_models(page, PICKED)
    for model_id in ("claude-haiku-4-5", "claude-sonnet-5-5", "claude-opus-5-5"):
        expect(page.locator(f"[class*='st-key-compare_max_tokens_{model_id}_'] input")).to_have_value("80")
    expect(page.get_by_test_id("stMetric").filter(has_text="Input tokens")).to_have_count(3)

    page.keyboard.press("Escape")  # closes the model list
    expect(page.get_by_role("listbox")).to_have_count(0)
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 1300})
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts_dir / "compare-before-run.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    _set_number(page, "compare_repeat", 5)
    _set_number(page, "compare_concurrency", 15)
    run = page.locator(".st-key-compare_run button")
    expect(run).to_have_text("Run 3 models × 5 = 15 calls")
    run.click()
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"Last run of landmarks: 15 calls in"))).to_be_visible()
    expect(page.get_by_role("heading", name="Cost")).to_be_visible()
    expect(page.locator(".st-key-compare_cost_section").get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.locator(".st-key-compare_latency_section").get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Measured mean .* price table \d{4}-\d\d-\d\d"))).to_be_visible()

    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 2400})
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts_dir / "compare-side-by-side.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.get_by_role("tab", name="Test cases").click()
    cases_file = tmp_path / "cases.csv"
    cases_file.write_text(CASES_CSV)
    page.locator(".st-key-compare_cases_upload input[type=file]").set_input_files(str(cases_file))
    expect(page.get_by_text("Loaded 3 cases from cases.csv.")).to_be_visible()
    wait_for_app_idle(page)
    matrix = page.locator(".st-key-compare_run_matrix button")
    expect(matrix).to_have_text("Run 3 cases × 3 models = 9 calls")
    matrix.click()
    download_button = page.locator(".st-key-compare_download_grid button")
    expect(download_button).to_be_visible()
    wait_for_app_idle(page)
    expect(page.get_by_text("per passing answer").first).to_be_visible()
    expect(page.locator(".st-key-compare_grid_section").get_by_test_id("stDataFrame")).to_be_visible()

    with page.expect_download() as download_info:
        download_button.click()
    grid_path = tmp_path / "grid.csv"
    download_info.value.save_as(grid_path)
    rows = list(csv.DictReader(io.StringIO(grid_path.read_text())))
    assert len(rows) == 9
    assert {row["model"] for row in rows} == {"claude-haiku-4-5", "claude-sonnet-5-5", "claude-opus-5-5"}
    assert [row["passed"] for row in rows if row["case"] == "2"] == ["False"] * 3  # no reply is all digits
    assert all(row["passed"] == "True" for row in rows if row["case"] in ("1", "3"))

    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1400, "height": 1600})
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts_dir / "compare-test-cases.png"), full_page=True)
