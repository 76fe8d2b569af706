"""Runs many exported Python snippets in this one process, each with its own environment (a test helper).

Usage: python codegen_run_python.py manifest.json   (manifest: [{"file": "...py", "env": {NAME: value|null}}])
Exit 1 if any snippet raised; its traceback goes to stderr.
"""
import contextlib
import io
import json
import os
import runpy
import sys
import traceback

failed = 0
with open(sys.argv[1], encoding="utf-8") as manifest_file:
    manifest = json.load(manifest_file)
for item in manifest:
    for name, value in item["env"].items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(item["file"], run_name="__main__")
    except BaseException:  # noqa: BLE001 - report every failing snippet, then carry on
        print(f"snippet failed: {item['file']}", file=sys.stderr)
        traceback.print_exc()
        failed += 1
sys.exit(1 if failed else 0)
