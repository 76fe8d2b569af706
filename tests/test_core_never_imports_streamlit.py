"""The core (workbench/) never imports streamlit: checked in the source and in a fresh interpreter."""
from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import workbench

PACKAGE_DIR = Path(workbench.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_in_workbench_imports_streamlit():
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if any(name == "streamlit" or name.startswith("streamlit.") for name in imported_modules(path)):
            offenders.append(str(path.relative_to(PACKAGE_DIR.parent)))
    assert offenders == []


def test_importing_every_core_module_loads_no_streamlit():
    modules = sorted(
        info.name for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="workbench.")
        if not info.name.endswith("__main__")
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(name for name in sys.modules if name.split('.')[0] == 'streamlit')))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                               cwd=PACKAGE_DIR.parent)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []
    assert "workbench.runner" in modules and "workbench.cli" in modules
