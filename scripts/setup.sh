#!/usr/bin/env bash
# Creates .venv with the runtime (or, with --dev, the test) requirements. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
# Workbench's own modules compiled now, as pip compiles the packages'. Where Python writes no
# bytecode (PYTHONDONTWRITEBYTECODE, as here and in many containers), each server start would
# otherwise compile them from source: about 0.15 s of a cold start (bench/cold_start.py).
.venv/bin/python -m compileall -q app.py app_pages components workbench
