"""The generated TypeScript type-checks (strict) against the installed @anthropic-ai/sdk, whose fields it knows."""
from __future__ import annotations

import itertools
import json
import re
import subprocess

import pytest
from codegen_cases import TRICKY
from codegen_support import NODE_FOLDER, ensure_node_packages

from workbench.codegen import export_snippet
from workbench.codegen.typescript_code import HEADER_FIELDS, TYPED_FIELDS

MODULES = NODE_FOLDER / "node_modules"


@pytest.fixture(scope="module", autouse=True)
def node_packages():
    ensure_node_packages()


def test_the_typed_fields_are_the_sdks_message_create_params():
    types = (MODULES / "@anthropic-ai" / "sdk" / "resources" / "messages" / "messages.d.ts").read_text()
    base = re.search(r"export interface MessageCreateParamsBase \{(.*?)\n\}", types, re.S).group(1)
    fields = set(re.findall(r"^    (\w+)\??:", base, re.M))
    assert fields == TYPED_FIELDS | HEADER_FIELDS | {"stream"}


def test_every_tricky_snippet_type_checks_strictly(tmp_path):
    for case, (stream, keep) in itertools.product(TRICKY, itertools.product([False, True], repeat=2)):
        snippet = export_snippet(case.request, case.values, "typescript", stream=stream, keep_variables=keep,
                                 headers=case.headers, base_url="https://proxy.example.com" if keep else None)
        (tmp_path / f"{case.label.replace('-', '_')}_{int(stream)}{int(keep)}.ts").write_text(snippet.code)
    (tmp_path / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {
            "strict": True, "noEmit": True, "target": "ES2022", "module": "commonjs", "moduleResolution": "node",
            "esModuleInterop": True, "skipLibCheck": True, "typeRoots": [str(MODULES / "@types")], "types": ["node"],
            "baseUrl": str(MODULES), "paths": {"@anthropic-ai/sdk": [str(MODULES / "@anthropic-ai" / "sdk")]},
        },
        "include": ["*.ts"],
    }))
    checked = subprocess.run(["node", str(MODULES / "typescript" / "bin" / "tsc"), "-p", str(tmp_path)],
                             capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert len(list(tmp_path.glob("*.ts"))) == 4 * len(TRICKY)
