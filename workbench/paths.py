"""Where Workbench keeps its files: everything under WORKBENCH_HOME (default ~/.workbench)."""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def workbench_home() -> Path:
    home = Path(os.environ.get("WORKBENCH_HOME") or Path.home() / ".workbench").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def prompts_dir() -> Path:
    folder = workbench_home() / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def call_log_path() -> Path:
    return workbench_home() / "calls.db"


def simulator_batch_dir() -> Path:
    """Where the in-process simulator keeps Message Batches, so they outlive an app restart."""
    return workbench_home() / "simulator" / "batches"


def tools_dir() -> Path:
    folder = workbench_home() / "tools"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
