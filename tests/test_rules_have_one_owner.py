"""One owner per rule: pages, components and CLI handlers ask workbench.preflight; none decides a rule.

The helpers the rule book replaced must not come back, and UI code must not read a model's
capabilities or quirks to decide what is allowed (it asks preflight.model_options instead).
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UI_FOLDERS = ("app_pages", "components")
CLI_FILES = ("workbench/cli.py", "workbench/cli_compare.py", "workbench/cli_common.py")
# Scattered rule code the rule book replaced (issue 8): gone everywhere.
RETIRED = {
    "request_problems", "_thinking_problems", "_output_config_problems", "_quirk_problems",
    "empty_turn_problems", "send_problems", "context_window_problem", "unknown_request_keys",
    "default_thinking_budget", "MIN_THINKING_BUDGET", "REQUESTABLE_THINKING", "DEFAULT_THINKING_BUDGET",
    "empty_prompt_problem", "lifecycle_note", "_check_max_tokens", "SAMPLING_PARAMETERS",
}
# What only the rule book may read to decide what a model allows.
CAPABILITY_READS = {"thinking_types", "effort_levels", "supports_structured_outputs"}
QUIRK_HELPERS = {"quirk_applies", "quirk_rule", "load_quirks"}


def python_files(*places: str) -> list[Path]:
    files: list[Path] = []
    for place in places:
        path = REPO / place
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def names_used(path: Path) -> set[str]:
    """Every name, attribute, import and definition in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.split(".")[-1])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


def entry_capability_reads(path: Path) -> list[str]:
    """`entry.thinking_types` and the like: a catalog entry's capabilities read directly."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(REPO)}:{node.lineno} {node.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in CAPABILITY_READS
            and isinstance(node.value, ast.Name) and node.value.id == "entry"]


def test_the_retired_rule_helpers_are_gone_everywhere():
    # The simulator is left out on purpose: it stands for the API and keeps its own validation.
    files = [path for path in python_files("app_pages", "components", "workbench", "app.py")
             if "simulator" not in path.relative_to(REPO).parts]
    offenders = {str(path.relative_to(REPO)): sorted(names_used(path) & RETIRED) for path in files}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_pages_components_and_cli_handlers_read_no_capabilities_or_quirks():
    files = python_files(*UI_FOLDERS, *CLI_FILES)
    assert len(files) > 10
    assert [read for path in files for read in entry_capability_reads(path)] == []
    quirks = {str(path.relative_to(REPO)): sorted(names_used(path) & QUIRK_HELPERS) for path in files}
    assert {path: names for path, names in quirks.items() if names} == {}


def test_pages_and_components_do_not_check_schemas_themselves():
    for path in python_files(*UI_FOLDERS):
        assert "jsonschema" not in names_used(path), path


def test_the_editor_compare_and_the_cli_ask_the_rule_book():
    for place in ("app_pages/editor.py", "components/prompt_form.py", "components/compare_setup.py",
                  "workbench/compare.py", "workbench/cli.py", "workbench/cli_compare.py"):
        assert "preflight" in names_used(REPO / place), place


def test_every_rule_is_in_the_documented_table():
    from workbench import preflight

    table = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "docs/rules.md" in (REPO / "README.md").read_text(encoding="utf-8")
    missing = [one_rule.__name__ for one_rule in preflight.RULES if f"preflight.{one_rule.__name__}`" not in table]
    assert missing == []
